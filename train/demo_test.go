package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/peft/ortho"
)

// denseColumns applies the Pauli ansatz to the first k basis vectors by hand: RY(θ) as the
// rotation [[cos θ/2, −sin θ/2], [sin θ/2, cos θ/2]] on one bit of the row index, CZ as a sign
// flip of the rows whose two bits are set (little-endian: qubit q is bit q). It knows nothing
// of the project's gate tables, simulator or lowering.
func denseColumns(t *testing.T, c *circuit.Circuit, theta []float64, k int) []float64 {
	n := 1 << c.NumQubits
	u := make([]float64, n*k)
	for j := 0; j < k; j++ {
		u[j*k+j] = 1
	}
	env := c.Env(theta)
	for i := range c.Ops {
		op := &c.Ops[i]
		switch op.Gate.Name {
		case "ry":
			a, err := circuit.Eval(op.Args[0], env)
			if err != nil {
				t.Fatal(err)
			}
			cs, sn := math.Cos(a/2), math.Sin(a/2)
			bit := 1 << op.Qubits[0]
			for r := 0; r < n; r++ {
				if r&bit != 0 {
					continue
				}
				for j := 0; j < k; j++ {
					x0, x1 := u[r*k+j], u[(r|bit)*k+j]
					u[r*k+j], u[(r|bit)*k+j] = cs*x0-sn*x1, sn*x0+cs*x1
				}
			}
		case "cz":
			mask := 1<<op.Qubits[0] | 1<<op.Qubits[1]
			for r := 0; r < n; r++ {
				if r&mask == mask {
					for j := 0; j < k; j++ {
						u[r*k+j] = -u[r*k+j]
					}
				}
			}
		default:
			t.Fatalf("unexpected gate %s in the Pauli ansatz", op.Gate.Name)
		}
	}
	return u
}

// TestCircuitCheckOracle checks the demo's simulator check: the training path's factor, the
// simulator and a hand-written dense product agree, and a wrong factor is caught.
func TestCircuitCheckOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ n, layers, k int }{{3, 1, 4}, {4, 2, 4}, {4, 2, 16}, {9, 2, 8}} {
		c, err := ansatz.Pauli(tc.n, tc.layers)
		if err != nil {
			t.Fatal(err)
		}
		theta := make([]float64, len(c.Params))
		for i := range theta {
			theta[i] = (2*rng.Float64() - 1) * math.Pi
		}
		q, err := ortho.NewPauli(tc.n, tc.layers)
		if err != nil {
			t.Fatal(err)
		}
		dim := 1 << tc.n
		got := make([]float64, dim*tc.k)
		if err := ortho.FirstColumns(q, tc.k).Columns(theta, got); err != nil {
			t.Fatal(err)
		}
		want := denseColumns(t, c, theta, tc.k)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("n=%d L=%d: training path U[%d] = %v, hand-written product %v", tc.n, tc.layers, i, got[i], want[i])
			}
		}
		chk, err := checkCircuit(c, theta, got, dim, tc.k)
		if err != nil {
			t.Fatal(err)
		}
		if chk.MaxDiff > 1e-12 || chk.Orth > 1e-12 || chk.Qubits != tc.n || chk.Rank != tc.k {
			t.Errorf("n=%d L=%d: check %+v", tc.n, tc.layers, chk)
		}
		got[len(got)/2] += 1e-6
		if chk, _ := checkCircuit(c, theta, got, dim, tc.k); chk.MaxDiff < 0.99e-6 {
			t.Errorf("n=%d: a perturbed factor passed the check (%g)", tc.n, chk.MaxDiff)
		}
	}
	c, _ := ansatz.Pauli(3, 1)
	if _, err := checkCircuit(c, make([]float64, len(c.Params)), make([]float64, 16*2), 16, 2); err == nil {
		t.Errorf("a 3-qubit circuit was accepted for a 16-dimensional factor")
	}
}
