//go:build amd64 && !purego

package sim

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// The SIMD inner loops of the gate kernels (AVX2, simd_amd64.s). Each function has the
// semantics of the portable Go loop written beside it and gives bit-identical results: the
// assembly uses separate multiplies and adds (no FMA) in the order of the Go expressions,
// and complex products as Go evaluates them, (a+bi)(c+di) = (ac−bd) + (ad+bc)i. The
// assembly covers whole vectors; the few tail elements run through the Go loop.

// hasAVX2 reports whether the CPU (and OS) support AVX and AVX2.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasAVX

// useSIMD selects the assembly loops; tests and benchmarks switch it off to run the portable
// loops. It must not be changed while kernels run.
var useSIMD = hasAVX2

// Assembly kernels (simd_amd64.s). Strides are in bytes; a vector is one 32-byte YMM
// register (4 float64 or 2 complex128).

// pairVecF64 applies [[m0 m1] [m2 m3]] to the float64 vectors (a+k·stride, b+k·stride),
// k < nvec.
//
//go:noescape
func pairVecF64(a, b *float64, nvec, stride int, m0, m1, m2, m3 float64)

// pairVecC128 is pairVecF64 for complex128 vectors (2 elements each).
//
//go:noescape
func pairVecC128(a, b *complex128, nvec, stride int, m0, m1, m2, m3 complex128)

// pairLaneF64 computes d[k] = c[0:4]·d[k] + c[4:8]·swap(d[k]) lanewise for the nvec float64
// vectors d[k]; swap exchanges the lanes of each 128-bit half (sw128 false) or the two
// 128-bit halves (sw128 true).
//
//go:noescape
func pairLaneF64(d *float64, nvec int, c *[8]float64, sw128 bool)

// pairShort1C128 applies the matrix to nblk2 pairs of consecutive [a b] complex128 blocks.
//
//go:noescape
func pairShort1C128(d *complex128, nblk2 int, m0, m1, m2, m3 complex128)

// scaleVecF64 multiplies the nvec float64 vectors at a by v.
//
//go:noescape
func scaleVecF64(a *float64, nvec int, v float64)

// scaleVecC128 multiplies the nvec complex128 vectors at a by v.
//
//go:noescape
func scaleVecC128(a *complex128, nvec int, v complex128)

// prefetchL2 hints that the nlines 64-byte cache lines from p will be read soon
// (PREFETCHT1: towards the L2 cache). The gathers of a cache-blocked sweep use it to keep
// many more lines in flight than the loads alone do (BenchmarkSweep).
//
//go:noescape
func prefetchL2(p *float64, nlines int)

// simdOn reports whether the assembly loops of T's precision are on: useSIMD for float64
// and complex128, useSIMD32 for float32 and complex64.
func simdOn[T number]() bool {
	var zero T
	if unsafe.Alignof(zero) == 8 { // float64, complex128
		return useSIMD
	}
	return useSIMD32
}

// ptr converts a pointer to T into a pointer to E, a type of the same size (isF64 and its
// kin pick E; each T compiles to one case).
func ptr[E, T number](p *T) *E { return (*E)(unsafe.Pointer(p)) }

// pairVecs sets x, y = m0·x + m1·y, m2·x + m3·y for the element pairs of a and b: with T's
// assembly loop, when simdOn, for those in the nvec vector pairs at &a[0] + k·stride and
// &b[0] + k·stride (bytes, k < nvec; they must lie in the arrays of a and b), with pairGo
// for the elements of a after the first nvec vectors' worth (the tail of contiguous vectors,
// stride 32), or for all of a when the assembly is off.
func pairVecs[T number](a, b []T, nvec, stride int, m0, m1, m2, m3 T) {
	k := 0 // elements done by the assembly loop
	if simdOn[T]() && nvec > 0 {
		pa, pb := &a[0], &b[0]
		switch {
		case isF64[T]():
			pairVecF64(ptr[float64](pa), ptr[float64](pb), nvec, stride, f64(m0), f64(m1), f64(m2), f64(m3))
		case isC128[T]():
			pairVecC128(ptr[complex128](pa), ptr[complex128](pb), nvec, stride, c128(m0), c128(m1), c128(m2), c128(m3))
		case isC64[T]():
			pairVecC64(ptr[complex64](pa), ptr[complex64](pb), nvec, stride, c64(m0), c64(m1), c64(m2), c64(m3))
		default:
			pairVecF32(ptr[float32](pa), ptr[float32](pb), nvec, stride, f32(m0), f32(m1), f32(m2), f32(m3))
		}
		k = nvec * 32 / int(unsafe.Sizeof(m0))
	}
	if k < len(a) {
		pairGo(a[k:], b[k:], m0, m1, m2, m3)
	}
}

