"""Angle quantisation and the intrinsic-rank mask, as the Go adapters do them (peft/quant.go,
peft/mask.go)."""

from __future__ import annotations

import math
from typing import List

import torch

MAX_QUANT_BITS = 24


def quantize_angles(theta: torch.Tensor, bits: int) -> torch.Tensor:
    """Quantises angles to `bits` bits over [−2π, 2π) (one period of RY(θ), whose period is 4π):
    code c stands for −2π + c·4π/2^bits; the angle is reduced modulo 4π first. The backward pass
    is the straight-through estimator (gradient 1)."""
    if not 1 <= bits <= MAX_QUANT_BITS:
        raise ValueError(f"angle quantisation needs 1..{MAX_QUANT_BITS} bits, got {bits}")
    with torch.no_grad():
        t = theta.detach().to(torch.float64)
        four_pi = 4 * math.pi
        w = t - four_pi * torch.floor((t + 2 * math.pi) / four_pi)
        step = math.ldexp(four_pi, -bits)
        levels = float(1 << bits)
        # Go's math.Round rounds half away from zero; the argument is ≥ 0 up to rounding.
        x = (w + 2 * math.pi) / step
        c = torch.where(x >= 0, torch.floor(x + 0.5), torch.ceil(x - 0.5))
        c = torch.remainder(c, levels)
        q = (-2 * math.pi + c * step).to(theta.dtype)
    return theta + (q - theta).detach()


def prune_mask(active: List[int], lam: torch.Tensor, kprime: int) -> List[int]:
    """Keeps the kprime active ranks of largest |λ| (ties: lower index) and returns them
    ascending; the caller zeroes λ of the others."""
    if not 1 <= kprime <= len(active):
        raise ValueError(f"cannot prune to rank {kprime}: {len(active)} ranks are active")
    vals = lam.detach().abs().tolist()
    order = sorted(active, key=lambda j: (-vals[j], j))  # stable: ties keep the lower index first
    return sorted(order[:kprime])
