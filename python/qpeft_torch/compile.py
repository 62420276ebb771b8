"""Compiling ansätze with the qpeft binary (the only place circuits are compiled).

The binary is found through the QPEFT_BIN environment variable, else as `qpeft` on PATH.
Build it from the repository root with `go build -o ~/bin/qpeft ./cmd/qpeft` (Go 1.26).
Loading or resuming an adapter directory needs no binary: the directory carries its programs.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from typing import Any, Dict, Optional

from .program import Factor, load_factor_document


class QpeftBinaryError(RuntimeError):
    """The qpeft binary is missing or failed."""


def qpeft_binary() -> str:
    """Path of the qpeft binary: $QPEFT_BIN, else `qpeft` on PATH."""
    env = os.environ.get("QPEFT_BIN")
    if env:
        if not (os.path.isfile(env) and os.access(env, os.X_OK)):
            raise QpeftBinaryError(f"QPEFT_BIN={env} is not an executable file; build it with `go build -o {env} ./cmd/qpeft`")
        return env
    found = shutil.which("qpeft")
    if not found:
        raise QpeftBinaryError(
            "the qpeft binary is needed to compile an ansatz (a new adapter); it was not found on PATH and QPEFT_BIN "
            "is unset. Build it in the qpeft repository with `go build -o ~/go/bin/qpeft ./cmd/qpeft` and put it on "
            "PATH, or set QPEFT_BIN. (Loading a saved adapter directory needs no binary.)"
        )
    return found


def run_qpeft(*args: str) -> str:
    """Runs qpeft with args and returns its standard output."""
    binary = qpeft_binary()
    p = subprocess.run([binary, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise QpeftBinaryError(f"{binary} {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


@functools.lru_cache(maxsize=256)
def _factor_json(dim: int, rank: int, layers: int, cs_mode: str, circuit: Optional[str], mtime: float) -> str:
    args = ["ansatz", "blocks", "--dim", str(dim), "--rank", str(rank), "--layers", str(layers), "--cs", cs_mode, "--json"]
    if circuit:
        args += ["--circuit", circuit]
    return run_qpeft(*args)


def factor_document(dim: int, rank: int, layers: int = 1, cs_mode: str = "walsh", circuit: Optional[str] = None) -> Dict[str, Any]:
    """The factor document qpeft compiles for a factor of dimension `dim` (Pauli ansatz with
    `layers` layers, or the OpenQASM ansatz `circuit` on log2(dim) qubits)."""
    mtime = os.path.getmtime(circuit) if circuit else 0.0
    return json.loads(_factor_json(dim, rank, layers, cs_mode, os.path.abspath(circuit) if circuit else None, mtime))


def compile_factor(dim: int, rank: int, layers: int = 1, cs_mode: str = "walsh", circuit: Optional[str] = None) -> Factor:
    """Compiles (with the qpeft binary) and loads a factor."""
    return load_factor_document(factor_document(dim, rank, layers, cs_mode, circuit))


def compile_program(qasm_path: str) -> Dict[str, Any]:
    """The program document of an OpenQASM file (qpeft lower FILE --form kron --json)."""
    return json.loads(run_qpeft("lower", qasm_path, "--form", "kron", "--json"))