// pairBlocks applies the matrix to the blocks of 2R elements of d, R "a" then R "b": when
// simdOn, one strided call of the assembly loop per vector position of a block, so that
// runs of 8 to a few hundred elements (qubits 3 to 7 of a state) do not pay a call per run.
// R must be a whole number of 32-byte vectors and len(d) a multiple of 2R (panics
// otherwise).
func pairBlocks[T number](d []T, R int, m0, m1, m2, m3 T) {
	size := int(unsafe.Sizeof(m0))
	w := 32 / size // elements per vector
	if R%w != 0 || len(d)%(2*R) != 0 {
		panic("sim: pairBlocks: bad block size")
	}
	if !simdOn[T]() || len(d) == 0 {
		pairBlocksGo(d, R, m0, m1, m2, m3)
		return
	}
	nb := len(d) / (2 * R)
	for v := 0; v < R; v += w {
		pairVecs(d[v:v+w], d[v+R:v+R+w], nb, 2*R*size, m0, m1, m2, m3)
	}
}

// pairF64 sets a[j], b[j] = m0·a[j] + m1·b[j], m2·a[j] + m3·b[j] for every j < len(a).
// a and b must not overlap; b must be at least as long as a (panics otherwise).
func pairF64(a, b []float64, m0, m1, m2, m3 float64) {
	pairVecs(a, b[:len(a)], len(a)/4, 32, m0, m1, m2, m3)
}

// pairC128 is pairF64 for complex128.
func pairC128(a, b []complex128, m0, m1, m2, m3 complex128) {
	pairVecs(a, b[:len(a)], len(a)/2, 32, m0, m1, m2, m3)
}

// pairF64Short applies [[m0 m1] [m2 m3]] to d read as blocks of 2R elements, the first R
// of a block being the "a" elements and the next R the "b" elements (kPair's short runs).
// R must be 1, 2 or 4 and len(d) a multiple of 2R (panics otherwise).
func pairF64Short(d []float64, R int, m0, m1, m2, m3 float64) {
	if R != 1 && R != 2 && R != 4 || len(d)%(2*R) != 0 {
		panic("sim: pairF64Short: bad block size")
	}
	if useSIMD && len(d) >= 4 {
		n := len(d) &^ 3 // whole vectors; with R = 4 also whole blocks
		switch R {
		case 1: // vector [a0 b0 a1 b1]
			c := [8]float64{m0, m3, m0, m3, m1, m2, m1, m2}
			pairLaneF64(&d[0], n/4, &c, false)
		case 2: // vector [a0 a1 b0 b1]
			c := [8]float64{m0, m0, m3, m3, m1, m1, m2, m2}
			pairLaneF64(&d[0], n/4, &c, true)
		case 4: // a vector, then b vector
			pairVecF64(&d[0], &d[4], n/8, 64, m0, m1, m2, m3)
		}
		d = d[n:]
	}
	pairShortGo(d, R, m0, m1, m2, m3)
}

// pairC128Short is pairF64Short for complex128 with R = 1 or 2.
func pairC128Short(d []complex128, R int, m0, m1, m2, m3 complex128) {
	if R != 1 && R != 2 || len(d)%(2*R) != 0 {
		panic("sim: pairC128Short: bad block size")
	}
	if useSIMD && len(d) >= 4 {
		n := len(d) &^ 3
		switch R {
		case 1:
			pairShort1C128(&d[0], n/4, m0, m1, m2, m3)
		case 2:
			pairVecC128(&d[0], &d[2], n/4, 64, m0, m1, m2, m3)
		}
		d = d[n:]
	}
	pairShortGo(d, R, m0, m1, m2, m3)
}

