package ortho

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/testenv"
	"github.com/qpeft/qpeft/peft/ansatz"
)

// gramDeviation is max |UᵀU − I| by the brute-force product.
func gramDeviation(u []float64, n, k int) float64 {
	ut := make([]float64, k*n)
	for r := 0; r < n; r++ {
		for c := 0; c < k; c++ {
			ut[c*n+r] = u[r*k+c]
		}
	}
	g := matmul(ut, u, k, n, k)
	var m float64
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			m = math.Max(m, math.Abs(g[i*k+j]-want))
		}
	}
	return m
}

// TestFamiliesAgainstOracle: every family, with and without the fixed rotation, against
// itsubaki/q (columns), the brute-force Gram matrix (orthogonality) and central finite
// differences (both vector-Jacobian products).
func TestFamiliesAgainstOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, fam := range ansatz.Families {
		for _, rotate := range []bool{false, true} {
			for n := 1; n <= 5; n++ {
				for L := 0; L <= 2; L++ {
					name := fmt.Sprintf("%s/rotate=%v/n=%d/L=%d", fam, rotate, n, L)
					spec := Spec{Layers: L, Ansatz: fam, Rotate: rotate, Seed: 9}
					c, err := spec.Leaf(n)
					require.NoError(t, err, name)
					q, err := NewCircuit(c)
					require.NoError(t, err, name)
					p, _ := ansatz.Params(fam, n, L)
					require.Equal(t, p, q.NumParams(), name)
					theta := randVec(rng, q.NumParams(), 3)
					k := max(1, (1<<n)/2)
					s := FirstColumns(q, k)
					u := make([]float64, (1<<n)*k)
					require.NoError(t, s.Columns(theta, u), name)
					assert.LessOrEqual(t, maxAbsDiff(u, oracleColumns(t, c, theta, k)), 1e-12, "%s: columns against itsubaki/q", name)
					assert.LessOrEqual(t, gramDeviation(u, 1<<n, k), 1e-12, "%s: UᵀU = I", name)
					checkStiefelVJP(t, s, theta, rng, 1e-7)
					checkOrthVJP(t, q, theta, 2, rng)
				}
			}
		}
	}
}

// TestGivensGate: the three-gate Givens rotation is the 4 × 4 matrix it documents.
func TestGivensGate(t *testing.T) {
	c, err := ansatz.Givens(2, 1)
	require.NoError(t, err)
	// Keep only the Givens rotation: bind the RY angles to 0.
	theta := []float64{0, 0, 0.7, 0, 0}
	q, err := NewCircuit(c)
	require.NoError(t, err)
	got := dense(t, q, theta)
	s, co := math.Sincos(0.7 / 2)
	// Basis index a + 2b for qubits a = 0, b = 1: |a=1,b=0⟩ is 1, |a=0,b=1⟩ is 2.
	want := []float64{
		1, 0, 0, 0,
		0, co, -s, 0,
		0, s, co, 0,
		0, 0, 0, 1,
	}
	assert.LessOrEqual(t, maxAbsDiff(got, want), 1e-15, "got %v", got)
}

// TestFamiliesAnyDimension: the families and the rotation as blocks of the cosine–sine
// split, for dimensions of real layers: counts, orthogonality and (small N) gradients.
func TestFamiliesAnyDimension(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	for _, fam := range ansatz.Families {
		for _, n := range []int{12, 40, 100, 384, 512, 784} {
			spec := Spec{Layers: 2, Ansatz: fam, Rotate: true, Seed: 3}
			k := 8
			s, err := New(n, k, spec)
			require.NoError(t, err)
			want, err := CountParams(n, k, spec)
			require.NoError(t, err)
			assert.Equal(t, want, s.NumParams(), "%s N=%d: CountParams", fam, n)
			theta := randVec(rng, s.NumParams(), 2)
			u := make([]float64, n*k)
			require.NoError(t, s.Columns(theta, u))
			assert.LessOrEqual(t, gramDeviation(u, n, k), 1e-12, "%s N=%d: UᵀU = I", fam, n)
			if n <= 100 {
				checkStiefelVJP(t, s, theta, rng, 1e-7)
			}
		}
	}
	_, err := New(8, 2, Spec{Kind: KindTaylor, Rotate: true})
	assert.ErrorContains(t, err, "the Taylor map has no circuit")
	_, err = New(8, 2, Spec{Ansatz: "brick"})
	assert.ErrorContains(t, err, `unknown ansatz family "brick"`)
}

// TestRotatedStartSpreads measures how close U's columns are to coordinate axes at the
// near-identity start (angles uniform in ±0.02), as the mean over columns of the largest
// squared entry (1 for a column on an axis, 1/N for one spread evenly): on the axes without
// the rotation, spread with it.
func TestRotatedStartSpreads(t *testing.T) {
	for _, tc := range []struct {
		n, k   int
		rotate bool
		lo, hi float64 // bounds of the mean largest squared entry
	}{
		{512, 8, false, 0.99, 1},
		{512, 8, true, 0, 0.1},
		{784, 8, false, 0.99, 1},
		{784, 8, true, 0, 0.1},
	} {
		for _, fam := range ansatz.Families {
			s, err := New(tc.n, tc.k, Spec{Layers: 2, Ansatz: fam, Rotate: tc.rotate, Seed: 1})
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(1, 2))
			theta := randVec(rng, s.NumParams(), 0.02)
			u := make([]float64, tc.n*tc.k)
			require.NoError(t, s.Columns(theta, u))
			var peak float64
			for c := 0; c < tc.k; c++ {
				var m float64
				for r := 0; r < tc.n; r++ {
					m = math.Max(m, u[r*tc.k+c]*u[r*tc.k+c])
				}
				peak += m / float64(tc.k)
			}
			assert.True(t, peak >= tc.lo && peak <= tc.hi, "%s N=%d rotate=%v: mean largest squared entry %.3f, want [%g, %g]", fam, tc.n, tc.rotate, peak, tc.lo, tc.hi)
		}
	}
}

// TestAllToAllMatchesQiskit compares the all-to-all family with Qiskit's real_amplitudes
// (entanglement "full"), an independent construction of the same circuit, as dense
// matrices (both little-endian).
func TestAllToAllMatchesQiskit(t *testing.T) {
	py := testenv.Python(t, "qiskit", "numpy")
	for _, tc := range []struct{ n, L int }{{3, 1}, {4, 2}} {
		c, err := ansatz.AllToAll(tc.n, tc.L)
		require.NoError(t, err)
		q, err := NewCircuit(c)
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.L)))
		theta := randVec(rng, q.NumParams(), 3)
		vals := make([]string, len(theta))
		for i, v := range theta {
			vals[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		script := fmt.Sprintf(`
import numpy as np
from qiskit.circuit.library import real_amplitudes
from qiskit.quantum_info import Operator
qc = real_amplitudes(%d, reps=%d, entanglement='full')
u = Operator(qc.assign_parameters([%s])).data
assert np.abs(u.imag).max() < 1e-12
print(' '.join(repr(float(x)) for x in u.real.ravel()))
`, tc.n, tc.L, strings.Join(vals, ", "))
		out, err := exec.Command(py, "-c", script).CombinedOutput()
		require.NoError(t, err, "%s", out)
		var want []float64
		for _, f := range strings.Fields(string(out)) {
			v, err := strconv.ParseFloat(f, 64)
			require.NoError(t, err)
			want = append(want, v)
		}
		got := dense(t, q, theta)
		assert.LessOrEqual(t, maxAbsDiff(got, want), 1e-12, "n=%d L=%d", tc.n, tc.L)
	}
}
