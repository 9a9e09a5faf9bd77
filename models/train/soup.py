"""Average the weights of checkpoints of one lineage (a "model soup": Wortsman et al. 2022).

/usr/bin/python3 models/train/soup.py --out soup-v5v8 work/ckpt-v5-final.pt work/ckpt-v8.pt [--weights 0.5 0.5]

Only for checkpoints fine-tuned from one another (same shapes, same start): their average often
generalises better than either. Writes work/ckpt-<out>.pt with the metadata of the checkpoint
that has every input.
"""
import argparse
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpts", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--weights", type=float, nargs="*", default=None)
    ap.add_argument("--work", default=os.path.join(HERE, "work"))
    a = ap.parse_args()
    cks = [torch.load(p) for p in a.ckpts]
    w = a.weights or [1.0 / len(cks)] * len(cks)
    assert len(w) == len(cks) and abs(sum(w) - 1) < 1e-6, "one weight per checkpoint, summing to 1"
    # An embedding one checkpoint lacks (v5 has no word-class input) counts as zeros there: that is
    # what a zero-initialised embedding computes, so the average stays one lineage's weights.
    keys = {k: v for ck in cks for k, v in ck["state"].items()}
    state = {k: sum(wi * ck["state"].get(k, torch.zeros_like(v)).float() for wi, ck in zip(w, cks)) for k, v in keys.items()}
    base = max(cks, key=lambda ck: len(ck["state"]))  # metadata of the checkpoint with every input
    out = {**base, "state": state, "soup": {"from": [os.path.basename(p) for p in a.ckpts], "weights": w}}
    torch.save(out, os.path.join(a.work, f"ckpt-{a.out}.pt"))
    print(f"wrote ckpt-{a.out}.pt from {len(cks)} checkpoints, weights {w}")


if __name__ == "__main__":
    main()
