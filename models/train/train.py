"""Train the PHI NER encoder on CPU.

/usr/bin/python3 models/train/train.py --work models/train/work --layers 3 --hidden 160 --epochs 3

Evaluates on the patient-level validation split of the dev gold notes after every epoch
(read from ../shared/gold at run time; skipped with a message when absent) and on the
held-out synthetic notes. Writes work/ckpt-<name>.pt and work/metrics-<name>.json.
"""
import argparse
import json
import math
import os
import random
import shutil
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import PhiNer
from phi_eval import encode_note, fmt, load_validation, score, word_predictions
from phi_text import WordPiece, load_vocab, set_lexicon

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def batches(wins, bs, rng):
    idx = list(range(len(wins)))
    rng.shuffle(idx)
    out = []
    chunk = bs * 50
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c:c + chunk], key=lambda i: len(wins[i][0]))
        out += [part[i:i + bs] for i in range(0, len(part), bs)]
    rng.shuffle(out)
    return out


def collate(wins, ids, noise=0.0, vocab=0, gen=None, entity_noise=0.0, case_noise=0.0, nshapes=0, lex_noise=(0.0, 0.0), unknown=0):
    L = max(len(wins[i][0]) for i in ids)
    x = torch.zeros(len(ids), L, dtype=torch.long)
    m = torch.zeros(len(ids), L, dtype=torch.long)
    y = torch.full((len(ids), L), -100, dtype=torch.long)
    z = torch.zeros(len(ids), L, dtype=torch.long)
    for r, i in enumerate(ids):
        a, b, c = wins[i]
        x[r, :len(a)] = torch.tensor(a); m[r, :len(a)] = 1; y[r, :len(b)] = torch.tensor(b); z[r, :len(c)] = torch.tensor(c)
    lex = None
    if nshapes:
        # phi-ner/3 ids carry shape + nshapes * word-list class; noise works on the parts
        lex = torch.div(z, nshapes, rounding_mode="floor"); z = z - lex * nshapes
    if case_noise > 0:
        # Case noise: some windows are re-cased as a whole (ALL CAPS or lower case), so the model
        # learns names from context too and does not depend on capitalisation being present.
        for r in range(len(ids)):
            u = float(torch.rand(1, generator=gen))
            if u < case_noise * 0.7:
                z[r][(z[r] == 1) | (z[r] == 2)] = 3
            elif u < case_noise:
                z[r][(z[r] >= 2) & (z[r] <= 4)] = 1
    if lex is not None:
        # Word-list noise: the surrogate names are all from public lists, real ones often are
        # not; some PHI words (and a few others) are shown as "unknown" so the model keeps
        # reading context and does not learn "in a name list = name". All pieces of a word at once.
        p_phi, p_o = lex_noise
        first = y != -100
        hit = first & (((y > 0) & (torch.rand(y.shape, generator=gen) < p_phi)) | ((y == 0) & (torch.rand(y.shape, generator=gen) < p_o)))
        hit = hit & (lex > 0) & (lex != 6)
        word = torch.cumsum(first.long(), dim=1)  # word index per position (pieces share it)
        for r, c in hit.nonzero().tolist():
            lex[r][(word[r] == word[r, c]) & (lex[r] > 0)] = unknown
        z = z + lex * nshapes
    if noise > 0:
        # Context-word noise: first pieces of non-PHI words are swapped for random vocabulary
        # ids, so the model cannot memorise the few real note texts it sees many times
        # (re-surrogated copies share their context) and must rely on general cues.
        hit = (y == 0) & (torch.rand(y.shape, generator=gen) < noise)
        x[hit] = torch.randint(5, vocab, (int(hit.sum()),), generator=gen)
    if entity_noise > 0:
        # Value noise: the first piece of a PHI word is sometimes a random vocabulary id, so
        # common words used as names ("Smith", "Mary") must be found from their context and
        # the model cannot learn "rare, many-piece word = PHI" from public-list surrogates.
        hit = (y > 0) & (torch.rand(y.shape, generator=gen) < entity_noise)
        x[hit] = torch.randint(5, vocab, (int(hit.sum()),), generator=gen)
    return x, m, y, z


