package ortho

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/sim"
)

// columnsBySim returns the first k columns (first n rows) of c's unitary, and the largest
// amplitude outside the first n rows, from package sim's state vectors of basis inputs.
func columnsBySim(t *testing.T, c *circuit.Circuit, n, k int) ([]float64, float64) {
	t.Helper()
	u := make([]float64, n*k)
	var outside float64
	for j := 0; j < k; j++ {
		prep := circuit.New(c.NumQubits)
		for q := 0; q < c.NumQubits; q++ {
			if j>>q&1 == 1 {
				prep.X(q)
			}
		}
		require.NoError(t, prep.Compose(c, nil, nil))
		st, err := sim.Statevector(prep, nil)
		require.NoError(t, err)
		for i, a := range st.Amplitudes() {
			if i < n {
				require.InDelta(t, 0, imag(a), 1e-12)
				u[i*k+j] = real(a)
			} else {
				outside = math.Max(outside, math.Abs(real(a))+math.Abs(imag(a)))
			}
		}
	}
	return u, outside
}

func pauliLeaf(layers int) Leaf {
	return func(q int) (Orthogonal, error) { return NewPauli(q, layers) }
}

// TestWholeCircuitEqualsFactor: the whole circuit of a factor of any dimension, simulated
// by package sim, has the factor's first K columns (computed by package ortho through
// package lowering) to 1e-12, for Stiefel maps and full orthogonal maps, both CS modes.
func TestWholeCircuitEqualsFactor(t *testing.T) {
	cases := []struct{ n, k int }{{3, 1}, {3, 3}, {5, 2}, {6, 6}, {7, 5}, {12, 4}, {12, 9}, {16, 3}, {48, 8}, {100, 4}, {384, 2}}
	for _, mode := range []CSMode{CSWalsh, CSFull} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/N%d/K%d", mode, tc.n, tc.k), func(t *testing.T) {
				r := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.k)))
				var f any
				var cols func(theta, u []float64) error
				var np int
				if tc.k == tc.n {
					q, err := NewOrthogonalFrom(tc.n, pauliLeaf(2), mode)
					require.NoError(t, err)
					f, np = q, q.NumParams()
					cols = func(theta, u []float64) error { return q.Apply(theta, basis(tc.n, tc.n), tc.n, u) }
				} else {
					s, err := NewStiefelFrom(tc.n, tc.k, pauliLeaf(2), mode)
					require.NoError(t, err)
					f, np, cols = s, s.NumParams(), s.Columns
				}
				theta := make([]float64, np)
				for i := range theta {
					theta[i] = r.Float64()*6 - 3
				}
				want := make([]float64, tc.n*tc.k)
				require.NoError(t, cols(theta, want))
				c, err := WholeCircuit(f, theta)
				require.NoError(t, err)
				assert.Equal(t, qubitsFor(tc.n), c.NumQubits)
				assert.Empty(t, c.Params, "angles bound")
				got, outside := columnsBySim(t, c, tc.n, tc.k)
				var worst float64
				for i := range want {
					worst = math.Max(worst, math.Abs(want[i]-got[i]))
				}
				assert.LessOrEqual(t, worst, 1e-12)
				assert.LessOrEqual(t, outside, 1e-12, "weight outside the first N rows")
			})
		}
	}
}

// TestUniformlyControlledRY: the Gray-code decomposition applies RY(φ_i) to the target
// when the controls hold i, checked column by column against the 2×2 rotation.
func TestUniformlyControlledRY(t *testing.T) {
	for k := 0; k <= 4; k++ {
		r := rand.New(rand.NewPCG(uint64(k), 1))
		phi := make([]float64, 1<<k)
		for i := range phi {
			if r.IntN(3) > 0 {
				phi[i] = r.Float64()*8 - 4
			}
		}
		c := circuit.New(k + 1)
		require.NoError(t, UniformlyControlledRY(c, phi, seqInts(k), k))
		dim := 1 << (k + 1)
		u, _ := columnsBySim(t, c, dim, dim)
		for i, f := range phi {
			s, co := math.Sincos(f / 2)
			lo, hi := i, i|1<<k
			assert.InDelta(t, co, u[lo*dim+lo], 1e-12)
			assert.InDelta(t, s, u[hi*dim+lo], 1e-12)
			assert.InDelta(t, -s, u[lo*dim+hi], 1e-12)
			assert.InDelta(t, co, u[hi*dim+hi], 1e-12)
		}
		assert.LessOrEqual(t, c.CountOps()["cx"], 1<<k)
	}
	require.Error(t, UniformlyControlledRY(circuit.New(3), []float64{1, 2, 3}, []int{0, 1}, 2))
}

func TestWholeCircuitTaylorIsNotACircuit(t *testing.T) {
	tay, err := NewTaylor(6, 2, 2)
	require.NoError(t, err)
	_, err = WholeCircuit(tay, make([]float64, tay.NumParams()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a circuit")
}
