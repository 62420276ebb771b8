package lowering

// Helpers on the small dense complex matrices of internal/smallmat that only lowering uses.

// realInner returns Re Σ conj(a_i)·b_i.
func realInner(a, b []complex128) float64 {
	s := 0.0
	for i := range a {
		s += real(a[i])*real(b[i]) + imag(a[i])*imag(b[i])
	}
	return s
}

// permOf returns σ with m[σ(c)][c] = 1 when m is a 0/1 permutation matrix, else nil.
func permOf(m []complex128, d int) []int {
	sigma := make([]int, d)
	for c := 0; c < d; c++ {
		sigma[c] = -1
		for r := 0; r < d; r++ {
			switch m[r*d+c] {
			case 0:
			case 1:
				if sigma[c] >= 0 {
					return nil
				}
				sigma[c] = r
			default:
				return nil
			}
		}
		if sigma[c] < 0 {
			return nil
		}
	}
	return sigma
}
