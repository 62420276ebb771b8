"""Run qpeft's compiled programs (docs/program-schema.md) with torch operations.

A program document lists the stages qpeft's lowering compiled from a real circuit; a factor
tree combines programs (power-of-two blocks) with block cosine–sine nodes (other dimensions).
This module only *interprets* those documents: it never compiles a circuit. Every operation
acts on a block of columns X (N × m), so the first K columns of a factor cost O(N log N · K)
work and O(N · K) memory per stage, never an N × N matrix; everything is differentiable by
autograd with respect to θ.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional

import torch

PROGRAM_FORMAT = "qpeft-program"
PROGRAM_VERSION = 1
FACTOR_FORMAT = "qpeft-factor"
FACTOR_VERSION = 1

_UNARY = {
    "neg": torch.neg,
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "asin": torch.asin,
    "acos": torch.acos,
    "atan": torch.atan,
    "exp": torch.exp,
    "ln": torch.log,
    "sqrt": torch.sqrt,
}
_BINARY = {"add", "sub", "mul", "div", "pow"}


# Adjacent qubits of a kron stage applied together (a 2^KRON_GROUP-square Kronecker product).
KRON_GROUP = 4
KRON_EINSUM = True


class ProgramError(ValueError):
    """A program or factor document is malformed or of an unsupported version."""


def _check_expr(e: Dict[str, Any], nparams: int, where: str) -> None:
    keys = [k for k in ("const", "param", "fn") if k in e]
    if len(keys) != 1:
        raise ProgramError(f"{where}: an expression node needs exactly one of const, param, fn (has {keys})")
    if "param" in e:
        p = e["param"]
        if not isinstance(p, int) or p < 0 or p >= nparams:
            raise ProgramError(f"{where}: param {p} outside 0..{nparams - 1}")
    elif "fn" in e:
        fn, args = e["fn"], e.get("args", [])
        want = 2 if fn in _BINARY else 1
        if fn not in _BINARY and fn not in _UNARY:
            raise ProgramError(f"{where}: unknown fn {fn!r}")
        if len(args) != want:
            raise ProgramError(f"{where}: fn {fn!r} takes {want} arguments, has {len(args)}")
        for a in args:
            _check_expr(a, nparams, where)


def eval_expr(e: Dict[str, Any], theta: torch.Tensor) -> torch.Tensor:
    """Evaluates an angle expression tree at θ (a 1-D tensor) with torch operations."""
    if "param" in e:
        return theta[e["param"]]
    if "const" in e:
        return theta.new_tensor(float(e["const"]))
    fn, args = e["fn"], e["args"]
    if fn in _BINARY:
        a, b = eval_expr(args[0], theta), eval_expr(args[1], theta)
        if fn == "add":
            return a + b
        if fn == "sub":
            return a - b
        if fn == "mul":
            return a * b
        if fn == "div":
            return a / b
        return torch.pow(a, b)
    return _UNARY[fn](eval_expr(args[0], theta))


def _bits(rows: torch.Tensor, qubits: List[int]) -> torch.Tensor:
    """Support index of each row: bit j is bit qubits[j] of the row."""
    s = torch.zeros_like(rows)
    for j, q in enumerate(qubits):
        s |= ((rows >> q) & 1) << j
    return s


def _spread(s: torch.Tensor, qubits: List[int]) -> torch.Tensor:
    out = torch.zeros_like(s)
    for j, q in enumerate(qubits):
        out |= ((s >> j) & 1) << q
    return out


class _Gate:
    """A gate matrix in its stage's space: constant, or C + cos(a/2)·Cc + sin(a/2)·Cs."""

    def __init__(self, g: Dict[str, Any], d: int, nparams: int, where: str):
        sq = d * d
        self.d = d
        self.angle = g.get("angle")
        if self.angle is None:
            m = g.get("matrix")
            if m is None or len(m) != sq or any(k in g for k in ("const", "cos", "sin")):
                raise ProgramError(f"{where}: a constant gate needs a {sq}-entry matrix")
            self.mats = [torch.tensor(m, dtype=torch.float64).reshape(d, d)]
        else:
            _check_expr(self.angle, nparams, where)
            if "matrix" in g or any(len(g.get(k, [])) != sq for k in ("const", "cos", "sin")):
                raise ProgramError(f"{where}: a parametric gate needs {sq}-entry const, cos and sin")
            self.mats = [torch.tensor(g[k], dtype=torch.float64).reshape(d, d) for k in ("const", "cos", "sin")]
        self._cache: Dict[Any, List[torch.Tensor]] = {}
        # Set by Program for 2 × 2 gates whose angle is a bare parameter: their matrices are
        # computed for all such gates at once (slot into the batch).
        self.slot: Optional[int] = None

    def matrix(self, theta: torch.Tensor, batch: Optional[torch.Tensor] = None) -> torch.Tensor:
        if self.slot is not None and batch is not None:
            return batch[self.slot]
        key = (theta.device, theta.dtype)
        mats = self._cache.get(key)
        if mats is None:
            mats = [m.to(device=theta.device, dtype=theta.dtype) for m in self.mats]
            self._cache[key] = mats
        if self.angle is None:
            return mats[0]
        half = eval_expr(self.angle, theta) / 2
        return mats[0] + torch.cos(half) * mats[1] + torch.sin(half) * mats[2]


