"""Quantum-PEFT layers for nn.Linear, GPT-2's Conv1D and nn.Conv2d, as Hugging Face PEFT tuner
layers: ΔW = (α/K)·U(θ_U)·diag(λ ⊙ mask)·V(θ_V)ᵀ with W0 frozen."""

from __future__ import annotations

import math
import warnings
from typing import Any, Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from peft.tuners.tuners_utils import BaseTunerLayer, check_adapters_to_merge

from .program import Factor
from .quant import prune_mask, quantize_angles

try:  # transformers' GPT-2 Conv1D
    from transformers.pytorch_utils import Conv1D
except ImportError:  # pragma: no cover
    Conv1D = None


def layer_shape(base: nn.Module) -> tuple:
    """(kind, out, in) of the weight an adapter updates, read as PyTorch nn.Linear does (out × in);
    a Conv2d weight (out, C, KH, KW) is read as out × (C·KH·KW)."""
    if isinstance(base, nn.Linear):
        return "linear", base.out_features, base.in_features
    if Conv1D is not None and isinstance(base, Conv1D):
        nx, nf = base.weight.shape
        return "conv1d", nf, nx
    if isinstance(base, nn.Conv2d):
        if base.groups != 1:
            raise TypeError(f"Quantum-PEFT supports nn.Conv2d with groups=1 only, got groups={base.groups}")
        o, c, kh, kw = base.weight.shape
        return "conv2d", o, c * kh * kw
    raise TypeError(
        f"Quantum-PEFT adapts nn.Linear, transformers' Conv1D and nn.Conv2d; {type(base).__name__} is not supported"
    )


def _compute_dtype(dtype: torch.dtype) -> torch.dtype:
    """bfloat16 and float16 parameters build U and V in float32 (float32 accumulation)."""
    return torch.float32 if dtype in (torch.bfloat16, torch.float16) else dtype


