package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/itsubaki/q"
	"github.com/itsubaki/q/math/matrix"
	"github.com/itsubaki/q/quantum/gate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// The cross-check against itsubaki/q v0.0.11, an independent statevector simulator. It is
// big-endian (its qubit 0 is the most significant bit), so with the same qubit labels
// our amplitude i is its amplitude bitrev(i). Only its statevector operations are used (G,
// Controlled, CNOT, CZ, CR, Swap, ...); its dense gate.Controlled builder puts the transpose
// of the target in the block and is avoided.

// itsubakiTarget maps the gates both libraries have to their itsubaki 2x2 target matrices (the
// block applied when every control is 1).
var itsubakiTarget = map[string]func(p []float64) *matrix.Matrix{
	"id":  func([]float64) *matrix.Matrix { return gate.I() },
	"x":   func([]float64) *matrix.Matrix { return gate.X() },
	"y":   func([]float64) *matrix.Matrix { return gate.Y() },
	"z":   func([]float64) *matrix.Matrix { return gate.Z() },
	"h":   func([]float64) *matrix.Matrix { return gate.H() },
	"s":   func([]float64) *matrix.Matrix { return gate.S() },
	"t":   func([]float64) *matrix.Matrix { return gate.T() },
	"sdg": func([]float64) *matrix.Matrix { return gate.R(-math.Pi / 2) },
	"tdg": func([]float64) *matrix.Matrix { return gate.R(-math.Pi / 4) },
	"p":   func(p []float64) *matrix.Matrix { return gate.R(p[0]) },
	"u1":  func(p []float64) *matrix.Matrix { return gate.R(p[0]) },
	"rx":  func(p []float64) *matrix.Matrix { return gate.RX(p[0]) },
	"ry":  func(p []float64) *matrix.Matrix { return gate.RY(p[0]) },
	"rz":  func(p []float64) *matrix.Matrix { return gate.RZ(p[0]) },
	"U":   func(p []float64) *matrix.Matrix { return gate.U(p[0], p[1], p[2]) },
	"u":   func(p []float64) *matrix.Matrix { return gate.U(p[0], p[1], p[2]) },
	"u3":  func(p []float64) *matrix.Matrix { return gate.SU(p[0], p[1], p[2]) },
	"u2":  func(p []float64) *matrix.Matrix { return gate.SU(math.Pi/2, p[0], p[1]) },
	// Gates with a built-in control: the target block.
	"cx":  func([]float64) *matrix.Matrix { return gate.X() },
	"cy":  func([]float64) *matrix.Matrix { return gate.Y() },
	"cz":  func([]float64) *matrix.Matrix { return gate.Z() },
	"ch":  func([]float64) *matrix.Matrix { return gate.H() },
	"cp":  func(p []float64) *matrix.Matrix { return gate.R(p[0]) },
	"cu1": func(p []float64) *matrix.Matrix { return gate.R(p[0]) },
	"crx": func(p []float64) *matrix.Matrix { return gate.RX(p[0]) },
	"cry": func(p []float64) *matrix.Matrix { return gate.RY(p[0]) },
	"crz": func(p []float64) *matrix.Matrix { return gate.RZ(p[0]) },
	"cu3": func(p []float64) *matrix.Matrix { return gate.U(p[0], p[1], p[2]) }, // cu3 = ctrl @ U (Qiskit)
	"ccx": func([]float64) *matrix.Matrix { return gate.X() },
}

// itsubakiPool is every gate of ours that itsubaki/q can apply.
func itsubakiPool() []*gates.Gate {
	var pool []*gates.Gate
	for name := range itsubakiTarget {
		pool = append(pool, gates.MustGet(name))
	}
	for _, name := range []string{"swap", "cu", "gphase"} {
		pool = append(pool, gates.MustGet(name))
	}
	// Deterministic order for reproducible random circuits.
	for i := 1; i < len(pool); i++ {
		for j := i; j > 0 && pool[j].Name < pool[j-1].Name; j-- {
			pool[j], pool[j-1] = pool[j-1], pool[j]
		}
	}
	return pool
}