// scaleVec multiplies every element of a by v: with the assembly loop over the whole
// 32-byte vectors when simdOn, with scaleGo over the rest.
func scaleVec[T number](a []T, v T) {
	w := 32 / int(unsafe.Sizeof(v)) // elements per vector
	if simdOn[T]() && len(a) >= w {
		n := len(a) &^ (w - 1)
		switch p := &a[0]; {
		case isF64[T]():
			scaleVecF64(ptr[float64](p), n/w, f64(v))
		case isC128[T]():
			scaleVecC128(ptr[complex128](p), n/w, c128(v))
		case isC64[T]():
			scaleVecC64(ptr[complex64](p), n/w, c64(v))
		default:
			scaleVecF32(ptr[float32](p), n/w, f32(v))
		}
		a = a[n:]
	}
	scaleGo(a, v)
}

// scaleF64 multiplies every element of a by v.
func scaleF64(a []float64, v float64) { scaleVec(a, v) }

// scaleC128 multiplies every element of a by v.
func scaleC128(a []complex128, v complex128) { scaleVec(a, v) }

// pairBlocksF64 is pairF64Short for any R that is a multiple of 4 (whole vectors).
func pairBlocksF64(d []float64, R int, m0, m1, m2, m3 float64) { pairBlocks(d, R, m0, m1, m2, m3) }

// pairBlocksC128 is pairBlocksF64 for complex128, R a multiple of 2.
func pairBlocksC128(d []complex128, R int, m0, m1, m2, m3 complex128) {
	pairBlocks(d, R, m0, m1, m2, m3)
}

// swapVec exchanges the nvec 32-byte vectors at a and b.
//
//go:noescape
func swapVec(a, b *byte, nvec int)

// mulVecC128 multiplies the nvec vectors (2 complex128) at a by those at p, element by
// element, bit-identical to the Go loop.
//
//go:noescape
func mulVecC128(a, p *complex128, nvec int)

// mulVecC64 multiplies the nvec vectors (4 complex64) at a by those at p, element by element.
//
//go:noescape
func mulVecC64(a, p *complex64, nvec int)

// mulVecF64 multiplies the nvec vectors (4 float64) at a by those at p, element by element,
// bit-identical to the Go loop.
//
//go:noescape
func mulVecF64(a, p *float64, nvec int)

// mulVecF32 multiplies the nvec vectors (8 float32) at a by those at p, element by element,
// bit-identical to the Go loop.
//
//go:noescape
func mulVecF32(a, p *float32, nvec int)

// mulRunVec sets a[k] *= p[k] for the k below the largest multiple of a 32-byte vector's
// elements that is at most len(a) (len(p) ≥ len(a)), with the assembly loops when useSIMD
// is on, and returns that count (0 when useSIMD is off or a is shorter than one vector).
// All four loops are plain products (or Go's complex product, no FMA): bit-identical to the
// Go loop.
func mulRunVec[T number](a, p []T) int {
	var zero T
	w := 32 / int(unsafe.Sizeof(zero)) // elements per vector
	if !useSIMD || len(a) < w {
		return 0
	}
	n := len(a) &^ (w - 1)
	p = p[:n] // panics, as the Go loop would, when p is short
	switch pa, pp := &a[0], &p[0]; {
	case isF64[T]():
		mulVecF64(ptr[float64](pa), ptr[float64](pp), n/w)
	case isC128[T]():
		mulVecC128(ptr[complex128](pa), ptr[complex128](pp), n/w)
	case isC64[T]():
		mulVecC64(ptr[complex64](pa), ptr[complex64](pp), n/w)
	default:
		mulVecF32(ptr[float32](pa), ptr[float32](pp), n/w)
	}
	return n
}
