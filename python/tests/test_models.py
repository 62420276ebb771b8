"""Decoder language models (random small GPT-2 and Llama configurations, no download):
adapters on attention and MLP projections, the causal-LM loss goes down on a small corpus,
merged and unmerged outputs agree, generation runs, and the saved adapter reloads."""

import importlib.util
import os

import pytest
import torch

import qpeft_torch
from conftest import ROOT
from helpers import qpeft_layers

spec = importlib.util.spec_from_file_location("train_causal_lm", os.path.join(ROOT, "python", "scripts", "train_causal_lm.py"))
tcl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tcl)


@pytest.mark.parametrize("kind", ["tiny-gpt2", "tiny-llama"])
def test_decoder_adapters(kind, qpeft_bin, tmp_path):
    from peft import PeftModel, get_peft_model

    torch.set_num_threads(1)
    model, targets, _ = tcl.build_model(kind, seed=0, dtype=torch.float32)
    pm = get_peft_model(model, qpeft_torch.QuantumPEFTConfig(target_modules=targets, rank=4, layers=1, seed=1))
    layers = qpeft_layers(pm)
    kinds = {type(l.get_base_layer()).__name__ for l in layers.values()}
    assert kinds == ({"Conv1D"} if kind == "tiny-gpt2" else {"Linear"})
    assert any("attn" in n for n in layers) and any("mlp" in n for n in layers)
    data = tcl.token_blocks(tcl.CORPUS, 32)
    opt = torch.optim.Adam([p for p in pm.parameters() if p.requires_grad], lr=0.05)
    g = torch.Generator().manual_seed(0)
    losses = []
    for step in range(30):
        batch = data[torch.randint(0, data.shape[0], (8,), generator=g)]
        opt.zero_grad()
        loss = pm(input_ids=batch, labels=batch).loss
        loss.backward()
        opt.step()
        losses.append(loss.item())
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    print(f"{kind}: loss {first:.3f} → {last:.3f} over 30 steps")
    assert last < first - 0.1, f"loss did not go down: {losses}"
    pm.eval()
    x = data[:2]
    with torch.no_grad():
        y = pm(input_ids=x).logits
        pm.base_model.merge_adapter()
        ym = pm(input_ids=x).logits
        pm.base_model.unmerge_adapter()
        yu = pm(input_ids=x).logits
    assert (ym - y).abs().max().item() < 1e-4
    assert (yu - y).abs().max().item() < 1e-4
    out = pm.generate(input_ids=x[:1, :8], max_new_tokens=6, do_sample=False, pad_token_id=0)
    assert out.shape == (1, 14)
    d = str(tmp_path / "adapter")
    pm.save_pretrained(d)
    base, _, _ = tcl.build_model(kind, seed=0, dtype=torch.float32)
    back = PeftModel.from_pretrained(base, d)
    with torch.no_grad():
        assert (back(input_ids=x).logits - y).abs().max().item() < 1e-5
