"""Export a checkpoint to ONNX, write an int8 twin, and the shipped config.

/usr/bin/python3 models/train/export.py --name main            # -> work/main.fp32.onnx, work/main.int8.onnx, work/verify-main.json
/usr/bin/python3 models/train/export.py --name main --ship int8  # copy the chosen file to models/phi-ner/model.onnx + config.json

The int8 rewrite is ONNX Runtime's dynamic quantization done by hand with `onnx` + numpy
(torch 1.13's quantized modules do not export): each MatMul whose right operand is a float
weight initializer becomes DynamicQuantizeLinear(x) -> MatMulInteger(x_q, W_q) -> Cast ->
Mul(x_scale * w_scale), with W quantized symmetrically to int8 per output column.
Attention MatMuls (both operands activations), embeddings and LayerNorms stay float.
"""
import argparse
import datetime
import hashlib
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import PhiNer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def load(ckpt_path):
    ck = torch.load(ckpt_path)
    a = ck["args"]
    m = PhiNer(ck["vocab_size"], len(ck["labels"]), a["hidden"], a["layers"], a["heads"], 4 * a["hidden"], ck["max_len"],
               shapes=ck.get("shapes", 0), lexicon=len(ck.get("lexicon") or []))
    m.load_state_dict(ck["state"])
    m.eval()
    return m, ck


def feature_ids(model):
    """How many distinct shape_ids the model reads: shapes, times word-list classes (phi-ner/3)."""
    return model.nshapes * (model.lex.num_embeddings if model.lex is not None else 1)


def export_fp32(model, path, max_len):
    x = torch.randint(5, 100, (2, 16)); mask = torch.ones_like(x)
    args, names = (x, mask), ["input_ids", "attention_mask"]
    if model.shape is not None:
        args, names = (x, mask, torch.randint(0, feature_ids(model), (2, 16))), names + ["shape_ids"]
    torch.onnx.export(model, args, path, input_names=names, output_names=["logits"],
                      dynamic_axes={**{n: {0: "batch", 1: "seq"} for n in names}, "logits": {0: "batch", 1: "seq"}},
                      opset_version=14, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))


