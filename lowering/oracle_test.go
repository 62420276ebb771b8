package lowering

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	qq "github.com/itsubaki/q"
	qgate "github.com/itsubaki/q/quantum/gate"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/internal/oracle"
)

// Oracles. None of them shares code with the package under test: the brute-force reference
// (internal/oracle) embeds every op's matrix (from package gates, which is tested against
// hand-written matrices, controls added by the oracle) into the 2^n space by the index
// formula and multiplies; the
// Kronecker reference builds layers as literal Kronecker products; itsubaki/q simulates
// column by column (it is big-endian: bits are reversed); finite differences and the
// parameter-shift rule check gradients.

// The short names the lowering tests use for internal/oracle's functions.
var (
	fullEmbed  = oracle.Embed
	denseMul   = oracle.MatMul
	kron       = oracle.Kron
	maxAbsDiff = oracle.MaxDiff
)

// applyEmbedded returns E·X for E = fullEmbed(n, qubits, m) without forming E.
func applyEmbedded(n int, qubits []int, m []complex128, x []complex128, K int) []complex128 {
	return oracle.ApplyColumns(x, K, m, qubits)
}

// bruteColumns is U·X0 for the circuit bound by env, op by op, with X0 = the first K
// columns of the identity (or x0 when given).
func bruteColumns(t testing.TB, c *circuit.Circuit, env circuit.Env, K int, x0 []complex128) []complex128 {
	t.Helper()
	x, err := oracle.Columns(c, env, K, x0)
	require.NoError(t, err)
	return x
}

// bruteDenseProduct multiplies the full embedded matrices (small n only).
func bruteDenseProduct(t testing.TB, c *circuit.Circuit, env circuit.Env) []complex128 {
	t.Helper()
	u, err := oracle.Product(c, env)
	require.NoError(t, err)
	return u
}

// kronLayer is the literal Kronecker product m[n−1] ⊗ … ⊗ m[0] of 2×2 factors (nil = I).
func kronLayer(ms [][]complex128) []complex128 {
	out := []complex128{1}
	d := 1
	for q := len(ms) - 1; q >= 0; q-- {
		m := ms[q]
		if m == nil {
			m = []complex128{1, 0, 0, 1}
		}
		out = kron(out, d, m, 2)
		d *= 2
	}
	return out
}

// kronAdjacent is I ⊗ m ⊗ I for a 2-qubit m on qubits (q, q+1) (argument order), as a literal
// Kronecker product.
func kronAdjacent(n, q int, m []complex128) []complex128 {
	hi := oracle.Identity(1 << (n - q - 2))
	lo := oracle.Identity(1 << q)
	return kron(kron(hi, 1<<(n-q-2), m, 4), 1<<(n-q), lo, 1<<q)
}

// itsubakiColumns simulates the circuit column by column with itsubaki/q (big-endian: our
// qubit k is its qubit n−1−k, bits reversed). Only gates itsubaki has are accepted.
func itsubakiColumns(t testing.TB, c *circuit.Circuit, env circuit.Env, K int) []complex128 {
	t.Helper()
	n := c.NumQubits
	d := 1 << n
	out := make([]complex128, d*K)
	for j := 0; j < K; j++ {
		s := qq.New()
		qs := s.Zeros(n)
		// Our qubit k is itsubaki's qubit n−1−k; itsubaki's qubit 0 is the most significant
		// bit of its index, so with this relabelling the basis indices coincide.
		Q := func(k int) qq.Qubit { return qs[n-1-k] }
		for b := 0; b < n; b++ {
			if j>>b&1 == 1 {
				s.X(Q(b))
			}
		}
		for i := range c.Ops {
			op := &c.Ops[i]
			if op.Kind == circuit.Barrier {
				continue
			}
			p, err := op.Params(env)
			if err != nil {
				t.Fatal(err)
			}
			qb := op.Qubits
			name := op.Gate.Name
			if op.Ctrl != 0 {
				t.Fatalf("itsubaki oracle: ctrl @ %s not supported", name)
			}
			switch name {
			case "id":
			case "h":
				s.H(Q(qb[0]))
			case "x":
				s.X(Q(qb[0]))
			case "y":
				s.Y(Q(qb[0]))
			case "z":
				s.Z(Q(qb[0]))
			case "s":
				s.S(Q(qb[0]))
			case "t":
				s.T(Q(qb[0]))
			case "rx":
				s.RX(p[0], Q(qb[0]))
			case "ry":
				s.RY(p[0], Q(qb[0]))
			case "rz":
				s.RZ(p[0], Q(qb[0]))
			case "U":
				s.U(p[0], p[1], p[2], Q(qb[0]))
			case "cx":
				s.CNOT(Q(qb[0]), Q(qb[1]))
			case "cz":
				s.CZ(Q(qb[0]), Q(qb[1]))
			case "cp":
				s.CR(p[0], Q(qb[0]), Q(qb[1]))
			case "cry":
				s.C(qgate.RY(p[0]), Q(qb[0]), Q(qb[1]))
			case "crx":
				s.C(qgate.RX(p[0]), Q(qb[0]), Q(qb[1]))
			case "crz":
				s.C(qgate.RZ(p[0]), Q(qb[0]), Q(qb[1]))
			case "ch":
				s.C(qgate.H(), Q(qb[0]), Q(qb[1]))
			case "swap":
				s.Swap(Q(qb[0]), Q(qb[1]))
			case "ccx":
				s.CCNOT(Q(qb[0]), Q(qb[1]), Q(qb[2]))
			default:
				t.Fatalf("itsubaki oracle: gate %s not supported", name)
			}
		}
		amp := s.Amplitude()
		for i := 0; i < d; i++ {
			out[i*K+j] = amp[i]
		}
	}
	return out
}

