package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/internal/oracle"
)

// Brute-force oracles: internal/oracle embeds every op's matrix densely into the 2^n space
// and multiplies. It shares nothing with the kernels but the gate matrices (package gates,
// which is tested against hand-written matrices on its own). The short names below are the
// ones the sim tests use.
var (
	embed     = oracle.Embed
	matMul    = oracle.MatMul
	adjoint   = oracle.Adjoint
	transpose = oracle.Transpose
	identity  = oracle.Identity
	maxDiff   = oracle.MaxDiff
	kron      = oracle.Kron
	// controlledDense(m, nt, nc) is m on nt qubits with nc controls on the low bits.
	controlledDense = oracle.Controlled
)

// opDense is the dense matrix of a gate op (controls included) on n qubits.
func opDense(t testing.TB, n int, op *circuit.Op, env circuit.Env) []complex128 {
	t.Helper()
	m, err := oracle.Matrix(op, env)
	require.NoError(t, err)
	return oracle.Embed(n, op.Qubits, m)
}

// denseCircuit is the product of all ops' embedded matrices (gates and barriers only).
func denseCircuit(t testing.TB, c *circuit.Circuit, env circuit.Env) []complex128 {
	t.Helper()
	u, err := oracle.Product(c, env)
	require.NoError(t, err)
	return u
}

func randComplex(r *rand.Rand, n int) []complex128 {
	v := make([]complex128, n)
	for i := range v {
		v[i] = complex(r.NormFloat64(), r.NormFloat64())
	}
	return v
}

// randomOp returns a random gate op on n qubits: a random gate, random distinct qubits,
// up to maxCtrl extra ctrl @ controls, and random angles (constants or symbols a, b).
func randomOp(r *rand.Rand, n int, pool []*gates.Gate, maxCtrl int, symbolic bool) circuit.Op {
	for {
		g := pool[r.IntN(len(pool))]
		ctrl := 0
		if maxCtrl > 0 {
			ctrl = r.IntN(maxCtrl + 1)
		}
		k := g.Qubits + ctrl
		if k > n || (g.Qubits == 0 && ctrl == 0 && r.IntN(3) > 0) {
			continue
		}
		perm := r.Perm(n)[:k]
		args := make([]circuit.Expr, g.Params)
		for i := range args {
			v := (r.Float64()*2 - 1) * 2 * math.Pi
			switch {
			case symbolic && r.IntN(3) == 0:
				args[i] = circuit.Param("a")
			case symbolic && r.IntN(3) == 0:
				args[i] = circuit.Mul(circuit.Num(v/3), circuit.Param("b"))
			default:
				args[i] = circuit.Num(v)
			}
		}
		return circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: perm, Args: args}
	}
}

// realGates returns every gate whose matrix is real (the float64 path's pool).
func realGates() []*gates.Gate { return realOf(gates.All()) }

// realOf returns the gates of pool whose matrices are real.
func realOf(pool []*gates.Gate) []*gates.Gate {
	var out []*gates.Gate
	for _, g := range pool {
		if g.Real {
			out = append(out, g)
		}
	}
	return out
}

// withThreads runs f once sequentially and once with the parallel path forced on small
// sizes, restoring the settings afterwards.
func withThreads(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	oldT, oldP, oldC := Threads, ParallelThreshold, minChunk
	defer func() { Threads, ParallelThreshold, minChunk = oldT, oldP, oldC }()
	minChunk = 1
	for _, c := range []struct {
		name      string
		threads   int
		threshold int
	}{{"serial", 1, 1 << 30}, {"parallel", 3, 1}} {
		Threads, ParallelThreshold = c.threads, c.threshold
		t.Run(c.name, f)
	}
}
