"""Hugging Face PEFT integration: QuantumPEFTConfig, QuantumPEFTModel and the registration.

PEFT 0.21 registers new methods with `register_peft_method`, which refuses a name outside its
`PeftType` enum. Workaround (documented in docs/pytorch.md): at import, this module adds the
member `PeftType.QUANTUM_PEFT = "QUANTUM_PEFT"` to the enum (the value qpeft's adapter_config.json
already carries as "peft_type"), then calls `register_peft_method(name="quantum_peft", ...)`.
The addition touches only the enum's member tables; a PEFT release that has the member (or
that changes the enum's internals) is detected and left alone.

The directory `save_pretrained` writes is qpeft's adapter format (peft/checkpoint.go):
adapter_config.json in qpeft's layout (with "programs" and the factor trees) and
adapter_model.safetensors with F64 tensors "<module>.theta_U", "<module>.theta_V",
"<module>.lambda". The Go toolkit reads it with peft.Load; `PeftModel.from_pretrained` reads
directories the Go toolkit writes.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

import torch
from torch import nn

from peft.config import PeftConfig
from peft.tuners.tuners_utils import BaseTuner, BaseTunerLayer
from peft.utils import PeftType

from .compile import factor_document
from .layer import QuantumPEFTLayer, QuantumPEFTModule, layer_shape
from .program import Factor, Program

PEFT_TYPE_NAME = "QUANTUM_PEFT"
CONFIG_FILE = "adapter_config.json"
WEIGHTS_FILE = "adapter_model.safetensors"
FORMAT_VERSION = 1
MAX_LAYERS = 64


def _add_peft_type_member() -> None:
    if PEFT_TYPE_NAME in PeftType.__members__:
        return
    m = str.__new__(PeftType, PEFT_TYPE_NAME)
    m._name_ = PEFT_TYPE_NAME
    m._value_ = PEFT_TYPE_NAME
    try:
        m.__objclass__ = PeftType
    except AttributeError:  # pragma: no cover
        pass
    PeftType._member_map_[PEFT_TYPE_NAME] = m
    PeftType._value2member_map_[PEFT_TYPE_NAME] = m
    PeftType._member_names_.append(PEFT_TYPE_NAME)
    type.__setattr__(PeftType, PEFT_TYPE_NAME, m)
    if PeftType(PEFT_TYPE_NAME) is not m or PEFT_TYPE_NAME not in list(PeftType):
        raise RuntimeError("qpeft_torch: could not add QUANTUM_PEFT to peft's PeftType enum")


def fnv64a(s: str) -> int:
    h = 0xCBF29CE484222325
    for b in s.encode():
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


@dataclass
class QuantumPEFTConfig(PeftConfig):
    """Configuration of Quantum-PEFT adapters (the fields of qpeft's adapter_config.json).

    Args:
        target_modules: module names or suffixes (or a regex) to adapt: nn.Linear, GPT-2 Conv1D, nn.Conv2d.
        rank: K, the number of columns of U and V.
        layers: L, the entangling layers of the Pauli ansatz.
        alpha: ΔW is scaled by alpha/K; 0 means alpha = K.
        ansatz: "pauli", or a path to an OpenQASM ansatz (every adapted dimension must be 2^n for its n
            qubits), or a dict {dimension: path}.
        cs_mode: "walsh" or "full" (the cosine–sine stages of non-power-of-two dimensions).
        active_rank: K′ (0: K); prune_step: the step at which the K′ largest |λ| are kept (0: fixed mask).
        quant_bits: angle quantisation bits (0: off). init_scale: θ ~ U(±init_scale) (0: 0.02; < 0: zeros).
        seed: seeds the initialisation (each module derives its own seed from it and its name).
    """

    target_modules: Optional[Union[List[str], str]] = field(default=None)
    exclude_modules: Optional[Union[List[str], str]] = field(default=None)
    rank: int = field(default=8)
    layers: int = field(default=1)
    alpha: float = field(default=0.0)
    ansatz: Union[str, Dict[int, str]] = field(default="pauli")
    cs_mode: str = field(default="walsh")
    active_rank: int = field(default=0)
    prune_step: int = field(default=0)
    quant_bits: int = field(default=0)
    init_scale: float = field(default=0.0)
    seed: int = field(default=0)
    bias: str = field(default="none")
    layers_to_transform: Optional[Union[List[int], int]] = field(default=None)
    layers_pattern: Optional[Union[List[str], str]] = field(default=None)
    modules_to_save: Optional[List[str]] = field(default=None)
    # Filled when loading a qpeft directory (or while training): the module table, the programs and
    # the OpenQASM circuits, keyed as in adapter_config.json.
    qpeft_modules: Optional[Dict[str, Any]] = field(default=None)
    qpeft_programs: Optional[Dict[str, Any]] = field(default=None)
    qpeft_circuits: Optional[Dict[str, str]] = field(default=None)
    # Carried through from a qpeft directory written by Go (adapter_config.json "ansatz", "start"
    # and "rank_pattern"): the built-in family and start of its circuits and the per-module ranks.
    # The stored programs already hold them; they are written back so that Go reads the directory.
    qpeft_family: str = field(default="")
    qpeft_start: str = field(default="")
    qpeft_rank_pattern: Optional[Dict[str, int]] = field(default=None)

    def __post_init__(self):
        super().__post_init__()
        self.peft_type = PeftType.QUANTUM_PEFT
        if self.target_modules is None and not self.qpeft_modules:
            raise ValueError("QuantumPEFTConfig needs target_modules (e.g. ['query', 'value'] or ['c_attn'])")
        if self.rank < 1:
            raise ValueError(f"rank {self.rank} must be ≥ 1")
        if not 0 <= self.layers <= MAX_LAYERS:
            raise ValueError(f"layers L = {self.layers} must be in 0..{MAX_LAYERS}")
        if self.alpha < 0:
            raise ValueError(f"alpha = {self.alpha} must be ≥ 0")
        if self.cs_mode not in ("walsh", "full"):
            raise ValueError(f"cs_mode {self.cs_mode!r} must be 'walsh' or 'full'")
        if not 0 <= self.active_rank <= self.rank:
            raise ValueError(f"active rank K′ = {self.active_rank} must be in 1..K = {self.rank} (0 for K)")
        if self.prune_step < 0 or (self.prune_step > 0 and self.active_rank in (0, self.rank)):
            raise ValueError(f"prune step {self.prune_step} needs an active rank K′ below K = {self.rank}")
        if self.quant_bits and not 1 <= self.quant_bits <= 24:
            raise ValueError(f"quant_bits {self.quant_bits} must be in 1..24 (0: off)")
        if self.bias != "none":
            raise ValueError("Quantum-PEFT trains no biases (bias must be 'none')")
        if isinstance(self.target_modules, list):
            self.target_modules = sorted(set(self.target_modules))

    @property
    def map_kind(self) -> str:
        return "pauli" if self.ansatz == "pauli" else "circuit"

    def circuit_for(self, dim: int) -> Optional[str]:
        if self.ansatz == "pauli":
            return None
        if isinstance(self.ansatz, dict):
            path = self.ansatz.get(dim) or self.ansatz.get(str(dim))
            if path is None:
                raise ValueError(f"no ansatz circuit for dimension {dim} (circuits are given for {sorted(self.ansatz)})")
            return path
        return self.ansatz

    def module_seed(self, name: str) -> int:
        return (self.seed ^ fnv64a(name)) & 0xFFFFFFFFFFFFFFFF

    # ---- qpeft's adapter_config.json ----

    def save_pretrained(self, save_directory: str, **kwargs) -> None:
        """Writes adapter_config.json in qpeft's format. Called by PeftModel.save_pretrained after
        the weights (which record the module table); use that, not this method directly."""
        info = getattr(self, "_qpeft_save", None)
        if info is None:
            raise RuntimeError("QuantumPEFTConfig.save_pretrained is called by PeftModel.save_pretrained; save the model")
        os.makedirs(save_directory, exist_ok=True)
        doc = qpeft_config_document(self, info)
        path = os.path.join(save_directory, CONFIG_FILE)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path: str, subfolder: Optional[str] = None, **kwargs):
        path = os.path.join(pretrained_model_name_or_path, subfolder) if subfolder else pretrained_model_name_or_path
        file = os.path.join(path, CONFIG_FILE)
        if not os.path.isfile(file):
            raise ValueError(f"{file} not found (Quantum-PEFT adapters load from a local directory)")
        with open(file) as f:
            doc = json.load(f)
        cfg = config_from_document(doc, file)
        for k, v in kwargs.items():
            if hasattr(cfg, k):
                setattr(cfg, k, v)
        return cfg


def _blocks(tree: Dict[str, Any], circuits_ids: Dict[str, str], path: str = "") -> List[Dict[str, Any]]:
    """blocks_U/blocks_V of adapter_config.json (ortho.Block listing, θ order) from a factor tree."""
    kind = tree["kind"]
    if kind == "circuit":
        return [{"path": path, "kind": "circuit", "dim": tree["dim"], "offset": tree["offset"], "params": tree["params"],
                 "circuit": tree["program"]}]
    if kind == "identity":
        return [{"path": path, "kind": "identity", "dim": tree["dim"], "offset": tree["offset"], "params": 0}]
    sub = lambda name: name if not path else path + "." + name  # noqa: E731
    out = _blocks(tree["b1"], circuits_ids, sub("B1"))
    out.append({"path": sub("CS"), "kind": "cs-" + tree["cs_mode"], "dim": tree["dim"], "offset": tree["cs_offset"],
                "params": tree["cs_params"]})
    out += _blocks(tree["a1"], circuits_ids, sub("A1"))
    out += _blocks(tree["a2"], circuits_ids, sub("A2"))
    return out


def qpeft_config_document(cfg: QuantumPEFTConfig, info: Dict[str, Any]) -> Dict[str, Any]:
    """adapter_config.json (qpeft format, peft/checkpoint.go fileConfig) for the module table `info`."""
    modules = {}
    for name, m in sorted(info["modules"].items()):
        k = m.get("rank", cfg.rank)
        kp = cfg.active_rank or k
        modules[name] = {
            "out": m["out"], "in": m["in"], "active_ranks": list(m["active_ranks"]),
            "trainable_params": m["factor_U"]["params"] + m["factor_V"]["params"] + kp,
            "blocks_U": _blocks(m["factor_U"], {}), "blocks_V": _blocks(m["factor_V"], {}),
            "factor_U": m["factor_U"], "factor_V": m["factor_V"],
        }
        if k != cfg.rank:
            modules[name]["rank"] = k
    used = set()
    for m in modules.values():
        for b in m["blocks_U"] + m["blocks_V"]:
            if b["kind"] == "circuit":
                used.add(b["circuit"])
    doc = {
        "peft_type": PEFT_TYPE_NAME,
        "qpeft_format_version": FORMAT_VERSION,
        "method": "quantum-peft",
        "rank": cfg.rank,
        "alpha": float(cfg.alpha),
        "map": cfg.map_kind,
        "layers": cfg.layers,
        "cs_mode": cfg.cs_mode,
        "active_rank": cfg.active_rank,
        "prune_step": cfg.prune_step,
        "quant_bits": cfg.quant_bits,
        "init_scale": float(cfg.init_scale),
        "orth_weight": 0,
        "seed": cfg.seed,
        "base_model_name_or_path": cfg.base_model_name_or_path or "",
        "target_modules": sorted(modules),
        "modules": modules,
        "circuits": {i: cfg.qpeft_circuits[i] for i in sorted(used)},
        "programs": {i: cfg.qpeft_programs[i] for i in sorted(used)},
    }
    if cfg.qpeft_family:
        doc["ansatz"] = cfg.qpeft_family
    if cfg.qpeft_start:
        doc["start"] = cfg.qpeft_start
    if cfg.qpeft_rank_pattern:
        doc["rank_pattern"] = dict(cfg.qpeft_rank_pattern)
    return doc


def config_from_document(doc: Dict[str, Any], where: str = CONFIG_FILE) -> QuantumPEFTConfig:
    """A QuantumPEFTConfig from qpeft's adapter_config.json (written by Go or by this package)."""
    if doc.get("peft_type") != PEFT_TYPE_NAME:
        raise ValueError(f"{where}: peft_type is {doc.get('peft_type')!r}, want {PEFT_TYPE_NAME!r}")
    if doc.get("qpeft_format_version") != FORMAT_VERSION:
        raise ValueError(f"{where}: qpeft_format_version {doc.get('qpeft_format_version')} is not supported (want {FORMAT_VERSION})")
    if doc.get("method") != "quantum-peft":
        raise ValueError(f"{where}: method {doc.get('method')!r}: this package loads quantum-peft adapters "
                         "(export LoRA/AdaLoRA adapters with `qpeft export` and load them with peft's LoraConfig)")
    kind = doc.get("map", "pauli")
    if kind == "taylor":
        raise ValueError(f"{where}: the taylor map has no circuit program; train it with the Go toolkit")
    modules = doc.get("modules", {})
    programs = doc.get("programs")
    if programs is None:
        raise ValueError(
            f"{where}: this directory has no \"programs\" (written before qpeft stored them); load and save it "
            "once with a current qpeft (`qpeft export --adapter DIR` reads it; re-saving adds the programs)"
        )
    table = {}
    for name, m in modules.items():
        if "factor_U" not in m or "factor_V" not in m:
            raise ValueError(f"{where}: module {name} has no factor_U/factor_V")
        table[name] = {"out": m["out"], "in": m["in"], "active_ranks": m["active_ranks"],
                       "factor_U": m["factor_U"], "factor_V": m["factor_V"], "rank": m.get("rank", doc["rank"])}
    ansatz: Union[str, Dict[int, str]] = "pauli"
    if kind == "circuit":
        ansatz = {int(k[len("user_dim"):]): f"<stored:{k}>" for k in doc.get("circuits", {})}
    cfg = QuantumPEFTConfig(
        target_modules=sorted(table), rank=doc["rank"], layers=doc.get("layers", 0), alpha=doc.get("alpha", 0),
        ansatz=ansatz, cs_mode=doc.get("cs_mode", "walsh") or "walsh", active_rank=doc.get("active_rank", 0),
        prune_step=doc.get("prune_step", 0), quant_bits=doc.get("quant_bits", 0),
        init_scale=doc.get("init_scale", 0), seed=doc.get("seed", 0),
        qpeft_modules=table, qpeft_programs=programs, qpeft_circuits=doc.get("circuits", {}),
        qpeft_family=doc.get("ansatz", ""), qpeft_start=doc.get("start", ""), qpeft_rank_pattern=doc.get("rank_pattern"),
    )
    cfg.base_model_name_or_path = doc.get("base_model_name_or_path") or None
    return cfg


_KEY_RE = re.compile(r"^(?:base_model\.model\.)?(.*)\.qpeft_(theta_U|theta_V|lambda)\.([^.]+)$")


class QuantumPEFTModel(BaseTuner):
    """The PEFT tuner that wraps target modules with Quantum-PEFT layers."""

    prefix: str = "qpeft_"
    tuner_layer_cls = QuantumPEFTLayer
    target_module_mapping: Dict[str, List[str]] = {}

    def _prepare_adapter_config(self, peft_config, model_config):  # no default target modules
        if peft_config.target_modules is None:
            raise ValueError("QuantumPEFTConfig needs target_modules")
        return peft_config

    def _factor_for(self, cfg: QuantumPEFTConfig, dim: int) -> Dict[str, Any]:
        circuit = cfg.circuit_for(dim)
        if circuit is not None and circuit.startswith("<stored:"):
            raise ValueError(f"no stored factor for dimension {dim} in the loaded adapter")
        doc = factor_document(dim, cfg.rank, cfg.layers, cfg.cs_mode, circuit)
        if cfg.qpeft_programs is None:
            cfg.qpeft_programs, cfg.qpeft_circuits = {}, {}
        cfg.qpeft_programs.update(doc["programs"])
        cfg.qpeft_circuits.update(doc["circuits"])
        return doc["factor"]

    def _create_and_replace(self, peft_config, adapter_name, target, target_name, parent, current_key, **kwargs):
        cfg: QuantumPEFTConfig = peft_config
        base = target.get_base_layer() if isinstance(target, BaseTunerLayer) else target
        _, out, inn = layer_shape(base)
        name = current_key
        stored = (cfg.qpeft_modules or {}).get(name)
        if stored is not None:
            if stored["out"] != out or stored["in"] != inn:
                raise ValueError(f"module {name}: the adapter is {stored['out']}x{stored['in']} but the model's weight is {out}x{inn}")
            tree_u, tree_v, active = stored["factor_U"], stored["factor_V"], stored["active_ranks"]
            k = stored.get("rank", cfg.rank)
        else:
            tree_u, tree_v = self._factor_for(cfg, out), self._factor_for(cfg, inn)
            k = cfg.rank
            n_active = k if (cfg.active_rank == 0 or cfg.prune_step > 0) else cfg.active_rank
            active = list(range(n_active))
        cache = self.__dict__.setdefault("_qpeft_programs", {})
        for pid, pdoc in (cfg.qpeft_programs or {}).items():
            if pid not in cache:
                cache[pid] = Program(pdoc)
        fu, fv = Factor(tree_u, cache), Factor(tree_v, cache)
        info = {"name": name, "out": out, "in": inn, "factor_U": tree_u, "factor_V": tree_v, "rank": k}
        kw = dict(factor_u=fu, factor_v=fv, rank=k, alpha=cfg.alpha, active=active, quant_bits=cfg.quant_bits,
                  init_scale=cfg.init_scale, seed=cfg.module_seed(name), info=info,
                  inference_mode=cfg.inference_mode)
        if isinstance(target, QuantumPEFTLayer):
            target.update_layer(adapter_name, **kw)
        else:
            new = QuantumPEFTModule(target, adapter_name, **kw)
            if adapter_name not in self.active_adapters:
                new.requires_grad_(False)
            self._replace_module(parent, target_name, new, target)

    @staticmethod
    def _create_new_module(peft_config, adapter_name, target, **kwargs):  # pragma: no cover - unused
        raise NotImplementedError

    # ---- saving and loading in qpeft's format ----

    @classmethod
    def _get_adapter_state_dict(cls, model, config, adapter_name, state_dict, unwanted_adapter_names):
        out = super()._get_adapter_state_dict(model, config, adapter_name, state_dict, unwanted_adapter_names)
        modules = {}
        for mname, mod in model.named_modules():
            if isinstance(mod, QuantumPEFTLayer) and adapter_name in mod.qpeft_info:
                info = dict(mod.qpeft_info[adapter_name])
                info["active_ranks"] = list(mod.qpeft_active[adapter_name])
                modules[info["name"]] = info
        config._qpeft_save = {"modules": modules}
        return {k: v.detach().to(torch.float64).contiguous() for k, v in out.items() if _KEY_RE.match(k)}

    @classmethod
    def _remove_adapter_name_from_key(cls, key: str, adapter_name: str) -> str:
        m = _KEY_RE.match(key)
        if m and m.group(3) == adapter_name:
            return f"{m.group(1)}.{m.group(2)}"
        return super()._remove_adapter_name_from_key(key, adapter_name)

    # ---- the rank mask ----

    def qpeft_on_step(self, step: int, adapter_name: Optional[str] = None) -> None:
        """Prunes every layer to K′ when `step` (counting from 1) is the configured prune step."""
        if adapter_name is None:
            active = self.active_adapter
            adapter_name = active[0] if isinstance(active, (list, tuple)) else active
        cfg = self.peft_config[adapter_name]
        if cfg.prune_step > 0 and step == cfg.prune_step:
            for mod in self.model.modules():
                if isinstance(mod, QuantumPEFTLayer) and adapter_name in mod.qpeft_active:
                    mod.prune(adapter_name, cfg.active_rank)


def register() -> None:
    """Adds QUANTUM_PEFT to PEFT (idempotent)."""
    from peft.mapping import PEFT_TYPE_TO_CONFIG_MAPPING
    from peft.utils import register_peft_method

    _add_peft_type_member()
    if PeftType.QUANTUM_PEFT in PEFT_TYPE_TO_CONFIG_MAPPING:
        return
    register_peft_method(name="quantum_peft", config_cls=QuantumPEFTConfig, model_cls=QuantumPEFTModel, prefix="qpeft_")
