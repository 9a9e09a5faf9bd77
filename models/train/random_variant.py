"""Random-initialised checkpoint of a given size, for the speed column of the variant table
(inference speed does not depend on the weights).

/usr/bin/python3 models/train/random_variant.py --layers 2 --hidden 128   # -> work/ckpt-rand-2x128.pt
/usr/bin/python3 models/train/export.py --name rand-2x128
node models/train/onnx_tool.mjs bench models/train/work/rand-2x128.int8.onnx models/train/work/bench-windows.json 5 8
"""
import argparse, os, sys, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import PhiNer
from prepare import LABELS

ap = argparse.ArgumentParser()
ap.add_argument("--layers", type=int, required=True)
ap.add_argument("--hidden", type=int, required=True)
ap.add_argument("--heads", type=int, default=4)
ap.add_argument("--vocab", type=int, default=8000)
a = ap.parse_args()
torch.manual_seed(0)
m = PhiNer(a.vocab, len(LABELS), a.hidden, a.layers, a.heads, 4 * a.hidden, 256)
args = {"layers": a.layers, "hidden": a.hidden, "heads": a.heads, "epochs": 0, "batch": 0, "lr": 0, "entity_weight": 0, "seed": 0}
torch.save({"state": m.state_dict(), "args": args, "labels": LABELS, "vocab_size": a.vocab, "max_len": 256, "step": 0},
           os.path.join(os.path.dirname(os.path.abspath(__file__)), "work", f"ckpt-rand-{a.layers}x{a.hidden}.pt"))
