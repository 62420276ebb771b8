//go:build !amd64 || purego

package sim

// Portable versions of the SIMD inner loops of simd_amd64.go (same loops as its fallbacks).

// useSIMD is always false without the amd64 assembly.
var useSIMD = false

// prefetchL2 is a no-op without the amd64 assembly.
func prefetchL2(p *float64, nlines int) {}

// pairF64 sets a[j], b[j] = m0·a[j] + m1·b[j], m2·a[j] + m3·b[j] for every j < len(a).
// a and b must not overlap; b must be at least as long as a (panics otherwise).
func pairF64(a, b []float64, m0, m1, m2, m3 float64) { pairGo(a, b[:len(a)], m0, m1, m2, m3) }

// pairC128 is pairF64 for complex128.
func pairC128(a, b []complex128, m0, m1, m2, m3 complex128) {
	pairGo(a, b[:len(a)], m0, m1, m2, m3)
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

// scaleF64 multiplies every element of a by v.
func scaleF64(a []float64, v float64) { scaleGo(a, v) }

// scaleC128 multiplies every element of a by v.
func scaleC128(a []complex128, v complex128) { scaleGo(a, v) }

// pairBlocksF64 applies the matrix to blocks of 2R elements (R "a", then R "b").
func pairBlocksF64(d []float64, R int, m0, m1, m2, m3 float64) {
	pairBlocksGo(d, R, m0, m1, m2, m3)
}

// pairBlocksC128 is pairBlocksF64 for complex128.
func pairBlocksC128(d []complex128, R int, m0, m1, m2, m3 complex128) {
	pairBlocksGo(d, R, m0, m1, m2, m3)
}

// useSIMD32 is always false without the amd64 assembly.
var useSIMD32 = false

// pairF32 is pairF64 in single precision.
func pairF32(a, b []float32, m0, m1, m2, m3 float32) { pairGo(a, b[:len(a)], m0, m1, m2, m3) }

// pairC64 is pairC128 in single precision.
func pairC64(a, b []complex64, m0, m1, m2, m3 complex64) { pairGo(a, b[:len(a)], m0, m1, m2, m3) }

// pairF32Short is pairF64Short in single precision.
func pairF32Short(d []float32, R int, m0, m1, m2, m3 float32) { pairShortGo(d, R, m0, m1, m2, m3) }

// pairC64Short is pairC128Short in single precision.
func pairC64Short(d []complex64, R int, m0, m1, m2, m3 complex64) {
	pairShortGo(d, R, m0, m1, m2, m3)
}

// pairBlocksF32 is pairBlocksF64 in single precision.
func pairBlocksF32(d []float32, R int, m0, m1, m2, m3 float32) {
	pairBlocksGo(d, R, m0, m1, m2, m3)
}

// pairBlocksC64 is pairBlocksC128 in single precision.
func pairBlocksC64(d []complex64, R int, m0, m1, m2, m3 complex64) {
	pairBlocksGo(d, R, m0, m1, m2, m3)
}

// scaleF32 multiplies every element of a by v.
func scaleF32(a []float32, v float32) { scaleGo(a, v) }

// scaleC64 multiplies every element of a by v.
func scaleC64(a []complex64, v complex64) { scaleGo(a, v) }

// swapVec is never called without the amd64 assembly (useSIMD is false).
func swapVec(a, b *byte, nvec int) { panic("sim: swapVec without SIMD") }

// mulRunVec does nothing without the amd64 assembly: mulRun's Go loop does all elements.
func mulRunVec[T number](a, p []T) int { return 0 }
