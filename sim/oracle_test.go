package sim

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// Brute-force oracles: every op's matrix embedded densely into the 2^n space and multiplied.
// They share nothing with the kernels but the gate matrices (package gates, which is tested
// against hand-written matrices on its own).

// embed returns the 2^n x 2^n matrix of the k-qubit matrix m acting on qubits (bit j of
// m's index ↔ qubits[j]); with no qubits, m is 1x1 and the result is m[0]·I.
func embed(n int, qubits []int, m []complex128) []complex128 {
	d := 1 << n
	full := make([]complex128, d*d)
	if len(qubits) == 0 {
		for i := 0; i < d; i++ {
			full[i*d+i] = m[0]
		}
		return full
	}
	k := len(qubits)
	mask := 0
	for _, q := range qubits {
		mask |= 1 << q
	}
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			if r&^mask != c&^mask {
				continue
			}
			lr, lc := 0, 0
			for j, q := range qubits {
				lr |= (r >> q & 1) << j
				lc |= (c >> q & 1) << j
			}
			full[r*d+c] = m[lr<<k+lc]
		}
	}
	return full
}

// opDense is the dense matrix of a gate op (controls included) from circuit.Op.Matrix.
func opDense(t testing.TB, n int, op *circuit.Op, env circuit.Env) []complex128 {
	t.Helper()
	m, err := op.Matrix(env)
	if err != nil {
		t.Fatal(err)
	}
	return embed(n, op.Qubits, m)
}

func matMul(a, b []complex128, n, k, m int) []complex128 {
	out := make([]complex128, n*m)
	for i := 0; i < n; i++ {
		for l := 0; l < k; l++ {
			v := a[i*k+l]
			if v == 0 {
				continue
			}
			for j := 0; j < m; j++ {
				out[i*m+j] += v * b[l*m+j]
			}
		}
	}
	return out
}

func adjoint(a []complex128, d int) []complex128 {
	out := make([]complex128, d*d)
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			out[c*d+r] = cmplx.Conj(a[r*d+c])
		}
	}
	return out
}

func transpose(a []complex128, d int) []complex128 {
	out := make([]complex128, d*d)
	for r := 0; r < d; r++ {
		for c := 0; c < d; c++ {
			out[c*d+r] = a[r*d+c]
		}
	}
	return out
}

func identity(d int) []complex128 {
	u := make([]complex128, d*d)
	for i := 0; i < d; i++ {
		u[i*d+i] = 1
	}
	return u
}

// denseCircuit is the product of all ops' embedded matrices (gates and barriers only).
func denseCircuit(t testing.TB, c *circuit.Circuit, env circuit.Env) []complex128 {
	t.Helper()
	d := 1 << c.NumQubits
	u := identity(d)
	for i := range c.Ops {
		op := &c.Ops[i]
		if op.Kind == circuit.Barrier {
			continue
		}
		if op.Kind != circuit.GateOp {
			t.Fatalf("denseCircuit: %s", op.Name())
		}
		u = matMul(opDense(t, c.NumQubits, op, env), u, d, d, d)
	}
	return u
}

func maxDiff(a, b []complex128) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range a {
		m = max(m, cmplx.Abs(a[i]-b[i]))
	}
	return m
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
