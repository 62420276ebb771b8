"""Parity with the Go toolkit in float64: U, V and ΔW to 1e-12, the gradients for θ and λ to
1e-10 (Go's vector-Jacobian products), for checkpoints written by Go and loaded with
PeftModel.from_pretrained."""

import json
import os

import pytest
import torch
from safetensors.torch import load_file

import qpeft_torch  # noqa: F401  (registers QUANTUM_PEFT with peft)
from conftest import run
from helpers import G, Linears, qpeft_layers

DATA = os.path.join(os.path.dirname(__file__), "data")

POW2 = [2 ** n for n in range(1, 13)]  # N = 2 .. 4096
ODD = [384, 768, 784, 3072, 11008]

CASES = {
    # name: (torchref init flags, modules)
    "pauli-pow2-K2-L1": (["--rank", "2", "--layers", "1"],
                         [f"p{n}a={n}x{min(n, 16)}" for n in POW2] + [f"p{n}b={min(n, 16)}x{n}" for n in POW2]),
    "pauli-pow2-K8-L2": (["--rank", "8", "--layers", "2", "--seed", "7"],
                         [f"p{n}={n}x{n}" for n in (8, 16, 32, 64, 128, 256)] + ["p4096=4096x32", "q4096=32x4096"]),
    "pauli-odd-K8-L1": (["--rank", "8", "--layers", "1", "--seed", "3"],
                        [f"o{n}a={n}x32" for n in ODD] + [f"o{n}b=32x{n}" for n in ODD]),
    "pauli-small-odd-full-cs": (["--rank", "5", "--layers", "3", "--cs", "full", "--seed", "11"],
                                ["s5=5x5", "s12=12x6", "s6=6x12", "s100=100x7", "s7=7x9"]),
    "pauli-K-above-N1": (["--rank", "10", "--layers", "1", "--seed", "5"], ["k12=12x12", "k20=20x11"]),
    "pauli-quant-mask": (["--rank", "6", "--layers", "2", "--quant-bits", "7", "--active-rank", "3", "--alpha", "12",
                          "--seed", "9"], ["qa=16x24", "qb=24x16"]),
    "givens-rotated-odd": (["--rank", "8", "--layers", "2", "--ansatz", "givens", "--start", "rotated", "--seed", "17"],
                           ["g512=512x512", "g784=512x784", "g384=384x64", "g8=8x8"]),
    "alltoall-rotated": (["--rank", "4", "--layers", "1", "--ansatz", "alltoall", "--start", "rotated", "--seed", "19"],
                         ["a256=256x256", "a100=100x16"]),
    "pauli-rotated": (["--rank", "8", "--layers", "2", "--start", "rotated", "--seed", "23"], ["r512=512x512", "r768=768x64"]),
    "rank-pattern": (["--rank", "4", "--layers", "1", "--rank-pattern", "w2=2,w8=8", "--ansatz", "givens", "--seed", "29"],
                     ["w2=16x16", "w8=64x32", "w4=32x12"]),
    "user-qasm": (["--rank", "4", "--circuit", f"8={DATA}/mix8.qasm", "--circuit", f"16={DATA}/mix16.qasm", "--seed", "13"],
                  ["u1=16x8", "u2=8x16", "u3=16x16"]),
}


def _shapes(mods):
    out = {}
    for m in mods:
        name, shape = m.split("=")
        o, i = shape.split("x")
        out[name] = (int(o), int(i))
    return out


@pytest.fixture(scope="module", params=sorted(CASES))
def go_case(request, torchref, tmp_path_factory):
    flags, mods = CASES[request.param]
    d = tmp_path_factory.mktemp(request.param)
    ck = str(d / "ck")
    run(torchref, "init", ck, *flags, *mods)
    ref = str(d / "ref.safetensors")
    run(torchref, "ref", ck, ref)
    return request.param, ck, _shapes(mods), load_file(ref)


def test_go_checkpoint_parity(go_case, qpeft_bin):
    from peft import PeftModel

    name, ck, shapes, ref = go_case
    model = Linears(shapes)
    pm = PeftModel.from_pretrained(model, ck, is_trainable=True)
    layers = qpeft_layers(pm)
    assert sorted(layers) == sorted(shapes)
    worst = {"U": 0.0, "V": 0.0, "dW": 0.0, "g": 0.0}
    for mname, layer in layers.items():
        u, v, d = layer.factors("default")
        assert u.dtype == torch.float64
        dw = (u * d) @ v.T
        for key, val in (("U", u), ("V", v), ("dW", dw)):
            err = (val.detach() - ref[f"{mname}.{key}"]).abs().max().item()
            worst[key] = max(worst[key], err)
            assert err <= 1e-12, f"{name} {mname}.{key}: max |Δ| = {err:.3g}"
        loss = (G(*dw.shape) * dw).sum()
        params = [layer.qpeft_theta_U["default"], layer.qpeft_theta_V["default"], layer.qpeft_lambda["default"]]
        grads = torch.autograd.grad(loss, params)
        for key, g in zip(("g_theta_U", "g_theta_V", "g_lambda"), grads):
            want = ref[f"{mname}.{key}"]
            err = (g - want).abs().max().item() if want.numel() else 0.0
            worst["g"] = max(worst["g"], err)
            assert err <= 1e-10, f"{name} {mname}.{key}: max |Δ| = {err:.3g}"
    print(f"{name}: max |Δ| U {worst['U']:.2g} V {worst['V']:.2g} ΔW {worst['dW']:.2g} grads {worst['g']:.2g}")


def test_layer_output_matches_go_delta(go_case, qpeft_bin):
    """A Go-trained adapter loaded with from_pretrained: layer outputs are W0·x + b + ΔW_Go·x."""
    from peft import PeftModel

    name, ck, shapes, ref = go_case
    model = Linears(shapes)
    w0 = {k: (getattr(model, k).weight.detach().clone(), getattr(model, k).bias.detach().clone()) for k in shapes}
    pm = PeftModel.from_pretrained(model, ck)
    gen = torch.Generator().manual_seed(1)
    for mname, layer in qpeft_layers(pm).items():
        o, i = shapes[mname]
        x = torch.randn(3, i, generator=gen, dtype=torch.float64)
        want = x @ (w0[mname][0] + ref[f"{mname}.dW"]).T + w0[mname][1]
        got = layer(x)
        assert (got - want).abs().max().item() <= 1e-10 * max(1.0, want.abs().max().item())


def test_go_checkpoint_saved_by_torch_reads_in_go(go_case, qpeft_bin, torchref, tmp_path):
    """A Go checkpoint loaded and saved again by torch (save_pretrained) is read by Go (peft.Load,
    every field checked) and gives the same U, V and ΔW: the ansatz family, the start and the
    per-module ranks survive the trip."""
    from peft import PeftModel

    name, ck, shapes, ref = go_case
    pm = PeftModel.from_pretrained(Linears(shapes), ck)
    out = tmp_path / "saved"
    pm.save_pretrained(str(out))
    saved = str(out)
    if not os.path.exists(os.path.join(saved, "adapter_config.json")):
        saved = os.path.join(saved, "default")
    back = str(tmp_path / "ref.safetensors")
    run(torchref, "ref", saved, back)
    got = load_file(back)
    for key, val in ref.items():
        if key.endswith((".U", ".V", ".dW")):
            err = (got[key] - val).abs().max().item()
            assert err <= 1e-12, f"{name} {key}: max |Δ| = {err:.3g} after torch saved the checkpoint"
