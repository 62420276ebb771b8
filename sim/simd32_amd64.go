//go:build amd64 && !purego

package sim

import "golang.org/x/sys/cpu"

// The single-precision SIMD loops (AVX2 + FMA, simd32_amd64.s). They use fused multiply-adds,
// so their results can differ from the portable Go loops in the last bit; the tests compare
// single precision with a tolerance (TestSingleMatchesItsubaki, TestSingleSIMD).

// useSIMD32 selects the single-precision assembly loops (AVX2 and FMA); tests switch it off
// to run the portable loops. It must not be changed while kernels run.
var useSIMD32 = hasAVX2 && cpu.X86.HasFMA

//go:noescape
func pairVecF32(a, b *float32, nvec, stride int, m0, m1, m2, m3 float32)

//go:noescape
func pairVecC64(a, b *complex64, nvec, stride int, m0, m1, m2, m3 complex64)

//go:noescape
func pairLaneF32(d *float32, nvec int, c *[32]float32, mode int, cplx bool)

//go:noescape
func scaleVecF32(a *float32, nvec int, v float32)

//go:noescape
func scaleVecC64(a *complex64, nvec int, v complex64)

// pairF32 sets a[j], b[j] = m0·a[j] + m1·b[j], m2·a[j] + m3·b[j] for every j < len(a).
func pairF32(a, b []float32, m0, m1, m2, m3 float32) {
	pairVecs(a, b[:len(a)], len(a)/8, 32, m0, m1, m2, m3)
}

// pairC64 is pairF32 for complex64.
func pairC64(a, b []complex64, m0, m1, m2, m3 complex64) {
	pairVecs(a, b[:len(a)], len(a)/4, 32, m0, m1, m2, m3)
}

// laneCoefs returns the coefficient vectors of pairLaneF32 for blocks of 2L floats (L = 1,
// 2 or 4 floats of "a", then as many of "b"): c0, c1 the real parts of (m0, m2) and (m1, m3)
// by output half, and, for complex matrices, c2, c3 their imaginary parts with the sign of
// the re/im position (−im on re, +im on im).
func laneCoefs(L int, m0, m1, m2, m3 complex64) *[32]float32 {
	var c [32]float32
	for j := 0; j < 8; j++ {
		p := j % (2 * L)
		ma, mb := m0, m1
		if p >= L {
			ma, mb = m2, m3
		}
		c[j], c[8+j] = real(ma), real(mb)
		sign := float32(1)
		if p%2 == 0 {
			sign = -1
		}
		c[16+j], c[24+j] = sign*imag(ma), sign*imag(mb)
	}
	return &c
}

// pairF32Short applies the matrix to d read as blocks of 2R float32 (R = 1, 2 or 4).
func pairF32Short(d []float32, R int, m0, m1, m2, m3 float32) {
	if useSIMD32 && len(d) >= 8 {
		n := len(d) &^ 7
		mode := map[int]int{1: 0, 2: 1, 4: 2}[R]
		pairLaneF32(&d[0], n/8, laneCoefs(R, complex(m0, 0), complex(m1, 0), complex(m2, 0), complex(m3, 0)), mode, false)
		d = d[n:]
	}
	pairShortGo(d, R, m0, m1, m2, m3)
}

// pairC64Short applies the matrix to d read as blocks of 2R complex64 (R = 1 or 2).
func pairC64Short(d []complex64, R int, m0, m1, m2, m3 complex64) {
	if useSIMD32 && len(d) >= 4 {
		n := len(d) &^ 3
		f := c64floats(d[:n])
		pairLaneF32(&f[0], n/4, laneCoefs(2*R, m0, m1, m2, m3), R, true)
		d = d[n:]
	}
	pairShortGo(d, R, m0, m1, m2, m3)
}

// pairBlocksF32 applies the matrix to blocks of 2R float32, R a multiple of 8.
func pairBlocksF32(d []float32, R int, m0, m1, m2, m3 float32) { pairBlocks(d, R, m0, m1, m2, m3) }

// pairBlocksC64 applies the matrix to blocks of 2R complex64, R a multiple of 4.
func pairBlocksC64(d []complex64, R int, m0, m1, m2, m3 complex64) {
	pairBlocks(d, R, m0, m1, m2, m3)
}

// scaleF32 multiplies every element of a by v.
func scaleF32(a []float32, v float32) { scaleVec(a, v) }

// scaleC64 multiplies every element of a by v.
func scaleC64(a []complex64, v complex64) { scaleVec(a, v) }