def _product(gates: List[_Gate], theta: torch.Tensor, d: int, batch: Optional[torch.Tensor] = None) -> torch.Tensor:
    m: Optional[torch.Tensor] = None
    for g in gates:
        gm = g.matrix(theta, batch)
        m = gm if m is None else gm @ m
    if m is None:
        m = torch.eye(d, dtype=theta.dtype, device=theta.device)
    return m


class Program:
    """A compiled real program (one program document), applied to blocks of columns."""

    def __init__(self, doc: Dict[str, Any]):
        if doc.get("format") != PROGRAM_FORMAT:
            raise ProgramError(f"program document: format is {doc.get('format')!r}, want {PROGRAM_FORMAT!r}")
        if doc.get("version") != PROGRAM_VERSION:
            raise ProgramError(
                f"program document: version {doc.get('version')} is not supported (want {PROGRAM_VERSION}); "
                "upgrade qpeft_torch or recompile the adapter with a matching qpeft"
            )
        n, dim = doc.get("qubits"), doc.get("dim")
        if not isinstance(n, int) or n < 0 or n > 62 or dim != 1 << n:
            raise ProgramError(f"program document: qubits {n} and dim {dim} disagree")
        self.qubits, self.dim = n, dim
        self.params: List[str] = list(doc.get("params", []))
        np_ = len(self.params)
        self.stages: List[Dict[str, Any]] = []
        for i, st in enumerate(doc.get("stages", [])):
            where = f"program document: stage {i} ({st.get('kind')})"
            qs = list(st.get("qubits", []))
            ctl = list(st.get("controls", []))
            for q in qs + ctl:
                if not isinstance(q, int) or q < 0 or q >= n:
                    raise ProgramError(f"{where}: qubit {q} outside 0..{n - 1}")
            if len(set(qs + ctl)) != len(qs + ctl):
                raise ProgramError(f"{where}: a qubit is listed twice")
            kind = st.get("kind")
            s: Dict[str, Any] = {"kind": kind, "qubits": qs}
            if kind == "kron":
                fs = st.get("factors", [])
                if len(fs) != len(qs):
                    raise ProgramError(f"{where}: {len(fs)} factor lists for {len(qs)} qubits")
                s["factors"] = [[_Gate(g, 2, np_, where) for g in f] for f in fs]
                s["groups"] = sorted({q - q % KRON_GROUP for q in qs})
            elif kind == "diag":
                d = st.get("diagonal", [])
                if len(d) != 1 << len(qs):
                    raise ProgramError(f"{where}: the diagonal needs 2^{len(qs)} entries, has {len(d)}")
                s["diagonal"] = torch.tensor(d, dtype=torch.float64)
            elif kind == "perm":
                sg = st.get("sigma", [])
                if sorted(sg) != list(range(1 << len(qs))):
                    raise ProgramError(f"{where}: sigma is not a permutation of 0..{(1 << len(qs)) - 1}")
                s["sigma"] = torch.tensor(sg, dtype=torch.long)
            elif kind == "block":
                if not 1 <= len(qs) <= 3:
                    raise ProgramError(f"{where}: {len(qs)} target qubits (want 1..3)")
                s["controls"] = ctl
                s["gates"] = [_Gate(g, 1 << len(qs), np_, where) for g in st.get("gates", [])]
            else:
                raise ProgramError(f"{where}: unknown stage kind")
            self.stages.append(s)
        self._tables: Dict[Any, Any] = {}
        # The 2 × 2 gates whose angle is a bare parameter (every gate of the Pauli ansatz).
        simple = [g for st in self.stages if st["kind"] == "kron" for f in st["factors"] for g in f
                  if g.angle is not None and set(g.angle) == {"param"}]
        for k, g in enumerate(simple):
            g.slot = k
        self._simple_idx = torch.tensor([g.angle["param"] for g in simple], dtype=torch.long)
        self._simple_mats = torch.stack([torch.stack(g.mats) for g in simple]) if simple else None  # (G, 3, 2, 2)

    def _batch(self, theta: torch.Tensor) -> Optional[torch.Tensor]:
        """The matrices of all bare-parameter 2 × 2 gates at θ, (G, 2, 2), in one go."""
        if self._simple_mats is None:
            return None
        key = ("batch", theta.device, theta.dtype)
        c = self._tables.get(key)
        if c is None:
            c = (self._simple_idx.to(theta.device), self._simple_mats.to(device=theta.device, dtype=theta.dtype))
            self._tables[key] = c
        idx, mats = c
        half = theta.index_select(0, idx) / 2
        co, si = torch.cos(half).view(-1, 1, 1), torch.sin(half).view(-1, 1, 1)
        return mats[:, 0] + co * mats[:, 1] + si * mats[:, 2]

    def _table(self, i: int, device: torch.device, dtype: torch.dtype):
        key = (i, device, dtype)
        t = self._tables.get(key)
        if t is not None:
            return t
        st = self.stages[i]
        N = self.dim
        rows = torch.arange(N, dtype=torch.long)
        if st["kind"] == "diag":
            t = st["diagonal"][_bits(rows, st["qubits"])].to(device=device, dtype=dtype).unsqueeze(1)
        elif st["kind"] == "perm":
            mask = sum(1 << q for q in st["qubits"])
            to = (rows & ~mask) | _spread(st["sigma"][_bits(rows, st["qubits"])], st["qubits"])
            src = torch.empty_like(rows)
            src[to] = rows
            t = src.to(device)
        elif st["kind"] == "block":
            cmask = sum(1 << q for q in st["controls"])
            tmask = sum(1 << q for q in st["qubits"])
            base = rows[((rows & tmask) == 0) & ((rows & cmask) == cmask)]
            D = 1 << len(st["qubits"])
            offs = _spread(torch.arange(D, dtype=torch.long), st["qubits"])
            t = (base.unsqueeze(1) | offs.unsqueeze(0)).to(device)  # (B, D)
        self._tables[key] = t
        return t

    def apply(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Returns Q(θ)·x for x of shape (N, m); θ is the program's parameter vector."""
        if theta.shape != (len(self.params),):
            raise ValueError(f"the program has {len(self.params)} parameters, got θ of shape {tuple(theta.shape)}")
        if x.shape[0] != self.dim:
            raise ValueError(f"x has {x.shape[0]} rows, the program dimension is {self.dim}")
        m = x.shape[1]
        N = self.dim
        batch = self._batch(theta)
        for i, st in enumerate(self.stages):
            kind = st["kind"]
            if kind == "kron":
                # The factors commute; runs of up to KRON_GROUP adjacent qubits are applied as one
                # Kronecker product (F_hi ⊗ … ⊗ F_lo, identity for a qubit without factor) on their
                # merged axis: fewer passes over X than one 2 × 2 product per qubit.
                fs = {q: _product(gates, theta, 2, batch) for q, gates in zip(st["qubits"], st["factors"])}
                for lo in st["groups"]:
                    hi = min(lo + KRON_GROUP, self.qubits)
                    mat = None
                    for q in range(lo, hi):
                        fq = fs.get(q)
                        if fq is None:
                            fq = torch.eye(2, dtype=theta.dtype, device=theta.device)
                        mat = fq if mat is None else torch.kron(fq, mat)
                    g = hi - lo
                    # (2^g × 2^g) · (A, 2^g, B): a batched product with no copy of X.
                    xv = x.reshape(N >> hi, 1 << g, (1 << lo) * m)
                    if KRON_EINSUM:
                        x = torch.einsum("ij,ajb->aib", mat, xv).reshape(N, m)
                    else:
                        x = torch.matmul(mat, xv).reshape(N, m)
            elif kind == "diag":
                x = x * self._table(i, x.device, x.dtype)
            elif kind == "perm":
                x = x.index_select(0, self._table(i, x.device, x.dtype))
            else:
                D = 1 << len(st["qubits"])
                M = _product(st["gates"], theta, D)
                idx = self._table(i, x.device, x.dtype)
                blk = x[idx]  # (B, D, m)
                out = torch.einsum("ij,bjm->bim", M, blk)
                x = x.index_copy(0, idx.reshape(-1), out.reshape(-1, m))
        return x


def _walsh_angles(alpha: torch.Tensor, n2: int) -> torch.Tensor:
    i = torch.arange(n2, device=alpha.device)
    phi = alpha[0].expand(n2)
    for b in range(alpha.shape[0] - 1):
        sign = 1 - 2 * ((i >> b) & 1)
        phi = phi + sign.to(alpha.dtype) * alpha[b + 1]
    return phi


class Factor:
    """A factor tree (docs/program-schema.md): Q(θ) ∈ O(N) built from programs and cosine–sine
    nodes; columns(θ, K) is U = Q(θ)·E_K."""

    def __init__(self, tree: Dict[str, Any], programs: Dict[str, Any]):
        self.tree = tree
        self.programs: Dict[str, Program] = {}
        self.dim = int(tree["dim"])
        self.num_params = int(tree["params"])
        self._check(tree, programs, 0, self.num_params)

    def _check(self, t: Dict[str, Any], programs: Dict[str, Any], lo: int, hi: int) -> None:
        kind, dim, off, p = t.get("kind"), t.get("dim"), t.get("offset"), t.get("params")
        if not all(isinstance(v, int) for v in (dim, off, p)) or off < lo or off + p > hi:
            raise ProgramError(f"factor node {kind}: parameters {off}..{off}+{p} outside {lo}..{hi}")
        if kind == "identity":
            return
        if kind == "circuit":
            name = t.get("program")
            if name not in programs:
                raise ProgramError(f"factor: program {name!r} is missing from the programs")
            if name not in self.programs:
                prog = programs[name]
                self.programs[name] = prog if isinstance(prog, Program) else Program(prog)
            prog = self.programs[name]
            if prog.dim != dim or len(prog.params) != p:
                raise ProgramError(f"factor: program {name!r} is {prog.dim}-dimensional with {len(prog.params)} parameters, the node {dim} and {p}")
            return
        if kind == "blockcs":
            n1, n2 = t.get("n1"), t.get("n2")
            if n1 + n2 != dim or n2 > n1 or t.get("cs_mode") not in ("walsh", "full"):
                raise ProgramError(f"factor: malformed blockcs node of dimension {dim}")
            want = n2 if t["cs_mode"] == "full" else 1 + (n2 - 1).bit_length()
            if t.get("cs_params") != want:
                raise ProgramError(f"factor: blockcs node has {t.get('cs_params')} CS parameters, want {want}")
            for k, d in (("b1", n1), ("a1", n1), ("a2", n2)):
                if k not in t or t[k]["dim"] != d:
                    raise ProgramError(f"factor: blockcs block {k} must have dimension {d}")
                self._check(t[k], programs, off, off + p)
            return
        raise ProgramError(f"factor: unknown node kind {kind!r}")

    def apply(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Returns Q(θ)·x for x of shape (N, m)."""
        if theta.shape != (self.num_params,):
            raise ValueError(f"the factor has {self.num_params} parameters, got θ of shape {tuple(theta.shape)}")
        return self._apply(self.tree, theta, x)

    def _apply(self, t: Dict[str, Any], theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        kind = t["kind"]
        if kind == "identity":
            return x
        if kind == "circuit":
            off, p = t["offset"], t["params"]
            return self.programs[t["program"]].apply(theta[off:off + p], x)
        n1, n2 = t["n1"], t["n2"]
        x1 = self._apply(t["b1"], theta, x[:n1])
        x2 = x[n1:]
        alpha = theta[t["cs_offset"]:t["cs_offset"] + t["cs_params"]]
        phi = alpha if t["cs_mode"] == "full" else _walsh_angles(alpha, n2)
        c, s = torch.cos(phi / 2).unsqueeze(1), torch.sin(phi / 2).unsqueeze(1)
        top, rest = x1[:n2], x1[n2:]
        y1 = torch.cat((c * top - s * x2, rest), 0)
        y2 = s * top + c * x2
        return torch.cat((self._apply(t["a1"], theta, y1), self._apply(t["a2"], theta, y2)), 0)

    def columns(self, theta: torch.Tensor, k: int) -> torch.Tensor:
        """U = Q(θ)·E_K: the first k columns (N × k)."""
        if not 1 <= k <= self.dim:
            raise ValueError(f"k = {k} outside 1..{self.dim}")
        e = torch.eye(self.dim, k, dtype=theta.dtype, device=theta.device)
        return self.apply(theta, e)


def load_factor_document(doc: Dict[str, Any]) -> Factor:
    """Builds a Factor from a factor document (qpeft ansatz blocks --json)."""
    if doc.get("format") != FACTOR_FORMAT or doc.get("version") != FACTOR_VERSION:
        raise ProgramError(
            f"factor document: format {doc.get('format')!r} version {doc.get('version')} is not "
            f"{FACTOR_FORMAT!r} version {FACTOR_VERSION}"
        )
    return Factor(doc["factor"], doc["programs"])