func realToComplex(v []float64) []complex128 {
	out := make([]complex128, len(v))
	for i, x := range v {
		out[i] = complex(x, 0)
	}
	return out
}

// ---- random circuits ----

// gateSpec is a gate the random generator may use.
type gateSpec struct {
	name string
	ctrl int // extra ctrl @ modifiers
}

var (
	realGates    = []string{"ry", "ry", "ry", "cry", "cz", "cz", "cx", "x", "z", "h", "ch", "swap", "ccx", "cswap", "id"}
	itsubakiSet  = []string{"h", "x", "y", "z", "s", "t", "rx", "ry", "rz", "U", "cx", "cz", "cp", "cry", "crx", "crz", "ch", "swap", "ccx"}
	rotationSet  = []string{"rx", "ry", "rz", "cry", "crx", "crz", "rxx", "ryy", "rzz", "cz", "cx", "h", "swap"}
	complexGates = []string{"rx", "ry", "rz", "p", "cp", "crz", "crx", "cry", "u", "U", "u3", "u2", "s", "t", "sdg", "sx",
		"y", "cy", "rxx", "ryy", "rzz", "iswap", "ecr", "ms", "gphase", "gpi", "gpi2", "cu", "h", "cz", "cx", "swap", "ccx", "cswap"}
)

// randExpr returns an angle: a shared symbol, an expression of symbols, or a constant.
func randExpr(r *rand.Rand, syms []string) circuit.Expr {
	s := circuit.Param(syms[r.IntN(len(syms))])
	switch r.IntN(6) {
	case 0:
		return circuit.Num(r.Float64()*4 - 2)
	case 1:
		return circuit.Add(circuit.Mul(circuit.Num(2), s), circuit.Div(circuit.Num(math.Pi), circuit.Num(4)))
	case 2:
		return circuit.Neg{X: s}
	case 3:
		o := circuit.Param(syms[r.IntN(len(syms))])
		return circuit.Sub(circuit.Mul(circuit.Num(0.5), s), o)
	default:
		return s
	}
}

// randCircuit builds a random circuit on n qubits from the named gates, with symbols
// shared between gates. withCtrl adds ctrl @ modifiers to some gates.
func randCircuit(r *rand.Rand, n, ops int, names []string, syms []string, withCtrl bool) *circuit.Circuit {
	c := circuit.New(n)
	for _, s := range syms {
		c.DeclareParam(s)
	}
	for len(c.Ops) < ops {
		g := gates.MustGet(names[r.IntN(len(names))])
		ctrl := 0
		if withCtrl && g.Qubits >= 1 && r.IntN(8) == 0 {
			ctrl = 1
		}
		if g.Qubits+ctrl > n {
			continue
		}
		qs := r.Perm(n)[:g.Qubits+ctrl]
		args := make([]circuit.Expr, g.Params)
		for i := range args {
			args[i] = randExpr(r, syms)
		}
		if err := c.Append(circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: qs, Args: args}); err != nil {
			panic(err)
		}
	}
	return c
}

func randTheta(r *rand.Rand, k int) []float64 {
	th := make([]float64, k)
	for i := range th {
		th[i] = r.Float64()*2*math.Pi - math.Pi
	}
	return th
}

func symNames(k int) []string {
	s := make([]string, k)
	for i := range s {
		s[i] = fmt.Sprintf("t%d", i)
	}
	return s
}

// pauli builds the canonical Pauli ansatz of method.md §2: RY on every qubit, then L times
// CZ on even pairs each followed by RY on both, then CZ on odd pairs each followed by RY on
// both. Angles are parameters theta_0, theta_1, … in order of use.
func pauli(n, L int) *circuit.Circuit {
	c := circuit.New(n)
	k := 0
	next := func() string { k++; return fmt.Sprintf("theta_%d", k-1) }
	for q := 0; q < n; q++ {
		c.RY(next(), q)
	}
	for l := 0; l < L; l++ {
		for _, start := range []int{0, 1} {
			for a := start; a+1 < n; a += 2 {
				c.CZ(a, a+1)
				c.RY(next(), a)
				c.RY(next(), a+1)
			}
		}
	}
	return c
}

// isRealMat reports whether every entry has a zero imaginary part.
func isRealMat(m []complex128) bool {
	for _, v := range m {
		if imag(v) != 0 {
			return false
		}
	}
	return true
}

// isDiagMat reports whether a d×d matrix is diagonal.
func isDiagMat(m []complex128, d int) bool {
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			if i != j && m[i*d+j] != 0 {
				return false
			}
		}
	}
	return true
}
