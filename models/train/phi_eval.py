"""Token-level scoring the way src/eval does it: tokens are maximal runs of letters, marks and
digits; a token is PHI of label X if it overlaps a gold span of X. Predictions are per word
(label of the word's first piece), words being the runtime's pre-split."""
import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phi_text import CLS, SEP, word_feature, words
from prepare import LABELS

GOLD_TO_OURS = {"NAME": "NAME", "LOCATION": "LOCATION", "DATE": "DATE", "CONTACT": "CONTACT", "AGE": "AGE",
                "ID": "ID", "OTHER": "ID", "PROFESSION": "PROFESSION", "ORGANIZATION": "ORGANIZATION"}


def encode_note(text, wp, max_len):
    """Windows of whole words, [CLS] .. [SEP], no overlap; returns (words, windows, word->(window, pos),
    shapes per window)."""
    ws = words(text)
    wins, where, shapes = [], [], []
    ids, shp = [CLS], [0]
    for a, b in ws:
        p = (wp.encode_word(text[a:b]) or [1])[: max_len - 2]
        if len(ids) + len(p) > max_len - 1:
            wins.append(ids + [SEP]); shapes.append(shp + [0]); ids, shp = [CLS], [0]
        where.append((len(wins), len(ids)))
        ids = ids + p
        shp = shp + [word_feature(text[a:b])] * len(p)
    wins.append(ids + [SEP]); shapes.append(shp + [0])
    return ws, wins, where, shapes


def word_predictions(ws, where, window_logits, o_threshold=None):
    """Entity label per word ('O' or e.g. 'NAME'). With o_threshold, a word is PHI when P(O) < threshold."""
    import numpy as np
    out = []
    for (w, pos) in where:
        row = np.asarray(window_logits[w][pos], dtype=np.float64)
        p = np.exp(row - row.max()); p /= p.sum()
        if o_threshold is not None and p[0] < o_threshold:
            k = 1 + int(np.argmax(p[1:]))
        else:
            k = int(np.argmax(p))
        out.append("O" if k == 0 else LABELS[k][2:])
    return out


def score(notes, preds_per_note):
    """notes: [{text, spans}], preds: per note list of word labels. Returns metrics dict."""
    tp = collections.Counter(); gold_n = collections.Counter(); pred_n = collections.Counter()
    btp = bgold = bpred = 0
    cross = collections.Counter()
    for note, preds in zip(notes, preds_per_note):
        text = note["text"]
        ws = words(text)
        wl = {}
        for (a, b), lab in zip(ws, preds):
            wl[(a, b)] = lab
        gold_tok = {}
        for s in note["spans"]:
            lab = GOLD_TO_OURS.get(s["label"], "ID")
            for (a, b) in ws:
                if a < s["end"] and s["start"] < b:
                    gold_tok[(a, b)] = lab
        for (a, b) in ws:
            if not any(ch.isalnum() for ch in text[a:b]):
                continue  # punctuation is not a scoring token
            g = gold_tok.get((a, b), "O"); p = wl.get((a, b), "O")
            if g != "O":
                gold_n[g] += 1; bgold += 1
            if p != "O":
                pred_n[p] += 1; bpred += 1
            if g != "O" and p != "O":
                btp += 1
                cross[(g, p)] += 1
                if g == p:
                    tp[g] += 1
    res = {"binary": {"recall": btp / max(1, bgold), "precision": btp / max(1, bpred), "gold_tokens": bgold,
                      "pred_tokens": bpred}, "labels": {}}
    for lab in sorted(set(gold_n) | set(pred_n)):
        res["labels"][lab] = {"recall": tp[lab] / gold_n[lab] if gold_n[lab] else None,
                              "precision": tp[lab] / pred_n[lab] if pred_n[lab] else None,
                              "gold": gold_n[lab], "pred": pred_n[lab],
                              "any_phi_recall": sum(v for (g, _), v in cross.items() if g == lab) / gold_n[lab] if gold_n[lab] else None}
    return res


def fmt(res):
    b = res["binary"]
    lines = [f"binary R {b['recall']:.4f} P {b['precision']:.4f} (gold {b['gold_tokens']}, pred {b['pred_tokens']})"]
    for lab, m in res["labels"].items():
        r = "-" if m["recall"] is None else f"{m['recall']:.4f}"
        p = "-" if m["precision"] is None else f"{m['precision']:.4f}"
        a = "-" if m["any_phi_recall"] is None else f"{m['any_phi_recall']:.4f}"
        lines.append(f"  {lab:13s} R {r} P {p} anyPHI-R {a} gold {m['gold']} pred {m['pred']}")
    return "\n".join(lines)


def load_validation(gold_path, split_path):
    split = json.load(open(split_path))
    val = set(split["validation_note_ids"])
    return [json.loads(l) for l in open(gold_path) if json.loads(l)["id"] in val]