@torch.no_grad()
def evaluate(model, notes, wp, max_len, o_threshold=None):
    model.eval()
    preds = []
    for n in notes:
        ws, wins, where, shapes = encode_note(n["text"], wp, max_len)
        logits = []
        for w, z in zip(wins, shapes):
            x = torch.tensor([w]); logits.append(model(x, torch.ones_like(x), torch.tensor([z]))[0].numpy())
        preds.append(word_predictions(ws, where, logits, o_threshold))
    model.train()
    return score(notes, preds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default=os.path.join(HERE, "work"))
    ap.add_argument("--model-dir", default=os.path.join(ROOT, "models", "phi-ner"))
    ap.add_argument("--gold", default=os.path.join(ROOT, "..", "shared", "gold", "physionet-deid-dev.jsonl"))
    ap.add_argument("--heldout", default=os.path.join(ROOT, "corpora", "synthetic", "heldout.jsonl"))
    ap.add_argument("--name", default="main")
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--hidden", type=int, default=160)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--entity-weight", type=float, default=2.5)
    ap.add_argument("--aux-fraction", type=float, default=1.0, help="share of aux windows used per epoch")
    ap.add_argument("--max-minutes", type=float, default=50)
    ap.add_argument("--synthetic-fraction", type=float, default=1.0, help="share of synthetic windows used per epoch")
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--context-noise", type=float, default=0.12)
    ap.add_argument("--entity-noise", type=float, default=0.0)
    ap.add_argument("--case-noise", type=float, default=0.15, help="share of windows re-cased as a whole")
    ap.add_argument("--keep-epochs", action="store_true", help="also keep each epoch's checkpoint as ckpt-NAME-epN.pt")
    ap.add_argument("--lex-noise", type=float, nargs=2, default=[0.3, 0.05], help="share of PHI / other words shown as unknown (phi-ner/3)")
    ap.add_argument("--shapes", type=int, default=8, help="case-shape classes (phi_text.SHAPES); 0 = no shape input")
    ap.add_argument("--resurrogated-fraction", type=float, default=1.0, help="share of re-surrogated windows used per epoch")
    ap.add_argument("--init", default=None, help="start from this checkpoint (fine-tuning stage)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed); random.seed(a.seed)
    rng = random.Random(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    data = torch.load(os.path.join(a.work, "windows.pt"))
    labels, max_len = data["labels"], data["max_len"]
    lexicon = data.get("lexicon") or []
    if lexicon:
        set_lexicon(data["lexicon_path"])  # validation windows need the same classes
        print(f"word-list classes {lexicon}", flush=True)
    wins = []
    for name, ws in data["sets"].items():
        if name in ("presidio", "tab"):
            ws = [w for w in ws if rng.random() < a.aux_fraction]
        if name == "synthetic":
            ws = [w for w in ws if rng.random() < a.synthetic_fraction]
        if name == "resurrogated":
            ws = [w for w in ws if rng.random() < a.resurrogated_fraction]
        wins += ws
    print(f"windows per epoch {len(wins)}", flush=True)
    wp = WordPiece(load_vocab(os.path.join(a.model_dir, "tokenizer.json")))
    val = load_validation(a.gold, os.path.join(a.model_dir, "split.json")) if os.path.exists(a.gold) else None
    if val is None:
        print("gold notes not found: validation on the dev split skipped", flush=True)
    held = [json.loads(l) for l in open(a.heldout)] if os.path.exists(a.heldout) else []

    model = PhiNer(data["vocab_size"], len(labels), a.hidden, a.layers, a.heads, 4 * a.hidden, max_len, shapes=a.shapes,
                   lexicon=len(lexicon))
    if a.init:
        missing, _ = model.load_state_dict(torch.load(a.init)["state"], strict=False)
        if model.shape is not None and "shape.weight" in missing:
            # a checkpoint from before the shape input: start its embedding at zero, so the
            # first steps compute exactly what the checkpoint did
            torch.nn.init.zeros_(model.shape.weight)
        if model.lex is not None and "lex.weight" in missing:
            # likewise the word-list embedding: starts at zero, the checkpoint's behaviour intact
            torch.nn.init.zeros_(model.lex.weight)
        print(f"initialised from {a.init} (new: {missing})", flush=True)
    nparams = sum(p.numel() for p in model.parameters())
    print(f"model {a.layers}x{a.hidden} params {nparams}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() > 1]
    no_decay = [p for n, p in model.named_parameters() if p.dim() <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=a.lr)
    steps_per_epoch = math.ceil(len(wins) / a.batch)
    total = int(steps_per_epoch * a.epochs)
    warm = max(1, min(a.warmup, total // 10))
    t0 = time.time()

    def lr_factor(s):
        # linear decay over whichever runs out first: the planned steps or the time budget,
        # so a run cut by --max-minutes still ends with a decayed learning rate
        progress = max(s / total, (time.time() - t0) / 60 / a.max_minutes)
        return min(1.0, (s + 1) / warm) * max(0.02, 1 - progress)

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    weight = torch.full((len(labels),), a.entity_weight); weight[0] = 1.0
    lossf = torch.nn.CrossEntropyLoss(weight=weight, ignore_index=-100)

    step = 0; seen = 0; history = []
    done = False
    epoch = 0
    while not done:
        epoch += 1
        run = 0.0
        for bi, ids in enumerate(batches(wins, a.batch, rng)):
            x, m, y, z = collate(wins, ids, a.context_noise, data["vocab_size"], gen, a.entity_noise, a.case_noise,
                                 a.shapes if lexicon else 0, a.lex_noise, lexicon.index("unknown") if lexicon else 0)
            loss = lossf(model(x, m, z).reshape(-1, len(labels)), y.reshape(-1))
            opt.zero_grad(); loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); sched.step(); step += 1; seen += len(ids)
            run = 0.98 * run + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 50 == 0:
                el = time.time() - t0
                print(f"ep {epoch} step {step}/{total} loss {run:.4f} lr {sched.get_last_lr()[0]:.2e} "
                      f"{seen/el:.1f} seq/s {el/60:.1f} min", flush=True)
            if step >= total or (time.time() - t0) / 60 > a.max_minutes:
                done = True
                break
        torch.save({"state": model.state_dict(), "args": vars(a), "labels": labels, "vocab_size": data["vocab_size"],
                    "max_len": max_len, "step": step, "shapes": a.shapes,
                    "lexicon": lexicon, "lexicon_path": data.get("lexicon_path")}, os.path.join(a.work, f"ckpt-{a.name}.pt"))
        if a.keep_epochs:
            shutil.copyfile(os.path.join(a.work, f"ckpt-{a.name}.pt"), os.path.join(a.work, f"ckpt-{a.name}-ep{epoch}.pt"))
        rec = {"epoch": epoch, "step": step, "minutes": (time.time() - t0) / 60}
        if val:
            r = evaluate(model, val, wp, max_len); rec["validation"] = r
            print(f"== epoch {epoch} validation (dev gold, patient split)\n" + fmt(r), flush=True)
        if held and (done or epoch % 2 == 0):
            r = evaluate(model, held[:300], wp, max_len); rec["heldout_synthetic"] = r
            print(f"== epoch {epoch} held-out synthetic\n" + fmt(r), flush=True)
        history.append(rec)
        json.dump({"args": vars(a), "params": nparams, "train_minutes": (time.time() - t0) / 60, "history": history},
                  open(os.path.join(a.work, f"metrics-{a.name}.json"), "w"), indent=1)
    print(f"done in {(time.time()-t0)/60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
