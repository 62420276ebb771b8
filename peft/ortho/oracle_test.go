package ortho

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/internal/oracle"
)

// givens is a test-only orthogonal factor: Q = G_{N−2} ⋯ G_1 G_0, with G_i the RY-convention
// rotation of coordinates (i, i+1) by θ_i (matrix [[cos θ/2, −sin θ/2], [sin θ/2, cos θ/2]]).
// Its Apply and ApplyVJP are written independently of the package code and checked against
// finite differences themselves (TestGivensDouble).
type givens struct{ n int }

func (g givens) Dim() int       { return g.n }
func (g givens) NumParams() int { return g.n - 1 }
func (g givens) Apply(theta, x []float64, m int, y []float64) error {
	copy(y, x)
	for i := 0; i+1 < g.n; i++ {
		s, c := math.Sincos(theta[i] / 2)
		for j := 0; j < m; j++ {
			p, q := y[i*m+j], y[(i+1)*m+j]
			y[i*m+j], y[(i+1)*m+j] = c*p-s*q, s*p+c*q
		}
	}
	return nil
}
func (g givens) ApplyVJP(theta []float64, m int, y, ybar, dtheta []float64) error {
	for i := g.n - 2; i >= 0; i-- {
		s, c := math.Sincos(theta[i] / 2)
		for j := 0; j < m; j++ {
			p, q := y[i*m+j], y[(i+1)*m+j]
			gp, gq := ybar[i*m+j], ybar[(i+1)*m+j]
			dtheta[i] += (gq*p - gp*q) / 2
			y[i*m+j], y[(i+1)*m+j] = c*p+s*q, -s*p+c*q
			ybar[i*m+j], ybar[(i+1)*m+j] = c*gp+s*gq, -s*gp+c*gq
		}
	}
	return nil
}
func (g givens) Blocks() []Block { return []Block{{Kind: "givens-test", Dim: g.n, Params: g.n - 1}} }

// givensLeaf builds test doubles for every power-of-two block.
func givensLeaf(qubits int) (Orthogonal, error) { return givens{1 << qubits}, nil }

// dense returns the n × n matrix of an orthogonal factor by applying it to the identity.
func dense(t *testing.T, q Orthogonal, theta []float64) []float64 {
	t.Helper()
	n := q.Dim()
	y := make([]float64, n*n)
	require.NoError(t, q.Apply(theta, basis(n, n), n, y))
	return y
}

// The brute-force references are internal/oracle's; these are the names the ortho tests use.
var (
	matmul     = oracle.MulReal // a (r × s) times b (s × c)
	maxAbsDiff = oracle.MaxAbsDiffReal
	relErr     = oracle.RelErr
)

func randVec(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = (2*rng.Float64() - 1) * scale
	}
	return v
}

// fdGrad returns the central finite-difference gradient of f at theta.
func fdGrad(f func([]float64) float64, theta []float64, h float64) []float64 {
	th := append([]float64(nil), theta...)
	return oracle.FiniteDiff(func() float64 { return f(th) }, th, h)
}

func TestGivensDouble(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	g := givens{5}
	theta := randVec(rng, 4, 3)
	q := dense(t, g, theta)
	require.LessOrEqual(t, Deviation(q, 5, 5), 1e-13, "givens double not orthogonal")
	checkOrthVJP(t, g, theta, 3, rng)
}

// checkOrthVJP checks ApplyVJP of q against finite differences of ℓ = ⟨G, Q(θ)X⟩ and its
// input gradient against Qᵀ G, on random X and G.
func checkOrthVJP(t *testing.T, q Orthogonal, theta []float64, m int, rng *rand.Rand) {
	t.Helper()
	n := q.Dim()
	x := randVec(rng, n*m, 1)
	gy := randVec(rng, n*m, 1)
	loss := func(th []float64) float64 {
		y := make([]float64, n*m)
		require.NoError(t, q.Apply(th, x, m, y))
		var s float64
		for i := range y {
			s += y[i] * gy[i]
		}
		return s
	}
	y := make([]float64, n*m)
	require.NoError(t, q.Apply(theta, x, m, y))
	yb := append([]float64(nil), gy...)
	dth := make([]float64, q.NumParams())
	require.NoError(t, q.ApplyVJP(theta, m, y, yb, dth))
	assert.LessOrEqual(t, maxAbsDiff(y, x), 1e-12, "ApplyVJP did not recover the input: max diff")
	// ∂ℓ/∂x = Qᵀ G, by the dense oracle.
	qd := dense(t, q, theta)
	want := make([]float64, n*m)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			var v float64
			for r := 0; r < n; r++ {
				v += qd[r*n+i] * gy[r*m+j]
			}
			want[i*m+j] = v
		}
	}
	assert.LessOrEqual(t, maxAbsDiff(yb, want), 1e-12, "input gradient off by")
	if q.NumParams() > 0 {
		fd := fdGrad(loss, theta, 1e-5)
		assert.LessOrEqual(t, relErr(dth, fd), 1e-7, "θ gradient rel. error\n got %v\nwant %v", dth, fd)
	}
}

// checkStiefelVJP checks ColumnsVJP against finite differences of ℓ = ⟨G, U(θ)⟩.
func checkStiefelVJP(t *testing.T, s Stiefel, theta []float64, rng *rand.Rand, tol float64) {
	t.Helper()
	n, k := s.Dim(), s.Rank()
	gu := randVec(rng, n*k, 1)
	loss := func(th []float64) float64 {
		u := make([]float64, n*k)
		require.NoError(t, s.Columns(th, u))
		var v float64
		for i := range u {
			v += u[i] * gu[i]
		}
		return v
	}
	u := make([]float64, n*k)
	require.NoError(t, s.Columns(theta, u))
	u0 := append([]float64(nil), u...)
	g0 := append([]float64(nil), gu...)
	dth := make([]float64, s.NumParams())
	require.NoError(t, s.ColumnsVJP(theta, u, gu, dth))
	assert.Zero(t, maxAbsDiff(u, u0), "ColumnsVJP modified its inputs (U)")
	assert.Zero(t, maxAbsDiff(gu, g0), "ColumnsVJP modified its inputs (G)")
	fd := fdGrad(loss, theta, 1e-5)
	assert.LessOrEqual(t, relErr(dth, fd), tol, "N=%d K=%d: θ gradient rel. error", n, k)
}

func mustGate(name string) *gates.Gate { return gates.MustGet(name) }
