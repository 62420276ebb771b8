#!/usr/bin/env python3
"""Fine-tune a causal language model with qpeft's Quantum-PEFT adapters, on one process or many.

    # one process (CPU or one GPU)
    python python/scripts/train_causal_lm.py --model tiny-gpt2 --out adapter
    # DDP, N processes on this machine (gloo on CPU, nccl on GPUs)
    torchrun --nproc_per_node N python/scripts/train_causal_lm.py --model tiny-llama --out adapter
    accelerate launch --num_processes N python/scripts/train_causal_lm.py ...
    # several machines: torchrun --nnodes M --node_rank R --master_addr HOST --nproc_per_node N ...

--model is a local Hugging Face model directory, or tiny-gpt2 / tiny-llama (randomly initialised
small configurations built from transformers configs, no download). --data is a text file (byte
level tokens for the tiny models, the model's tokenizer otherwise); without it a built-in corpus
is used. The global batch (--batch) is split evenly over the processes: rank r takes sequences
r, r+W, r+2W, … of each step's global batch, and DDP averages the gradients, so any number of
processes computes the same update as one (to floating-point summation order). The adapter is
saved by rank 0 in qpeft's format (read by `qpeft export --adapter`, peft.Load, and
PeftModel.from_pretrained). --dtype bfloat16 keeps the frozen model in bf16 (adapter angles
float32).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import qpeft_torch  # noqa: E402

CORPUS = (
    "Quantum circuits can parameterise orthogonal matrices with few angles. "
    "A weight update is the product of two such matrices and a diagonal of scales. "
    "The frozen model keeps its weights; the adapter learns a low rank correction. "
    "Training runs on many machines when the model is large, and the adapter stays small. "
) * 8


def build_model(kind: str, seed: int, dtype: torch.dtype):
    from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    if kind == "tiny-gpt2":
        cfg = GPT2Config(vocab_size=256, n_positions=128, n_embd=64, n_layer=2, n_head=4,
                         resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
        return GPT2LMHeadModel(cfg).to(dtype), ["c_attn", "c_proj", "c_fc"], None
    if kind == "tiny-llama":
        cfg = LlamaConfig(vocab_size=256, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                          attention_dropout=0.0)
        return LlamaForCausalLM(cfg).to(dtype), ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], None
    from transformers import AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(kind, torch_dtype=dtype)
    return model, None, AutoTokenizer.from_pretrained(kind)


def token_blocks(text: str, seq: int, tokenizer=None) -> torch.Tensor:
    ids = tokenizer(text)["input_ids"] if tokenizer is not None else list(text.encode())
    n = len(ids) // seq
    if n < 1:
        raise SystemExit(f"the corpus has {len(ids)} tokens, fewer than one sequence of {seq}")
    return torch.tensor(ids[: n * seq], dtype=torch.long).view(n, seq)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="tiny-gpt2")
    ap.add_argument("--data", default="", help="a text file (default: a built-in corpus)")
    ap.add_argument("--targets", default="", help="comma-separated module names (default: attention and MLP projections)")
    ap.add_argument("--rank", type=int, default=4)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--ansatz", default="pauli", help="pauli or a path to an OpenQASM ansatz")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=8, help="global batch (sequences per step, over all processes)")
    ap.add_argument("--seq", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64", "bfloat16"])
    ap.add_argument("--out", required=True, help="adapter directory to write")
    ap.add_argument("--loss-log", default="", help="write the per-step losses as JSON here (rank 0)")
    a = ap.parse_args(argv)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    device = torch.device(f"cuda:{local}") if cuda else torch.device("cpu")
    if world > 1:
        dist.init_process_group(backend="nccl" if cuda else "gloo")
    if a.batch % world:
        raise SystemExit(f"--batch {a.batch} must be a multiple of the {world} processes")
    dtype = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16}[a.dtype]

    from peft import get_peft_model

    model, targets, tok = build_model(a.model, a.seed, dtype)
    if a.targets:
        targets = a.targets.split(",")
    if not targets:
        raise SystemExit("--targets is required for a model directory")
    cfg = qpeft_torch.QuantumPEFTConfig(target_modules=targets, rank=a.rank, layers=a.layers, ansatz=a.ansatz,
                                        seed=a.seed)
    pm = get_peft_model(model, cfg).to(device)
    text = open(a.data).read() if a.data else CORPUS
    data = token_blocks(text, a.seq, tok)
    net = pm
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(pm, device_ids=[local] if cuda else None)
    params = [p for p in pm.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=a.lr)
    g = torch.Generator().manual_seed(a.seed)
    losses = []
    t0 = time.time()
    for step in range(1, a.steps + 1):
        idx = torch.randint(0, data.shape[0], (a.batch,), generator=g)  # same on every rank
        mine = data[idx[rank::world]].to(device)
        qpeft_torch.qpeft_on_step(pm, step)
        opt.zero_grad(set_to_none=True)
        out = net(input_ids=mine, labels=mine)
        out.loss.backward()
        opt.step()
        loss = out.loss.detach().to(torch.float64)
        if world > 1:
            dist.all_reduce(loss)
            loss /= world
        losses.append(loss.item())
        if rank == 0 and (step == 1 or step % max(1, a.steps // 5) == 0 or step == a.steps):
            print(f"step {step}/{a.steps}: loss {losses[-1]:.4f} ({time.time() - t0:.1f} s)", flush=True)
    if rank == 0:
        pm.save_pretrained(a.out)
        if a.loss_log:
            with open(a.loss_log, "w") as f:
                json.dump({"losses": losses, "world": world, "seconds": time.time() - t0}, f)
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
