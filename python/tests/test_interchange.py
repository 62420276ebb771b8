"""The directory PEFT's save_pretrained writes is qpeft's format: the Go toolkit reads it
(peft.Load) and gets the same ΔW to 1e-12, the same exported circuits and LoRA files as from
its own copy; merge/unmerge, K′ pruning and quantisation behave as in Go."""

import filecmp
import json
import os

import pytest
import torch
from safetensors.torch import load_file
from torch import nn
from transformers.pytorch_utils import Conv1D

import qpeft_torch
from conftest import run
from helpers import qpeft_layers


class Mixed(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 8, 3, padding=1, dtype=torch.float64)
        self.fc = nn.Linear(8 * 4 * 4, 24, dtype=torch.float64)
        self.c_attn = Conv1D(48, 24).double()
        self.out = nn.Linear(48, 12, dtype=torch.float64)

    def forward(self, x):
        h = torch.relu(self.conv(x)).flatten(1)
        h = torch.tanh(self.fc(h))
        return self.out(torch.tanh(self.c_attn(h)))


def _train(cfg, steps=4, seed=0):
    from peft import get_peft_model

    model = Mixed()
    pm = get_peft_model(model, cfg)
    opt = torch.optim.Adam([p for p in pm.parameters() if p.requires_grad], lr=0.05)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(5, 3, 4, 4, generator=g, dtype=torch.float64)
    y = torch.randn(5, 12, generator=g, dtype=torch.float64)
    losses = []
    for step in range(1, steps + 1):
        qpeft_torch.qpeft_on_step(pm, step)
        opt.zero_grad()
        loss = ((pm(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return pm, x, losses


CFGS = {
    "pauli": dict(rank=4, layers=2),
    "quant-prune": dict(rank=6, layers=1, quant_bits=6, active_rank=3, prune_step=2, alpha=3.0),
    "full-cs": dict(rank=3, layers=1, cs_mode="full"),
}


@pytest.mark.parametrize("name", sorted(CFGS))
def test_torch_dir_read_by_go(name, qpeft_bin, torchref, tmp_path):
    cfg = qpeft_torch.QuantumPEFTConfig(target_modules=["conv", "fc", "c_attn", "out"], seed=3, **CFGS[name])
    pm, x, losses = _train(cfg)
    d = str(tmp_path / "torch")
    pm.save_pretrained(d)
    ref = str(tmp_path / "ref.safetensors")
    run(torchref, "ref", d, ref)
    ref = load_file(ref)
    layers = qpeft_layers(pm)
    for mname, layer in layers.items():
        dw = layer.delta_weight_matrix("default").detach()
        err = (dw - ref[f"{mname}.dW"]).abs().max().item()
        assert err <= 1e-12, f"{name} {mname}: Go ΔW vs torch: {err:.3g}"
        assert dw.abs().max().item() > 0, "training moved ΔW"
    if CFGS[name].get("prune_step"):
        for layer in layers.values():
            assert len(layer.qpeft_active["default"]) == 3
    # A Go-written copy (peft.Load then Save) of the same adapter: same tensors, same config,
    # same exported circuits and LoRA files.
    gocopy = str(tmp_path / "go")
    run(torchref, "resave", d, gocopy)
    with open(os.path.join(d, "adapter_config.json")) as f:
        mine = json.load(f)
    with open(os.path.join(gocopy, "adapter_config.json")) as f:
        theirs = json.load(f)
    assert mine == theirs
    a, b = load_file(os.path.join(d, "adapter_model.safetensors")), load_file(os.path.join(gocopy, "adapter_model.safetensors"))
    assert sorted(a) == sorted(b) and all(torch.equal(a[k], b[k]) for k in a)
    for src, out in ((d, tmp_path / "exp_t"), (gocopy, tmp_path / "exp_g")):
        run(qpeft_bin, "export", "--adapter", src, "--target", "qasm3", "-o", str(out))
    cmp = filecmp.dircmp(tmp_path / "exp_t", tmp_path / "exp_g")
    assert cmp.left_list and not cmp.diff_files and not cmp.left_only and not cmp.right_only
    # LoRA export from the torch directory: lora_B·lora_A = ΔW (PEFT's scale α/r = 1).
    lora = str(tmp_path / "lora")
    run(torchref, "lora", d, lora)
    w = load_file(os.path.join(lora, "adapter_model.safetensors"))
    for mname, layer in layers.items():
        A = w[f"base_model.model.{mname}.lora_A.weight"]
        B = w[f"base_model.model.{mname}.lora_B.weight"]
        dw = layer.delta_weight_matrix("default").detach()
        err = (B.reshape(B.shape[0], -1) @ A.reshape(A.shape[0], -1) - dw).abs().max().item()
        assert err <= 1e-12, f"{mname}: LoRA export B·A vs ΔW: {err:.3g}"


def test_merge_unmerge_and_disable(qpeft_bin):
    cfg = qpeft_torch.QuantumPEFTConfig(target_modules=["conv", "fc", "c_attn", "out"], rank=4, layers=1, seed=1)
    pm, x, _ = _train(cfg)
    with torch.no_grad():
        y = pm(x)
        pm.base_model.merge_adapter()
        ym = pm(x)
        pm.base_model.unmerge_adapter()
        yu = pm(x)
        with pm.disable_adapter():
            y0 = pm(x)
    assert (ym - y).abs().max().item() < 1e-12
    assert (yu - y).abs().max().item() < 1e-12
    assert (y0 - y).abs().max().item() > 1e-6, "the trained adapter changes the output"
    merged = pm.merge_and_unload()
    assert (merged(x) - y).abs().max().item() < 1e-12


def test_quantisation_matches_go_grid():
    q = qpeft_torch.quantize_angles
    t = torch.tensor([0.0, 0.1, -3.0, 6.0, -13.0, 2 * torch.pi - 1e-9], dtype=torch.float64, requires_grad=True)
    v = q(t, 4)
    step = 4 * torch.pi / 16
    codes = (v.detach() + 2 * torch.pi) / step
    assert torch.allclose(codes, codes.round(), atol=1e-9)
    assert (v.detach() >= -2 * torch.pi - 1e-12).all() and (v.detach() < 2 * torch.pi).all()
    # RY has period 4π: the quantised angle is congruent to the input within half a step.
    r = torch.remainder(v.detach() - t.detach() + 2 * torch.pi, 4 * torch.pi) - 2 * torch.pi
    assert r.abs().max().item() <= step / 2 + 1e-12
    v.sum().backward()
    assert torch.equal(t.grad, torch.ones_like(t)), "straight-through estimator"
