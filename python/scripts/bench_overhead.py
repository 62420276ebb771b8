#!/usr/bin/env python3
"""Adapter step overhead on one N x N layer (docs/benchmarks.md, "PyTorch adapters").

    python python/scripts/bench_overhead.py [--n 4096] [--tokens 2048] [--ranks 8,64] [--threads 1]

For a frozen nn.Linear(N, N) (float32, CPU unless --device) and a batch of `tokens` rows, it
times one training step (forward, backward to the input and to the adapter parameters):

  frozen    y = W0·x                          (backward: ∂ℓ/∂x only)
  lora r    y = W0·x + (α/r)·B·A·x            (Hugging Face PEFT's LoRA layer)
  qpeft K   y = W0·x + U·diag(d)·Vᵀ·x          (qpeft_torch, Pauli ansatz L=1; U, V rebuilt each step)

and reports the minimum over --reps steps of each, the overhead of every adapter over the
frozen step, and the ratio of Quantum-PEFT's overhead to LoRA's at the same rank. Because the
overhead is a small difference of two large times, the adapter path is also timed on its own
(the same step without the frozen product). Activation memory: the bytes autograd saves for the
adapter path, against N².
"""

import argparse
import json
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import qpeft_torch  # noqa: E402


def saved_bytes(fn):
    total = [0]

    def pack(t):
        total[0] += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    return out, total[0]


def time_interleaved(steps, reps):
    """Minimum time of each (fn, params) step over reps rounds; every round runs all of them, in
    a rotating order, so that a change in machine load hits all alike. Round 0 warms up."""
    best = [float("inf")] * len(steps)
    for i in range(reps + 1):
        for j in range(len(steps)):
            k = (i + j) % len(steps)
            fn, ps = steps[k]
            for p in ps:
                p.grad = None
            t = time.perf_counter()
            fn().backward()
            if i > 0:
                best[k] = min(best[k], time.perf_counter() - t)
    return best


def time_pair(fa, pa, fb, pb, reps):
    return tuple(time_interleaved([(fa, pa), (fb, pb)], reps))


def time_step(fn, params, reps):
    best = float("inf")
    for _ in range(reps + 1):  # the first run warms up
        for p in params:
            p.grad = None
        t = time.perf_counter()
        fn().backward()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--tokens", type=int, default=2048)
    ap.add_argument("--ranks", default="8,64")
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    from peft import LoraConfig, get_peft_model

    dev = torch.device(a.device)
    torch.manual_seed(0)
    x = torch.randn(a.tokens, a.n, device=dev, requires_grad=True)
    gy = torch.randn(a.tokens, a.n, device=dev)
    base = nn.Sequential(nn.Linear(a.n, a.n, bias=False)).to(dev)
    base.requires_grad_(False)

    def loss_of(y):
        return (y * gy).sum()

    res = {"n": a.n, "tokens": a.tokens, "threads": torch.get_num_threads(), "device": a.device,
           "torch": torch.__version__}
    rows = []
    for r in [int(v) for v in a.ranks.split(",")]:
        import copy

        lora = get_peft_model(copy.deepcopy(base), LoraConfig(r=r, lora_alpha=r, target_modules=["0"], init_lora_weights=False))
        ll = lora.base_model.model[0]
        qp = get_peft_model(copy.deepcopy(base), qpeft_torch.QuantumPEFTConfig(target_modules=["0"], rank=r, layers=a.layers, seed=1))
        ql = qp.base_model.model[0]
        with torch.no_grad():
            ql.qpeft_lambda["default"].normal_()
        lp = [p for p in lora.parameters() if p.requires_grad] + [x]
        qpp = [p for p in qp.parameters() if p.requires_grad] + [x]
        t_frozen, t_lora, t_q = time_interleaved([(lambda: loss_of(base(x)), [x]), (lambda: loss_of(lora(x)), lp),
                                                  (lambda: loss_of(qp(x)), qpp)], a.reps)

        def lora_path():
            return loss_of(ll.lora_B["default"](ll.lora_A["default"](x)) * ll.scaling["default"])

        def q_path():
            return loss_of(ql._adapter_out(x, "default"))

        p_lora, p_q = time_pair(lora_path, lp, q_path, qpp, 4 * a.reps)
        _, m_lora = saved_bytes(lora_path)
        _, m_q = saved_bytes(q_path)
        _, m_uv = saved_bytes(lambda: sum(t.sum() for t in ql.factors("default")))
        row = {"rank": r, "frozen_step_s": t_frozen, "lora_step_s": t_lora, "qpeft_step_s": t_q,
               "lora_overhead": t_lora / t_frozen - 1, "qpeft_overhead": t_q / t_frozen - 1,
               "overhead_ratio": (t_q - t_frozen) / (t_lora - t_frozen),
               "lora_path_s": p_lora, "qpeft_path_s": p_q, "path_ratio": p_q / p_lora,
               "lora_saved_bytes": m_lora, "qpeft_saved_bytes": m_q, "qpeft_uv_saved_bytes": m_uv,
               "n2_bytes": a.n * a.n * 4}
        rows.append(row)
    res["rows"] = rows
    print(f"N = {a.n}, batch x seq = {a.tokens}, {a.device}, float32, {res['threads']} thread(s), torch {torch.__version__}")
    print("| rank | frozen step | LoRA step | Q-PEFT step | LoRA overhead | Q-PEFT overhead | overhead ratio | LoRA path | Q-PEFT path | path ratio | saved: LoRA path | saved: Q-PEFT path (U,V build) | N² |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for w in rows:
        print(f"| {w['rank']} | {w['frozen_step_s']*1e3:.0f} ms | {w['lora_step_s']*1e3:.0f} ms | {w['qpeft_step_s']*1e3:.0f} ms | {w['lora_overhead']*100:.1f}% | "
              f"{w['qpeft_overhead']*100:.1f}% | {w['overhead_ratio']:.2f}x | {w['lora_path_s']*1e3:.1f} ms | {w['qpeft_path_s']*1e3:.1f} ms | "
              f"{w['path_ratio']:.2f}x | {w['lora_saved_bytes']/2**20:.1f} MiB | {w['qpeft_saved_bytes']/2**20:.1f} MiB ({w['qpeft_uv_saved_bytes']/2**20:.1f} MiB) | {w['n2_bytes']/2**20:.0f} MiB |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
