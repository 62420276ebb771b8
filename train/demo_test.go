package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
			require.NoError(t, err)
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
			require.Fail(t, fmt.Sprintf("unexpected gate %s in the Pauli ansatz", op.Gate.Name))
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
		require.NoError(t, err)
		theta := make([]float64, len(c.Params))
		for i := range theta {
			theta[i] = (2*rng.Float64() - 1) * math.Pi
		}
		q, err := ortho.NewPauli(tc.n, tc.layers)
		require.NoError(t, err)
		dim := 1 << tc.n
		got := make([]float64, dim*tc.k)
		require.NoError(t, ortho.FirstColumns(q, tc.k).Columns(theta, got))
		want := denseColumns(t, c, theta, tc.k)
		for i := range want {
			require.InDelta(t, want[i], got[i], 1e-12, "n=%d L=%d: training path U[%d] vs hand-written product", tc.n, tc.layers, i)
		}
		chk, err := checkCircuit(c, theta, got, dim, tc.k)
		require.NoError(t, err)
		assert.LessOrEqual(t, chk.MaxDiff, 1e-12, "n=%d L=%d: check %+v", tc.n, tc.layers, chk)
		assert.LessOrEqual(t, chk.Orth, 1e-12, "n=%d L=%d: check %+v", tc.n, tc.layers, chk)
		assert.Equal(t, tc.n, chk.Qubits, "n=%d L=%d: check %+v", tc.n, tc.layers, chk)
		assert.Equal(t, tc.k, chk.Rank, "n=%d L=%d: check %+v", tc.n, tc.layers, chk)
		got[len(got)/2] += 1e-6
		chk, _ = checkCircuit(c, theta, got, dim, tc.k)
		assert.GreaterOrEqual(t, chk.MaxDiff, 0.99e-6, "n=%d: a perturbed factor passed the check", tc.n)
	}
	c, _ := ansatz.Pauli(3, 1)
	_, err := checkCircuit(c, make([]float64, len(c.Params)), make([]float64, 16*2), 16, 2)
	assert.Error(t, err, "a 3-qubit circuit was accepted for a 16-dimensional factor")
}
