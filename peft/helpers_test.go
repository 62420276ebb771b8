package peft

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randVec(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = (2*rng.Float64() - 1) * scale
	}
	return v
}

func maxAbsDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func relErr(a, b []float64) float64 {
	var d, na, nb float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	return math.Sqrt(d) / math.Max(math.Sqrt(math.Max(na, nb)), 1e-300)
}

// naiveMul is the brute-force product of a (r × s) and bᵀ where b is c × s.
func naiveMulT(a, b []float64, r, s, c int) []float64 {
	out := make([]float64, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			var v float64
			for l := 0; l < s; l++ {
				v += a[i*s+l] * b[j*s+l]
			}
			out[i*c+j] = v
		}
	}
	return out
}

// fd returns the central finite-difference gradient of f with respect to the values in p
// (modified in place and restored).
func fd(f func() float64, p []float64, h float64) []float64 {
	g := make([]float64, len(p))
	for i := range p {
		old := p[i]
		p[i] = old + h
		fp := f()
		p[i] = old - h
		fm := f()
		p[i] = old
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
