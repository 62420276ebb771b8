//go:build !amd64 || purego

package sim

// Portable versions of the SIMD inner loops of simd_amd64.go (same loops as its fallbacks).

// useSIMD is always false without the amd64 assembly.
var useSIMD = false

// pairF64 sets a[j], b[j] = m0·a[j] + m1·b[j], m2·a[j] + m3·b[j] for every j < len(a).
// a and b must not overlap; b must be at least as long as a (panics otherwise).
func pairF64(a, b []float64, m0, m1, m2, m3 float64) {
	b = b[:len(a)]
	for j := range a {
		x, y := a[j], b[j]
		a[j] = m0*x + m1*y
		b[j] = m2*x + m3*y
	}
}

// pairC128 is pairF64 for complex128.
func pairC128(a, b []complex128, m0, m1, m2, m3 complex128) {
	b = b[:len(a)]
	for j := range a {
		x, y := a[j], b[j]
		a[j] = m0*x + m1*y
		b[j] = m2*x + m3*y
	}
}

// pairF64Short applies [[m0 m1] [m2 m3]] to d read as blocks of 2R elements, the first R
// of a block being the "a" elements and the next R the "b" elements (kPair's short runs).
// R must be 1, 2 or 4 and len(d) a multiple of 2R (panics otherwise).
func pairF64Short(d []float64, R int, m0, m1, m2, m3 float64) {
	if R != 1 && R != 2 && R != 4 || len(d)%(2*R) != 0 {
		panic("sim: pairF64Short: bad block size")
	}
	pairShortGo(d, R, m0, m1, m2, m3)
}

// pairC128Short is pairF64Short for complex128 with R = 1 or 2.
func pairC128Short(d []complex128, R int, m0, m1, m2, m3 complex128) {
	if R != 1 && R != 2 || len(d)%(2*R) != 0 {
		panic("sim: pairC128Short: bad block size")
	}
	pairShortGo(d, R, m0, m1, m2, m3)
}

// pairShortGo is the portable loop of kPair's short-run cases.
func pairShortGo[T number](d []T, R int, m0, m1, m2, m3 T) {
	switch R {
	case 1:
		for i := 0; i+2 <= len(d); i += 2 {
			p := d[i : i+2 : i+2]
			a, b := p[0], p[1]
			p[0] = m0*a + m1*b
			p[1] = m2*a + m3*b
		}
	case 2:
		for i := 0; i+4 <= len(d); i += 4 {
			p := d[i : i+4 : i+4]
			a0, a1, b0, b1 := p[0], p[1], p[2], p[3]
			p[0] = m0*a0 + m1*b0
			p[1] = m0*a1 + m1*b1
			p[2] = m2*a0 + m3*b0
			p[3] = m2*a1 + m3*b1
		}
	case 4:
		for i := 0; i+8 <= len(d); i += 8 {
			p := d[i : i+8 : i+8]
			a0, a1, a2, a3 := p[0], p[1], p[2], p[3]
			b0, b1, b2, b3 := p[4], p[5], p[6], p[7]
			p[0] = m0*a0 + m1*b0
			p[1] = m0*a1 + m1*b1
			p[2] = m0*a2 + m1*b2
			p[3] = m0*a3 + m1*b3
			p[4] = m2*a0 + m3*b0
			p[5] = m2*a1 + m3*b1
			p[6] = m2*a2 + m3*b2
			p[7] = m2*a3 + m3*b3
		}
	}
}

// scaleF64 multiplies every element of a by v.
func scaleF64(a []float64, v float64) {
	for j := range a {
		a[j] *= v
	}
}

// scaleC128 multiplies every element of a by v.
func scaleC128(a []complex128, v complex128) {
	for j := range a {
		a[j] *= v
	}
}

// pairBlocksF64 applies the matrix to blocks of 2R elements (R "a", then R "b").
func pairBlocksF64(d []float64, R int, m0, m1, m2, m3 float64) {
	pairBlocksGo(d, R, m0, m1, m2, m3)
}

// pairBlocksC128 is pairBlocksF64 for complex128.
func pairBlocksC128(d []complex128, R int, m0, m1, m2, m3 complex128) {
	pairBlocksGo(d, R, m0, m1, m2, m3)
}