def quantize_int8(src, dst):
    g = onnx.load(src)
    graph = g.graph
    inits = {i.name: i for i in graph.initializer}
    new_nodes, drop_inits, add_inits = [], set(), []
    n_q = 0
    for node in graph.node:
        w = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if w is None or len(w.dims) != 2:
            new_nodes.append(node)
            continue
        W = numpy_helper.to_array(w).astype(np.float32)
        scale = np.maximum(np.abs(W).max(axis=0), 1e-8) / 127.0
        Wq = np.clip(np.round(W / scale), -127, 127).astype(np.int8)
        base = f"q{n_q}_{node.name or 'matmul'}".replace("/", "_").replace(":", "_")
        n_q += 1
        add_inits += [numpy_helper.from_array(Wq, base + "_Wq"), numpy_helper.from_array(scale.astype(np.float32), base + "_Wscale")]
        drop_inits.add(w.name)
        x = node.input[0]
        new_nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [base + "_xq", base + "_xs", base + "_xz"], name=base + "_dql"),
            helper.make_node("MatMulInteger", [base + "_xq", base + "_Wq", base + "_xz"], [base + "_i32"], name=base + "_mmi"),
            helper.make_node("Cast", [base + "_i32"], [base + "_f"], to=TensorProto.FLOAT, name=base + "_cast"),
            helper.make_node("Mul", [base + "_xs", base + "_Wscale"], [base + "_s"], name=base + "_scale"),
            helper.make_node("Mul", [base + "_f", base + "_s"], list(node.output), name=base + "_mul"),
        ]
    # a weight shared with a non-quantized use must stay
    still_used = {i for n in new_nodes for i in n.input}
    keep = [i for i in graph.initializer if i.name not in drop_inits or i.name in still_used]
    del graph.initializer[:]
    graph.initializer.extend(keep + add_inits)
    del graph.node[:]
    graph.node.extend(new_nodes)
    onnx.checker.check_model(g)
    onnx.save(g, dst)
    return n_q


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="main")
    ap.add_argument("--work", default=os.path.join(HERE, "work"))
    ap.add_argument("--model-dir", default=os.path.join(ROOT, "models", "phi-ner"))
    ap.add_argument("--ship", choices=["fp32", "int8"], default=None)
    a = ap.parse_args()
    torch.set_num_threads(2)
    model, ck = load(os.path.join(a.work, f"ckpt-{a.name}.pt"))
    fp32 = os.path.join(a.work, f"{a.name}.fp32.onnx")
    int8 = os.path.join(a.work, f"{a.name}.int8.onnx")
    if a.ship is None:
        export_fp32(model, fp32, ck["max_len"])
        n = quantize_int8(fp32, int8)
        print(f"exported {fp32} ({os.path.getsize(fp32)/1e6:.1f} MB), int8 {int8} ({os.path.getsize(int8)/1e6:.1f} MB, {n} MatMuls)")
        # reference logits from torch for the node-side comparison (verify_onnx.mjs)
        g = torch.Generator().manual_seed(1)
        cases = []
        for b, s in [(1, 7), (2, 64), (3, 256)]:
            x = torch.randint(5, ck["vocab_size"], (b, s), generator=g)
            m = torch.ones_like(x)
            z = torch.randint(0, feature_ids(model), (b, s), generator=g)
            if b > 1:
                m[-1, s // 2:] = 0
                x[-1, s // 2:] = 0
                z[-1, s // 2:] = 0
            with torch.no_grad():
                y = model(x, m, z if model.shape is not None else None)
            case = {"input_ids": x.tolist(), "attention_mask": m.tolist(), "logits": y.tolist()}
            if model.shape is not None:
                case["shape_ids"] = z.tolist()
            cases.append(case)
        json.dump(cases, open(os.path.join(a.work, f"verify-{a.name}.json"), "w"))
        return
    src = fp32 if a.ship == "fp32" else int8
    dst = os.path.join(a.model_dir, "model.onnx")
    shutil.copyfile(src, dst)
    tok = json.load(open(os.path.join(a.model_dir, "tokenizer.json")))
    metrics_path = os.path.join(a.work, f"metrics-{a.name}.json")
    metrics = json.load(open(metrics_path)) if os.path.exists(metrics_path) else {}
    args = ck["args"]
    from phi_text import SHAPES
    shaped = ck.get("shapes", 0) > 0
    lexicon = ck.get("lexicon") or []
    cfg = {
        "format": "phi-ner/3" if lexicon else "phi-ner/2" if shaped else "phi-ner/1",
        "labels": ck["labels"],
        "max_length": ck["max_len"],
        "model_file": "model.onnx",
        "sha256": sha256(dst),
        "vocab_size": len(tok["model"]["vocab"]),
        "lowercase": True,
        **({"shapes": SHAPES} if shaped else {}),
        **({"lexicon": lexicon} if lexicon else {}),
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "training": {
            "architecture": f"BERT-style encoder, {args['layers']} layers x {args['hidden']} hidden, {args['heads']} heads, FFN {4*args['hidden']}",
            "weights": "int8 weight MatMuls (dynamic activation quantization)" if a.ship == "int8" else "float32",
            "params": metrics.get("params"),
            "epochs": args["epochs"], "steps": ck["step"], "batch": args["batch"], "lr": args["lr"],
            "entity_weight": args["entity_weight"], "seed": args["seed"],
            "train_minutes": round(metrics.get("train_minutes", 0), 1),
            "data": "dev gold train split re-surrogated (public-list values), corpora/generator synthetic notes, presidio-synth + tab-echr (MIT)",
            "word_split": "[\\p{L}\\p{N}\\p{M}]+|[^\\p{L}\\p{N}\\p{M}\\s] (each word tokenized alone; label on first piece)",
            **({"lexicon_noise": args.get("lex_noise"),
                "lexicon_source": "src/detect/dictionaries/wordClass.ts over the word lists of src/node/assets/wordLists.ts"} if lexicon else {}),
        },
    }
    json.dump(cfg, open(os.path.join(a.model_dir, "config.json"), "w"), indent=1)
    print(f"shipped {src} -> {dst} sha256 {cfg['sha256']}")


if __name__ == "__main__":
    main()
