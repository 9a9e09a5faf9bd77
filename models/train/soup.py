"""Average the weights of checkpoints of one lineage (a "model soup": Wortsman et al. 2022).

/usr/bin/python3 models/train/soup.py --out soup-v5v8 work/ckpt-v5-final.pt work/ckpt-v8.pt [--weights 0.5 0.5]

Only for checkpoints fine-tuned from one another (same shapes, same start): their average often
generalises better than either. Writes work/ckpt-<out>.pt with the first checkpoint's metadata.
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
    state = {k: sum(wi * ck["state"][k].float() for wi, ck in zip(w, cks)) for k in cks[0]["state"]}
    out = {**cks[0], "state": state, "soup": {"from": [os.path.basename(p) for p in a.ckpts], "weights": w}}
    torch.save(out, os.path.join(a.work, f"ckpt-{a.out}.pt"))
    print(f"wrote ckpt-{a.out}.pt from {len(cks)} checkpoints, weights {w}")


if __name__ == "__main__":
    main()
