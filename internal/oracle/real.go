package oracle

import "math"

// The real-valued references of the adapter tests (peft, peft/ortho): plain triple-loop
// products, element-wise differences and central finite differences.

// MulReal returns the r × c product of a (r × s) and b (s × c), all row-major.
func MulReal(a, b []float64, r, s, c int) []float64 { return mulReal(a, b, r, s, c, c, 1) }

// MulRealT returns the r × c product a·bᵀ of a (r × s) and b (c × s), all row-major.
func MulRealT(a, b []float64, r, s, c int) []float64 { return mulReal(a, b, r, s, c, 1, s) }

// mulReal returns the r × c product of a (r × s, row-major) and the s × c matrix whose entry
// (l, j) is b[l·bl + j·bj].
func mulReal(a, b []float64, r, s, c, bl, bj int) []float64 {
	out := make([]float64, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			var v float64
			for l := 0; l < s; l++ {
				v += a[i*s+l] * b[l*bl+j*bj]
			}
			out[i*c+j] = v
		}
	}
	return out
}

// MaxAbsDiffReal returns max |a_i − b_i|, or +Inf when the lengths differ.
func MaxAbsDiffReal(a, b []float64) float64 {
	return maxDist(a, b, func(x, y float64) float64 { return math.Abs(x - y) })
}

// RelErr returns ‖a − b‖ / max(‖a‖, ‖b‖, 1e-300) (Euclidean norms), or +Inf when the lengths
// differ.
func RelErr(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var d, na, nb float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	return math.Sqrt(d) / math.Max(math.Sqrt(math.Max(na, nb)), 1e-300)
}

// FiniteDiff returns the central finite-difference gradient (f(p+h·e_i) − f(p−h·e_i)) / 2h of
// f with respect to the values in p, which it changes one at a time and restores.
func FiniteDiff(f func() float64, p []float64, h float64) []float64 {
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
