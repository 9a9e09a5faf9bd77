"""Score an ONNX model (run by onnxruntime-node) on the dev validation split and the held-out
synthetic notes, at several P(O) thresholds; optionally benchmark it.

/usr/bin/python3 models/train/score_onnx.py --model models/train/work/main.int8.onnx --tag int8 [--bench]

Writes work/score-<tag>.json. The gold notes are read from ../shared/gold at run time only.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phi_eval import encode_note, fmt, load_validation, score, word_predictions
from phi_text import WordPiece, load_vocab, set_lexicon

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
THRESHOLDS = [None, 0.9, 0.8, 0.7, 0.5]


def run_sets(model, sets, wp, max_len, work, tag):
    allwins, index = [], []
    for name, notes in sets.items():
        for n in notes:
            ws, wins, where, shapes = encode_note(n["text"], wp, max_len)
            index.append((name, n, ws, where, len(allwins), len(wins)))
            allwins += [{"ids": w, "shapes": z} for w, z in zip(wins, shapes)]
    wpath = os.path.join(work, f"score-windows-{tag}.json")
    lpath = os.path.join(work, f"score-logits-{tag}.json")
    json.dump(allwins, open(wpath, "w"))
    subprocess.run(["node", os.path.join(HERE, "onnx_tool.mjs"), "predict", model, wpath, lpath], check=True)
    logits = json.load(open(lpath))
    out = {}
    for th in THRESHOLDS:
        preds = {k: [] for k in sets}
        for name, n, ws, where, off, k in index:
            preds[name].append(word_predictions(ws, where, logits[off:off + k], th))
        for name, notes in sets.items():
            r = score(notes, preds[name])
            out.setdefault(name, {})["argmax" if th is None else f"p_o<{th}"] = r
    return out, wpath


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--work", default=os.path.join(HERE, "work"))
    ap.add_argument("--model-dir", default=os.path.join(ROOT, "models", "phi-ner"))
    ap.add_argument("--gold", default=os.path.join(ROOT, "..", "shared", "gold", "physionet-deid-dev.jsonl"))
    ap.add_argument("--heldout", default=os.path.join(ROOT, "corpora", "synthetic", "heldout.jsonl"))
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--lexicon", default=None, help="lexicon.ts output covering the scored notes (phi-ner/3 models)")
    a = ap.parse_args()
    if a.lexicon:
        set_lexicon(a.lexicon)
    wp = WordPiece(load_vocab(os.path.join(a.model_dir, "tokenizer.json")))
    max_len = 256
    sets = {}
    if os.path.exists(a.gold):
        sets["validation"] = load_validation(a.gold, os.path.join(a.model_dir, "split.json"))
    else:
        print("gold notes not found: dev validation skipped")
    sets["heldout_synthetic"] = [json.loads(l) for l in open(a.heldout)]
    res, _ = run_sets(a.model, sets, wp, max_len, a.work, a.tag)
    for name, by_th in res.items():
        for th, r in by_th.items():
            print(f"== {a.tag} {name} {th}\n{fmt(r)}")
    if a.bench and os.path.exists(a.gold):
        notes = [json.loads(l) for l in open(a.gold)]
        wins = [{"ids": w, "shapes": z} for n in notes for w, z in zip(*encode_note(n["text"], wp, max_len)[1:4:2])]
        bpath = os.path.join(a.work, "bench-windows.json")
        json.dump(wins, open(bpath, "w"))
        b = subprocess.run(["node", os.path.join(HERE, "onnx_tool.mjs"), "bench", a.model, bpath, "5", "8"],
                           check=True, capture_output=True, text=True).stdout.strip()
        res["bench"] = json.loads(b); res["bench"]["notes"] = len(notes)
        print(b)
    json.dump(res, open(os.path.join(a.work, f"score-{a.tag}.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
