"""PEFT registration, dtypes, the program runtime's checks, and the qpeft binary lookup."""

import copy
import json
import os

import pytest
import torch
from torch import nn

import qpeft_torch
from conftest import run
from helpers import qpeft_layers


def test_peft_type_member_and_registration():
    from peft.mapping import PEFT_TYPE_TO_CONFIG_MAPPING, PEFT_TYPE_TO_PREFIX_MAPPING, PEFT_TYPE_TO_TUNER_MAPPING
    from peft.utils import PeftType

    m = PeftType("QUANTUM_PEFT")
    assert m is PeftType.QUANTUM_PEFT and m == "QUANTUM_PEFT" and m in list(PeftType)
    assert copy.deepcopy(m) is m
    assert PEFT_TYPE_TO_CONFIG_MAPPING[m] is qpeft_torch.QuantumPEFTConfig
    assert PEFT_TYPE_TO_TUNER_MAPPING[m] is qpeft_torch.QuantumPEFTModel
    assert PEFT_TYPE_TO_PREFIX_MAPPING[m] == "qpeft_"
    qpeft_torch.register()  # idempotent
    assert list(PeftType).count(m) == 1


def test_config_errors():
    cases = [
        (dict(target_modules=None), "target_modules"),
        (dict(target_modules=["q"], rank=0), "rank"),
        (dict(target_modules=["q"], layers=65), "layers"),
        (dict(target_modules=["q"], cs_mode="haar"), "cs_mode"),
        (dict(target_modules=["q"], rank=4, active_rank=5), "active rank"),
        (dict(target_modules=["q"], rank=4, prune_step=3), "prune step"),
        (dict(target_modules=["q"], quant_bits=30), "quant_bits"),
    ]
    for kw, word in cases:
        with pytest.raises(ValueError, match=word):
            qpeft_torch.QuantumPEFTConfig(**kw)


def test_missing_binary_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("QPEFT_BIN", str(tmp_path / "nope"))
    with pytest.raises(qpeft_torch.QpeftBinaryError, match="not an executable"):
        qpeft_torch.qpeft_binary()
    monkeypatch.delenv("QPEFT_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(qpeft_torch.QpeftBinaryError, match="go build"):
        qpeft_torch.qpeft_binary()


def test_program_document_refusals(qpeft_bin):
    doc = qpeft_torch.factor_document(8, 2, layers=1)
    prog = doc["programs"]["pauli_q3_L1"]
    for edit, word in [
        (lambda p: p.update(version=2), "version 2"),
        (lambda p: p.update(format="x"), "format"),
        (lambda p: p["stages"][0]["qubits"].__setitem__(0, 9), "qubit 9"),
        (lambda p: p["stages"][1].update(diagonal=[1.0]), "diagonal"),
        (lambda p: p["stages"][0]["factors"][0][0]["angle"].update(param=99), "param 99"),
        (lambda p: p["stages"][0].update(kind="fft"), "unknown stage kind"),
    ]:
        bad = json.loads(json.dumps(prog))
        edit(bad)
        with pytest.raises(qpeft_torch.ProgramError, match=word):
            qpeft_torch.Program(bad)


def test_columns_without_the_dense_matrix(qpeft_bin):
    """N = 16384: the dense matrix would be 2 GiB in float64; the K columns are built from the
    program and are orthonormal."""
    f = qpeft_torch.compile_factor(16384, 4, layers=2)
    theta = torch.rand(f.num_params, dtype=torch.float64) * 6 - 3
    u = f.columns(theta, 4)
    assert u.shape == (16384, 4)
    assert torch.allclose(u.T @ u, torch.eye(4, dtype=torch.float64), atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float64])
def test_dtypes(dtype, qpeft_bin):
    """Parameters follow the base layer's dtype; bfloat16 builds U and V in float32."""
    from peft import get_peft_model

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(24, 40)).to(dtype)
    pm = get_peft_model(model, qpeft_torch.QuantumPEFTConfig(target_modules=["0"], rank=4, layers=1, seed=2))
    layer = qpeft_layers(pm)["0"]
    with torch.no_grad():
        layer.qpeft_lambda["default"].copy_(torch.tensor([1.0, -2.0, 0.5, 3.0]))
    assert layer.qpeft_theta_U["default"].dtype == (torch.float32 if dtype == torch.bfloat16 else dtype)
    u, v, d = layer.factors("default", dtype)
    assert u.dtype == (torch.float32 if dtype == torch.bfloat16 else dtype)
    x = torch.randn(5, 24).to(dtype)
    y = pm(x)
    assert y.dtype == dtype
    y.float().sum().backward()
    g = layer.qpeft_theta_U["default"].grad
    assert g is not None and torch.isfinite(g.float()).all() and g.abs().sum() > 0
    # against float64
    ref = (u.double() * d.double()) @ v.double().T
    tol = {torch.float32: 1e-5, torch.bfloat16: 1e-5, torch.float64: 1e-13}[dtype]
    assert (layer.delta_weight_matrix("default").double() - ref).abs().max().item() <= tol
