"""Build the WordPiece vocabulary and the training windows.

/usr/bin/python3 models/train/prepare.py --work models/train/work --out models/phi-ner

Inputs (all under --work, made by corpora/generator/cli.ts): resurrogated.jsonl (gold train
split, re-surrogated), synth-train.jsonl; plus ../shared/corpora/{presidio-synth,tab-echr}.jsonl
if present. The gold file itself is not read here: the vocabulary is learned only from text
whose PHI has been replaced by public-list values.
"""
import argparse
import collections
import json
import os
import random
import re
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phi_text import (CLS, SEP, WordPiece, normalize, pre_tokenize, tokenizer_config, tokenizer_json,
                      train_wordpiece, word_feature, words, set_lexicon)

ENTITIES = ["NAME", "LOCATION", "ORGANIZATION", "PROFESSION", "DATE", "AGE", "ID", "CONTACT"]
LABELS = ["O"] + [f"{p}-{e}" for e in ENTITIES for p in ("B", "I")]
L2I = {l: i for i, l in enumerate(LABELS)}
AUX_MAP = {"NAME": "NAME", "LOCATION": "LOCATION", "ORGANIZATION": "ORGANIZATION", "PROFESSION": "PROFESSION",
           "DATE": "DATE", "AGE": "AGE", "ID": "ID", "CONTACT": "CONTACT"}
HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Madam|Mme|M)\.?\s+")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def word_labels(text, spans):
    """BIO label per word: a word inside a span gets its label; B on the span's first word."""
    ws = words(text)
    labels = [0] * len(ws)
    spans = sorted(spans, key=lambda s: s["start"])
    j = 0
    for k, (a, b) in enumerate(ws):
        while j < len(spans) and spans[j]["end"] <= a:
            j += 1
        if j < len(spans) and spans[j]["start"] < b:
            s = spans[j]
            first = k == 0 or ws[k - 1][1] <= s["start"]
            labels[k] = L2I[("B-" if first else "I-") + s["label"]]
    return ws, labels


def windows_of(text, spans, wp, max_len, rng=None):
    """[CLS] pieces.. [SEP] windows of whole words; labels on first pieces, -100 elsewhere;
    (ids, labels, shapes) with the word's case shape on each of its pieces."""
    ws, labels = word_labels(text, spans)
    out, ids, lab, shp = [], [CLS], [-100], [0]
    for (a, b), l in zip(ws, labels):
        p = wp.encode_word(text[a:b]) or [1]
        p = p[: max_len - 2]
        if len(ids) + len(p) > max_len - 1:
            out.append((ids + [SEP], lab + [-100], shp + [0]))
            ids, lab, shp = [CLS], [-100], [0]
        ids = ids + p
        lab = lab + [l] + [-100] * (len(p) - 1)
        shp = shp + [word_feature(text[a:b])] * len(p)
    if len(ids) > 1:
        out.append((ids + [SEP], lab + [-100], shp + [0]))
    return out


def misspell(word, rng):
    """One random edit (swap, drop, double or replace a letter), keeping the word's case shape."""
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    if op == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == 1:
        return word[:i] + word[i + 1:]
    if op == 2:
        return word[:i] + word[i] + word[i:]
    c = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return word[:i] + (c.upper() if word[i].isupper() else c) + word[i + 1:]


def with_typos(doc, rate, rng):
    """Misspell a share of the note's non-PHI words of 4+ letters. Real notes are full of typos,
    and a misspelt common word is a word piece sequence the model has rarely seen as O; without
    this it reads many of them as rare names. Spans are shifted to the new offsets."""
    text, spans = doc["text"], sorted(doc["spans"], key=lambda s: s["start"])
    out, shift, last, j = [], [], 0, 0
    for a, b in words(text):
        while j < len(spans) and spans[j]["end"] <= a:
            j += 1
        inside = j < len(spans) and spans[j]["start"] < b
        w = text[a:b]
        if inside or len(w) < 4 or not w.isalpha() or rng.random() >= rate:
            continue
        new = misspell(w, rng)
        out.append(text[last:a]); out.append(new); last = b
        shift.append((b, len(new) - len(w)))
    if not shift:
        return doc
    out.append(text[last:])
    def moved(x):
        return x + sum(d for at, d in shift if at <= x)
    return {**doc, "text": "".join(out),
            "spans": [{**s, "start": moved(s["start"]), "end": moved(s["end"])} for s in doc["spans"]]}


