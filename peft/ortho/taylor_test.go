package ortho

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// denseA builds the N × N generator A = [[B, −Cᵀ], [C, 0]] from θ, independently of unpack.
func denseA(n, k int, theta []float64) *mat.Dense {
	a := mat.NewDense(n, n, nil)
	p := 0
	for i := 1; i < k; i++ {
		for j := 0; j < i; j++ {
			a.Set(i, j, theta[p])
			a.Set(j, i, -theta[p])
			p++
		}
	}
	for r := 0; r < n-k; r++ {
		for c := 0; c < k; c++ {
			a.Set(k+r, c, theta[p])
			a.Set(c, k+r, -theta[p])
			p++
		}
	}
	return a
}

func firstK(m *mat.Dense, k int) []float64 {
	n, _ := m.Dims()
	out := make([]float64, n*k)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			out[i*k+j] = m.At(i, j)
		}
	}
	return out
}

// TestTaylorDense compares the series with a dense oracle: Σ_{j≤p} A^j/j! formed with gonum
// mat, and (for high order) with gonum's Padé matrix exponential.
func TestTaylorDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct{ n, k, order int }{{1, 1, 3}, {2, 1, 2}, {5, 2, 4}, {8, 8, 3}, {12, 3, 1}, {30, 4, 6}} {
		tay, err := NewTaylor(tc.n, tc.k, tc.order)
		require.NoError(t, err)
		assert.Equal(t, tc.n*tc.k-tc.k*(tc.k+1)/2, tay.NumParams(), "%+v: params", tc)
		theta := randVec(rng, tay.NumParams(), 0.3)
		a := denseA(tc.n, tc.k, theta)
		sum := mat.NewDense(tc.n, tc.n, nil)
		term := mat.NewDense(tc.n, tc.n, nil)
		for i := 0; i < tc.n; i++ {
			sum.Set(i, i, 1)
			term.Set(i, i, 1)
		}
		for j := 1; j <= tc.order; j++ {
			var nt mat.Dense
			nt.Mul(a, term)
			nt.Scale(1/float64(j), &nt)
			term = &nt
			sum.Add(sum, term)
		}
		u := make([]float64, tc.n*tc.k)
		require.NoError(t, tay.Columns(theta, u))
		assert.LessOrEqual(t, maxAbsDiff(u, firstK(sum, tc.k)), 1e-13, "%+v: differs from the dense series by", tc)
		checkStiefelVJP(t, tay, theta, rng, 1e-7)
	}
	// High order converges to the exact exponential, which is exactly orthogonal.
	tay, _ := NewTaylor(20, 3, 30)
	theta := randVec(rng, tay.NumParams(), 0.2)
	var e mat.Dense
	e.Exp(denseA(20, 3, theta))
	u := make([]float64, 60)
	require.NoError(t, tay.Columns(theta, u))
	assert.LessOrEqual(t, maxAbsDiff(u, firstK(&e, 3)), 1e-12, "order 30 vs Padé exp")
	assert.LessOrEqual(t, Deviation(u, 20, 3), 1e-12, "order 30: deviation")
}

// TestTaylorDeviationShrinks checks that the orthogonality error falls with the order.
func TestTaylorDeviationShrinks(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	theta := randVec(rng, TaylorParams(64, 4), 0.05)
	prev := math.Inf(1)
	for order := 1; order <= 8; order++ {
		tay, _ := NewTaylor(64, 4, order)
		u := make([]float64, 64*4)
		require.NoError(t, tay.Columns(theta, u))
		d := Deviation(u, 64, 4)
		assert.True(t, d < prev || d <= 1e-15, "order %d: deviation %g did not fall below %g", order, d, prev)
		prev = d
	}
}

func TestTaylorErrors(t *testing.T) {
	for _, tc := range []struct{ n, k, p int }{{4, 0, 2}, {4, 5, 2}, {4, 2, 0}, {4, 2, MaxTaylorOrder + 1}} {
		_, err := NewTaylor(tc.n, tc.k, tc.p)
		assert.Error(t, err, "%+v accepted", tc)
	}
}
