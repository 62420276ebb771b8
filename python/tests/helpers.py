"""Shared helpers of the tests."""

import math

import torch
from torch import nn


def G(out: int, inn: int, dtype=torch.float64) -> torch.Tensor:
    """The cotangent torchref uses: G_ij = sin(0.37·i + 0.71·j + 0.13)."""
    i = torch.arange(out, dtype=dtype).unsqueeze(1)
    j = torch.arange(inn, dtype=dtype).unsqueeze(0)
    return torch.sin(0.37 * i + 0.71 * j + 0.13)


class Linears(nn.Module):
    """A model of named nn.Linear layers (out × in), for adapters of given shapes."""

    def __init__(self, shapes, dtype=torch.float64, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        for name, (o, i) in shapes.items():
            lin = nn.Linear(i, o, dtype=dtype)
            with torch.no_grad():
                lin.weight.copy_(torch.randn(o, i, generator=g, dtype=dtype) / math.sqrt(i))
                lin.bias.copy_(torch.randn(o, generator=g, dtype=dtype) * 0.1)
            setattr(self, name, lin)

    def forward(self, x):  # pragma: no cover - tests call layers directly
        raise NotImplementedError


def qpeft_layers(peft_model):
    from qpeft_torch import QuantumPEFTLayer

    out = {}
    for name, mod in peft_model.named_modules():
        if isinstance(mod, QuantumPEFTLayer):
            out[name.removeprefix("base_model.model.")] = mod
    return out