// runItsubaki applies the circuit with itsubaki/q, preferring its dedicated calls (CNOT, CZ,
// CR, Swap, RY, ...) and its statevector Controlled for the rest.
func runItsubaki(t testing.TB, c *circuit.Circuit) []complex128 {
	t.Helper()
	n := c.NumQubits
	sim := q.New()
	qb := sim.Zeros(n)
	rq := func(k int) q.Qubit { return qb[k] }
	rqs := func(ks []int) []q.Qubit {
		out := make([]q.Qubit, len(ks))
		for i, k := range ks {
			out[i] = rq(k)
		}
		return out
	}
	for i := range c.Ops {
		op := &c.Ops[i]
		p, err := op.Params(nil)
		require.NoError(t, err)
		g := op.Gate
		nc := int(op.Ctrl) + g.Controls
		controls, targets := op.Qubits[:nc], op.Qubits[nc:]
		switch {
		case g.Name == "gphase":
			switch len(controls) {
			case 0: // e^{iγ}·I = X R(γ) X R(γ) on any qubit
				sim.R(p[0], qb[0]).X(qb[0]).R(p[0], qb[0]).X(qb[0])
			case 1:
				sim.R(p[0], rq(controls[0]))
			default:
				sim.ControlledR(p[0], rqs(controls[:len(controls)-1]), []q.Qubit{rq(controls[len(controls)-1])})
			}
		case g.Name == "swap" && nc == 0:
			sim.Swap(rq(targets[0]), rq(targets[1]))
		case g.Name == "cu": // ctrl e^{iγ}U = P(γ) on the (last) control, then controlled U
			sim.ControlledU(p[0], p[1], p[2], rqs(controls), []q.Qubit{rq(targets[0])})
			if len(controls) == 1 {
				sim.R(p[3], rq(controls[0]))
			} else {
				sim.ControlledR(p[3], rqs(controls[:len(controls)-1]), []q.Qubit{rq(controls[len(controls)-1])})
			}
		case g.Name == "cx" && nc == 1:
			sim.CNOT(rq(controls[0]), rq(targets[0]))
		case g.Name == "ccx" && nc == 2:
			sim.CCNOT(rq(controls[0]), rq(controls[1]), rq(targets[0]))
		case g.Name == "cz" && nc == 1:
			sim.CZ(rq(controls[0]), rq(targets[0]))
		case (g.Name == "cp" || g.Name == "cu1") && nc == 1:
			sim.CR(p[0], rq(controls[0]), rq(targets[0]))
		case g.Name == "ry" && nc == 0:
			sim.RY(p[0], rq(targets[0]))
		case g.Name == "h" && nc == 0:
			sim.H(rq(targets[0]))
		case nc == 0:
			sim.G(itsubakiTarget[g.Name](p), rq(targets[0]))
		default:
			require.Len(t, targets, 1, "no itsubaki form for %s", op.Name())
			sim.Controlled(itsubakiTarget[g.Name](p), rqs(controls), []q.Qubit{rq(targets[0])})
		}
	}
	amp := sim.Amplitude()
	out := make([]complex128, len(amp))
	for i := range out {
		out[i] = amp[bitrev(i, n)]
	}
	return out
}

func bitrev(i, n int) int {
	r := 0
	for k := 0; k < n; k++ {
		r |= (i >> k & 1) << (n - 1 - k)
	}
	return r
}

// randomCircuit builds a bound random circuit from pool with up to maxCtrl extra controls.
func randomCircuit(r *rand.Rand, n, depth int, pool []*gates.Gate, maxCtrl int) *circuit.Circuit {
	c := circuit.New(n)
	for len(c.Ops) < depth {
		op := randomOp(r, n, pool, maxCtrl, false)
		if op.Gate.Name == "swap" && op.Ctrl > 0 || op.Gate.Name == "cu" && op.Ctrl > 0 {
			op.Ctrl = 0
			op.Qubits = op.Qubits[len(op.Qubits)-op.Gate.Qubits:]
		}
		if err := c.Append(op); err != nil {
			panic(err)
		}
	}
	return c
}

// TestCrossCheckItsubaki: for n = 1..10, random circuits over every gate both libraries have
// (with ctrl @ modifiers on single-target gates) agree with itsubaki/q to 1e-12 per
// amplitude, on the complex path, and on the real path for real circuits.
func TestCrossCheckItsubaki(t *testing.T) {
	perN := 40
	if testing.Short() {
		perN = 8
	}
	r := rand.New(rand.NewPCG(11, 12))
	pool := itsubakiPool()
	realPool := realOf(pool)
	worst, count := 0.0, 0
	for n := 1; n <= 10; n++ {
		for trial := 0; trial < perN; trial++ {
			p := pool
			if trial%4 == 3 {
				p = realPool
			}
			c := randomCircuit(r, n, 4*n+10, p, min(2, n-1))
			want := runItsubaki(t, c)
			for _, complexPath := range []bool{true, false} {
				res, err := Run(c, Options{Complex: complexPath})
				require.NoError(t, err)
				if !complexPath {
					assert.Equal(t, c.IsReal(), res.State.IsReal(), "n=%d: real state of a circuit with real %v", n, c.IsReal())
				}
				e := maxDiff(res.State.Amplitudes(), want)
				worst = max(worst, e)
				require.LessOrEqual(t, e, 1e-12, "n=%d trial %d complex=%v: max amplitude difference\n%s", n, trial, complexPath, describe(c))
			}
			count++
		}
	}
	t.Logf("%d random circuits, n = 1..10: worst amplitude difference %.3g", count, worst)
}

// describe lists a circuit's ops, one a line, for failure messages (%s); the list is built
// only when a message is printed, so passing checks do not pay for it.
func describe(c *circuit.Circuit) fmt.Stringer { return described{c} }

type described struct{ c *circuit.Circuit }

func (d described) String() string {
	s := ""
	for i := range d.c.Ops {
		op := &d.c.Ops[i]
		p, _ := op.Params(nil)
		s += fmt.Sprintf("%s%v %v\n", op.Name(), p, op.Qubits)
	}
	return s
}