def pack(docs, target_chars, sep="\n\n"):
    """Join short documents into multi-sentence ones, so training sequences are window-long."""
    out, cur_text, cur_spans = [], "", []
    for d in docs:
        if cur_text and len(cur_text) + len(d["text"]) > target_chars:
            out.append({"text": cur_text, "spans": cur_spans}); cur_text, cur_spans = "", []
        off = len(cur_text) + (len(sep) if cur_text else 0)
        cur_text = cur_text + sep + d["text"] if cur_text else d["text"]
        cur_spans = cur_spans + [{**s, "start": s["start"] + off, "end": s["end"] + off} for s in d["spans"]]
    if cur_text:
        out.append({"text": cur_text, "spans": cur_spans})
    return out


def aux_docs(path, strip_honorifics):
    docs = []
    for r in read_jsonl(path):
        spans = []
        for s in r["spans"]:
            lab = AUX_MAP.get(s["label"])
            if not lab:
                continue
            start = s["start"]
            if lab == "NAME" and strip_honorifics:
                m = HONORIFIC.match(r["text"][start:s["end"]])
                if m:
                    start += m.end()
            if start < s["end"]:
                spans.append({"start": start, "end": s["end"], "label": lab})
        docs.append({"text": r["text"], "spans": spans})
    return docs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="models/train/work")
    ap.add_argument("--out", default="models/phi-ner")
    ap.add_argument("--corpora", default="../shared/corpora")
    ap.add_argument("--vocab-size", type=int, default=8000)
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--keep-vocab", action="store_true", help="reuse models/phi-ner/tokenizer.json")
    ap.add_argument("--lexicon", default=None, help="lexicon.ts output: add word-list classes (phi-ner/3)")
    ap.add_argument("--typo-rate", type=float, default=0.0,
                    help="share of non-PHI words of 4+ letters misspelt in the re-surrogated notes")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    classes = None
    if a.lexicon:
        if a.typo_rate > 0:
            sys.exit("--typo-rate makes words the lexicon map does not hold; use one or the other")
        classes = set_lexicon(a.lexicon)
        print(f"word-list classes {classes}", flush=True)

    res = read_jsonl(os.path.join(a.work, "resurrogated.jsonl"))
    syn = read_jsonl(os.path.join(a.work, "synth-train.jsonl"))
    aux = []
    ps = os.path.join(a.corpora, "presidio-synth.jsonl")
    tab = os.path.join(a.corpora, "tab-echr.jsonl")
    if os.path.exists(ps):
        d = aux_docs(ps, False); rng.shuffle(d); aux += [("presidio", x) for x in pack(d, 700)]
    if os.path.exists(tab):
        aux += [("tab", x) for x in aux_docs(tab, True)]
    print(f"resurrogated {len(res)}  synthetic {len(syn)}  aux docs {len(aux)}", flush=True)

    # Vocabulary from PHI-free text only: re-surrogated notes, synthetic notes, aux corpora.
    if a.keep_vocab:
        vocab_map = json.load(open(os.path.join(a.out, "tokenizer.json")))["model"]["vocab"]
        vocab = sorted(vocab_map, key=vocab_map.get)
    counts = collections.Counter() if not a.keep_vocab else None
    for d in ([] if a.keep_vocab else res[::3] + syn + [x for _, x in aux]):
        t = d["text"]
        for s, e in words(t):
            for tok in pre_tokenize(normalize(t[s:e])):
                counts[tok] += 1
    if not a.keep_vocab:
        print(f"distinct pre-tokens {len(counts)}", flush=True)
        vocab = train_wordpiece(counts, a.vocab_size)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(vocab), f, ensure_ascii=False)
    with open(os.path.join(a.out, "tokenizer_config.json"), "w") as f:
        json.dump(tokenizer_config(a.max_len), f, indent=1)
    wp = WordPiece({t: i for i, t in enumerate(vocab)})
    print(f"vocab {len(vocab)}", flush=True)

    data = {"labels": LABELS, "vocab_size": len(vocab), "max_len": a.max_len, "sets": {},
            "lexicon": classes, "lexicon_path": os.path.abspath(a.lexicon) if a.lexicon else None}
    if a.typo_rate > 0:
        res = [with_typos(d, a.typo_rate, rng) for d in res]
    synth_packed = pack(syn, 900)
    groups = {"resurrogated": res, "synthetic": synth_packed}
    for name, x in aux:
        groups.setdefault(name, []).append(x)
    for name, docs in groups.items():
        wins = [w for d in docs for w in windows_of(d["text"], d["spans"], wp, a.max_len)]
        lens = [len(w[0]) for w in wins]
        print(f"{name}: {len(docs)} docs -> {len(wins)} windows, mean len {sum(lens)/max(1,len(lens)):.0f}", flush=True)
        data["sets"][name] = wins
    torch.save(data, os.path.join(a.work, "windows.pt"))


if __name__ == "__main__":
    main()
