package sim

// The portable loops behind the SIMD entry points (simd_amd64.go, simd_other.go): the whole
// work without the assembly, and the tails the vectors do not cover with it.

// pairGo sets a[j], b[j] = m0·a[j] + m1·b[j], m2·a[j] + m3·b[j] (len(b) ≥ len(a)).
func pairGo[T number](a, b []T, m0, m1, m2, m3 T) {
	b = b[:len(a)]
	for j := range a {
		x, y := a[j], b[j]
		a[j] = m0*x + m1*y
		b[j] = m2*x + m3*y
	}
}

// scaleGo multiplies every element of a by v.
func scaleGo[T number](a []T, v T) {
	for j := range a {
		a[j] *= v
	}
}

// pair returns m0·a + m1·b, m2·a + m3·b.
func pair[T number](a, b, m0, m1, m2, m3 T) (T, T) { return m0*a + m1*b, m2*a + m3*b }

// pairShortGo is the portable loop of kPair's short-run cases: blocks of 2R elements (R = 1,
// 2 or 4), the first R "a" and the next R "b", unrolled by R.
func pairShortGo[T number](d []T, R int, m0, m1, m2, m3 T) {
	switch R {
	case 1:
		for i := 0; i+2 <= len(d); i += 2 {
			p := d[i : i+2 : i+2]
			p[0], p[1] = pair(p[0], p[1], m0, m1, m2, m3)
		}
	case 2:
		for i := 0; i+4 <= len(d); i += 4 {
			p := d[i : i+4 : i+4]
			a0, a1, b0, b1 := p[0], p[1], p[2], p[3]
			p[0], p[2] = pair(a0, b0, m0, m1, m2, m3)
			p[1], p[3] = pair(a1, b1, m0, m1, m2, m3)
		}
	case 4:
		for i := 0; i+8 <= len(d); i += 8 {
			p := d[i : i+8 : i+8]
			a0, a1, a2, a3 := p[0], p[1], p[2], p[3]
			b0, b1, b2, b3 := p[4], p[5], p[6], p[7]
			p[0], p[4] = pair(a0, b0, m0, m1, m2, m3)
			p[1], p[5] = pair(a1, b1, m0, m1, m2, m3)
			p[2], p[6] = pair(a2, b2, m0, m1, m2, m3)
			p[3], p[7] = pair(a3, b3, m0, m1, m2, m3)
		}
	}
}

// pairBlocksGo is the portable loop of pairBlocksF64 and pairBlocksC128: blocks of 2R
// elements, the first R "a" and the next R "b".
func pairBlocksGo[T number](d []T, R int, m0, m1, m2, m3 T) {
	for s := 0; s+2*R <= len(d); s += 2 * R {
		a, b := d[s:s+R], d[s+R:s+2*R]
		for j := range a {
			x, y := a[j], b[j]
			a[j] = m0*x + m1*y
			b[j] = m2*x + m3*y
		}
	}
}
