package qasm

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/internal/oracle"
)

// Brute-force oracles for the tests: a dense product of embedded gate matrices
// (internal/oracle), and a branching state-vector simulator for measurement, reset and
// conditions built on it. They share no code with the package under test beyond the gate
// matrices of package gates.

// matmul is the product of two d × d matrices.
func matmul(a, b []complex128, d int) []complex128 { return oracle.MatMul(a, b, d, d, d) }

// dense is the unitary of a circuit of gates and barriers.
func dense(t testing.TB, c *circuit.Circuit, env circuit.Env) []complex128 {
	t.Helper()
	u, err := oracle.Product(c, env)
	require.NoError(t, err)
	return u
}

// applyOp applies a gate to a state vector without forming the full matrix.
func applyOp(t testing.TB, op *circuit.Op, psi []complex128, env circuit.Env) []complex128 {
	t.Helper()
	m, err := oracle.Matrix(op, env)
	require.NoError(t, err, op.Name())
	return oracle.Apply(psi, m, op.Qubits)
}

// branch is one measurement history of a branching simulation.
type branch struct {
	p    float64
	bits uint64
	psi  []complex128 // normalised
}

// simulate runs c from |0…0⟩, splitting on every measurement; branches with probability
// below 1e-14 are dropped.
func simulate(t testing.TB, c *circuit.Circuit, env circuit.Env) []branch {
	t.Helper()
	d := 1 << c.NumQubits
	psi := make([]complex128, d)
	psi[0] = 1
	bs := []branch{{p: 1, psi: psi}}
	for i := range c.Ops {
		op := &c.Ops[i]
		var next []branch
		for _, b := range bs {
			if op.Cond != nil {
				v := uint64(0)
				for j, cb := range op.Cond.Clbits {
					v |= (b.bits >> uint(cb) & 1) << uint(j)
				}
				if v != op.Cond.Value {
					next = append(next, b)
					continue
				}
			}
			switch op.Kind {
			case circuit.Barrier:
				next = append(next, b)
			case circuit.GateOp:
				next = append(next, branch{b.p, b.bits, applyOp(t, op, b.psi, env)})
			case circuit.Measure, circuit.Reset:
				cur := []branch{b}
				for j, q := range op.Qubits {
					var split []branch
					for _, x := range cur {
						for outcome := 0; outcome < 2; outcome++ {
							out := make([]complex128, d)
							norm := 0.0
							for k := 0; k < d; k++ {
								if k>>uint(q)&1 == outcome {
									out[k] = x.psi[k]
									norm += real(out[k] * cmplx.Conj(out[k]))
								}
							}
							if norm*x.p < 1e-14 {
								continue
							}
							s := complex(1/math.Sqrt(norm), 0)
							for k := range out {
								out[k] *= s
							}
							bits := x.bits
							if op.Kind == circuit.Measure {
								cb := uint(op.Clbits()[j])
								bits = bits&^(1<<cb) | uint64(outcome)<<cb
							} else if outcome == 1 { // reset: flip back to |0⟩
								flipped := make([]complex128, d)
								for k := range out {
									flipped[k^(1<<uint(q))] = out[k]
								}
								out = flipped
							}
							split = append(split, branch{x.p * norm, bits, out})
						}
					}
					cur = split
				}
				next = append(next, cur...)
			}
		}
		bs = next
	}
	return bs
}

// distribution sums branch probabilities by classical outcome.
func distribution(bs []branch) map[uint64]float64 {
	m := map[uint64]float64{}
	for _, b := range bs {
		m[b.bits] += b.p
	}
	return m
}

func closeVec(a, b []complex128, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if cmplx.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// equalUpToPhase reports whether a = e^{iφ} b for some φ.
func equalUpToPhase(a, b []complex128, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	k := 0
	for i := range b {
		if cmplx.Abs(b[i]) > cmplx.Abs(b[k]) {
			k = i
		}
	}
	if cmplx.Abs(b[k]) < tol {
		return closeVec(a, b, tol)
	}
	ph := a[k] / b[k]
	if math.Abs(cmplx.Abs(ph)-1) > tol {
		return false
	}
	for i := range a {
		if cmplx.Abs(a[i]-ph*b[i]) > tol {
			return false
		}
	}
	return true
}

// stateOf is the state |0…0⟩ evolved by a unitary circuit.
func stateOf(t testing.TB, c *circuit.Circuit, env circuit.Env) []complex128 {
	t.Helper()
	bs := simulate(t, c, env)
	require.Equal(t, 1, len(bs), "stateOf: number of branches")
	return bs[0].psi
}

func mustParse(t testing.TB, name, src string) *Program {
	t.Helper()
	var cfg Config
	p, err := cfg.Parse(name, []byte(src))
	require.NoError(t, err, "parse %s", name)
	return p
}