class QuantumPEFTLayer(BaseTunerLayer):
    """The adapter state of one module, keyed by adapter name (PEFT's multi-adapter layout)."""

    adapter_layer_names = ("qpeft_theta_U", "qpeft_theta_V", "qpeft_lambda")
    other_param_names = ("qpeft_rank", "qpeft_scale", "qpeft_factors", "qpeft_active", "qpeft_quant_bits", "qpeft_info")

    def __init__(self, base_layer: nn.Module, **kwargs) -> None:
        self.base_layer = base_layer
        self.qpeft_theta_U = nn.ParameterDict({})
        self.qpeft_theta_V = nn.ParameterDict({})
        self.qpeft_lambda = nn.ParameterDict({})
        self.qpeft_rank: Dict[str, int] = {}
        self.qpeft_scale: Dict[str, float] = {}
        self.qpeft_factors: Dict[str, tuple] = {}
        self.qpeft_active: Dict[str, List[int]] = {}
        self.qpeft_quant_bits: Dict[str, int] = {}
        self.qpeft_info: Dict[str, dict] = {}
        self._disable_adapters = False
        self.merged_adapters: List[str] = []
        self.kwargs = kwargs
        self.qpeft_kind, self.out_features, self.in_features = layer_shape(self.get_base_layer())

    def update_layer(self, adapter_name: str, factor_u: Factor, factor_v: Factor, rank: int, alpha: float,
                     active: List[int], quant_bits: int, init_scale: float, seed: int, info: dict,
                     inference_mode: bool = False, **kwargs) -> None:
        """Adds (or replaces) adapter `adapter_name` with the given factors and settings."""
        if factor_u.dim != self.out_features or factor_v.dim != self.in_features:
            raise ValueError(
                f"factors of dimensions {factor_u.dim} x {factor_v.dim} do not fit a {self.out_features} x "
                f"{self.in_features} weight"
            )
        if not 1 <= rank <= min(self.out_features, self.in_features):
            raise ValueError(f"rank {rank} must be in 1..min(out, in) = {min(self.out_features, self.in_features)}")
        self.qpeft_factors[adapter_name] = (factor_u, factor_v)
        self.qpeft_rank[adapter_name] = rank
        self.qpeft_scale[adapter_name] = (alpha if alpha > 0 else rank) / rank
        self.qpeft_active[adapter_name] = list(active)
        self.qpeft_quant_bits[adapter_name] = quant_bits
        self.qpeft_info[adapter_name] = info
        g = torch.Generator().manual_seed(seed & 0x7FFFFFFFFFFFFFFF)
        s = 0.02 if init_scale == 0 else init_scale
        tu = torch.zeros(factor_u.num_params, dtype=torch.float32)
        tv = torch.zeros(factor_v.num_params, dtype=torch.float32)
        if s > 0:
            tu = (torch.rand(factor_u.num_params, generator=g, dtype=torch.float64) * 2 - 1).mul(s).float()
            tv = (torch.rand(factor_v.num_params, generator=g, dtype=torch.float64) * 2 - 1).mul(s).float()
        self.qpeft_theta_U[adapter_name] = nn.Parameter(tu)
        self.qpeft_theta_V[adapter_name] = nn.Parameter(tv)
        self.qpeft_lambda[adapter_name] = nn.Parameter(torch.zeros(rank, dtype=torch.float32))
        self._move_adapter_to_device_of_base_layer(adapter_name)
        # Angles and scales of a half-precision layer stay float32 (PEFT moved them to the base dtype).
        for d in (self.qpeft_theta_U, self.qpeft_theta_V, self.qpeft_lambda):
            if d[adapter_name].dtype in (torch.bfloat16, torch.float16):
                d[adapter_name] = nn.Parameter(d[adapter_name].detach().float())
        self.set_adapter(self.active_adapters, inference_mode=inference_mode)

    # ---- the update ----

    def factors(self, adapter: str, dtype: Optional[torch.dtype] = None):
        """U (out × K), V (in × K) and d = (α/K)·λ ⊙ mask, differentiable."""
        fu, fv = self.qpeft_factors[adapter]
        k = self.qpeft_rank[adapter]
        tu, tv, lam = self.qpeft_theta_U[adapter], self.qpeft_theta_V[adapter], self.qpeft_lambda[adapter]
        cdt = _compute_dtype(dtype or tu.dtype)
        tu, tv, lam = tu.to(cdt), tv.to(cdt), lam.to(cdt)
        bits = self.qpeft_quant_bits[adapter]
        if bits:
            tu, tv = quantize_angles(tu, bits), quantize_angles(tv, bits)
        u = fu.columns(tu, k)
        v = fv.columns(tv, k)
        mask = torch.zeros(k, dtype=cdt, device=lam.device)
        mask[self.qpeft_active[adapter]] = 1
        d = self.qpeft_scale[adapter] * lam * mask
        return u, v, d

    def get_delta_weight(self, adapter: str) -> torch.Tensor:
        """ΔW = (α/K)·U·diag(λ⊙mask)·Vᵀ in the layout of the base weight (Conv1D: in × out;
        Conv2d: out × C × KH × KW)."""
        w = self.get_base_layer().weight
        u, v, d = self.factors(adapter, w.dtype)
        dw = (u * d) @ v.T
        if self.qpeft_kind == "conv1d":
            dw = dw.T
        elif self.qpeft_kind == "conv2d":
            dw = dw.reshape(w.shape)
        return dw.to(w.dtype)

    def delta_weight_matrix(self, adapter: str) -> torch.Tensor:
        """ΔW as the out × in matrix (the qpeft convention), in the compute dtype."""
        u, v, d = self.factors(adapter)
        return (u * d) @ v.T

    # ---- rank mask ----

    def prune(self, adapter: str, kprime: int) -> None:
        """Keeps the kprime active ranks of largest |λ| and masks the rest (their λ set to 0)."""
        keep = prune_mask(self.qpeft_active[adapter], self.qpeft_lambda[adapter], kprime)
        with torch.no_grad():
            lam = self.qpeft_lambda[adapter]
            for j in self.qpeft_active[adapter]:
                if j not in keep:
                    lam[j] = 0
        self.qpeft_active[adapter] = keep

    # ---- merge ----

    def merge(self, safe_merge: bool = False, adapter_names: Optional[List[str]] = None) -> None:
        adapter_names = check_adapters_to_merge(self, adapter_names)
        for a in adapter_names:
            if a not in self.qpeft_theta_U:
                continue
            base = self.get_base_layer()
            with torch.no_grad():
                dw = self.get_delta_weight(a)
                if safe_merge:
                    w = base.weight.data + dw
                    if not torch.isfinite(w).all():
                        raise ValueError(f"NaNs detected in the merged weights; the adapter {a} seems to be broken")
                    base.weight.data = w
                else:
                    base.weight.data += dw
            self.merged_adapters.append(a)

    def unmerge(self) -> None:
        if not self.merged:
            warnings.warn("Already unmerged. Nothing to do.")
            return
        while self.merged_adapters:
            a = self.merged_adapters.pop()
            if a in self.qpeft_theta_U:
                with torch.no_grad():
                    self.get_base_layer().weight.data -= self.get_delta_weight(a)

    # ---- forward ----

    def _adapter_out(self, x: torch.Tensor, adapter: str) -> torch.Tensor:
        u, v, d = self.factors(adapter, x.dtype)
        u, v, d = u.to(x.dtype), v.to(x.dtype), d.to(x.dtype)
        base = self.get_base_layer()
        if self.qpeft_kind == "conv2d":
            k = v.shape[1]
            a = v.T.reshape(k, *base.weight.shape[1:])
            h = F.conv2d(x, a, None, base.stride, base.padding, base.dilation, 1)
            h = h * d.view(1, -1, 1, 1)
            return F.conv2d(h, u.reshape(*u.shape, 1, 1))
        return ((x @ v) * d) @ u.T

    def forward(self, x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        if self.disable_adapters:
            if self.merged:
                self.unmerge()
            return self.base_layer(x, *args, **kwargs)
        if self.merged:
            return self.base_layer(x, *args, **kwargs)
        result = self.base_layer(x, *args, **kwargs)
        for a in self.active_adapters:
            if a not in self.qpeft_theta_U:
                continue
            result = result + self._adapter_out(x, a).to(result.dtype)
        return result


class QuantumPEFTModule(nn.Module, QuantumPEFTLayer):
    """A base layer wrapped with Quantum-PEFT adapters."""

    def __init__(self, base_layer: nn.Module, adapter_name: str, **kwargs) -> None:
        super().__init__()
        QuantumPEFTLayer.__init__(self, base_layer)
        self._active_adapter = adapter_name
        self.update_layer(adapter_name, **kwargs)

    def forward(self, x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        return QuantumPEFTLayer.forward(self, x, *args, **kwargs)

    def __repr__(self) -> str:
        return "qpeft." + super().__repr__()
