package sim

// The kernels. Every kernel acts on a batch laid out as an N x B row-major matrix (row i is
// basis state |i⟩, column b one state vector), so an operation on qubits qs sees, for each
// "base" row index with all bits of qs cleared, the 2^k rows base+offset. Bases come in runs
// of 2^qs[0] consecutive rows (the bits below the lowest operand qubit are free), that is
// R = B·2^qs[0] consecutive elements sharing the same offsets, and the inner loops run along
// those contiguous elements. A kernel call covers the flat range [lo,hi) of that element
// space (of size len(d) >> len(qs)), so callers can split it between goroutines anywhere.
//
// The kernels are generic over float64 and complex128 (double precision) and float32 and
// complex64 (single precision); a real matrix acting on complex data uses the real kernels on
// the interleaved re/im view (B doubled), which halves the arithmetic.

import (
	"sync/atomic"
	"unsafe"
)

type number interface {
	float32 | float64 | complex64 | complex128
}

// single is the element types of single precision (Options.Precision Single): float32 for
// real amplitudes, complex64 for complex ones.
type single interface{ float32 | complex64 }

// insertZeros inserts a zero bit at each position of the ascending qubits whose low masks
// (1<<q − 1) are given, mapping a counter over the bases to the base row index.
func insertZeros(x int, masks []int) int {
	for _, m := range masks {
		x = (x&^m)<<1 | x&m
	}
	return x
}

// lowMasks returns 1<<q − 1 for each qubit of qs, in buf.
func lowMasks(buf *[64]int, qs []int) []int {
	m := buf[:len(qs)]
	for i, q := range qs {
		m[i] = 1<<q - 1
	}
	return m
}

// kPair applies [[m0 m1] [m2 m3]] to the element pairs (s, s+toff), s = start of a run plus
// coff (coff selects the controls' 1 bits).
func kPair[T number](d []T, B int, qs []int, coff, toff int, m0, m1, m2, m3 T, touch bool, lo, hi int) {
	qmin := qs[0]
	var mb [64]int
	ms := lowMasks(&mb, qs)
	R := B << qmin
	if len(qs) == 1 && coff == 0 && toff == R && lo%R == 0 && hi%R == 0 {
		// Short runs (a low qubit of a narrow batch), too short to amortise a call each:
		// whole blocks of 2R elements at a time, in-register for R ≤ 4 and by strided calls
		// over all blocks up to R = 16 (longer strides measured slower with
		// BenchmarkBlocking: they thrash the caches).
		if R <= 4 && pairShortRun(d[2*lo:2*hi], R, m0, m1, m2, m3) ||
			R <= 16 && pairBlocksRun(d[2*lo:2*hi], R, m0, m1, m2, m3) {
			return
		}
	}
	var tc touchCursors[T]
	if R == 1 { // single elements (qubit 0 is a control of a single vector)
		for f := lo; f < hi; f++ {
			s := insertZeros(f, ms) + coff
			if touch {
				tc.touch(d, s, s+toff, 1)
			}
			x, y := d[s], d[s+toff]
			d[s] = m0*x + m1*y
			d[s+toff] = m2*x + m3*y
		}
		tc.done()
		return
	}
	r, t := lo/R, lo%R
	for f := lo; f < hi; {
		n := min(R-t, hi-f)
		s := insertZeros(r<<qmin, ms)*B + t + coff
		if touch {
			tc.touch(d, s, s+toff, n)
		}
		pairRun(d[s:s+n], d[s+toff:s+toff+n], m0, m1, m2, m3)
		f += n
		r++
		t = 0
	}
	tc.done()
}

// touchCursors keep two element streams prefetchable when a kernel skips blocks of 64 B to
// 4 KiB (rows whose control bits are 0): before each run it reads one element per cache
// line of the skipped gap in each stream, so the memory system sees two sequential streams
// instead of a pattern of short jumps, which the hardware prefetcher does not follow and
// which made such gates several times slower (BenchmarkControlledGap). The reads may see
// elements another goroutine is writing; their values are discarded, and the race-detector
// build turns touching off (raceBuild).
type touchCursors[T number] struct {
	c0, c1 int
	init   bool
	sink   T
}

// touch reads the lines before s0 and s1 not read yet, then moves the cursors past the run
// of n elements at s0 and at s1.
func (tc *touchCursors[T]) touch(d []T, s0, s1, n int) {
	var zero T
	step := max(1, 64/int(unsafe.Sizeof(zero)))
	if !tc.init {
		tc.c0, tc.c1, tc.init = s0, s1, true
	}
	for ; tc.c0 < s0; tc.c0 += step {
		tc.sink += d[tc.c0]
	}
	for ; tc.c1 < s1; tc.c1 += step {
		tc.sink += d[tc.c1]
	}
	tc.c0 = max(tc.c0, s0+n)
	tc.c1 = max(tc.c1, s1+n)
}

// done keeps the touching reads alive (their values are never used otherwise).
func (tc *touchCursors[T]) done() {
	if tc.sink == 1.5 {
		touchedOne.Add(1)
	}
}

var touchedOne atomic.Int64

// kSwap exchanges the elements at offsets o0 and o1 of every run (a permutation gate that
// is a single transposition of basis states: x, cx, ccx, swap, cswap).
func kSwap[T number](d []T, B int, qs []int, o0, o1 int, touch bool, lo, hi int) {
	qmin := qs[0]
	var mb [64]int
	ms := lowMasks(&mb, qs)
	R := B << qmin
	if R == 1 && len(qs) == 1 && o0 == 0 && o1 == 1 {
		for i := lo; i < hi; i++ {
			p := d[2*i : 2*i+2]
			p[0], p[1] = p[1], p[0]
		}
		return
	}
	var tc touchCursors[T]
	if R == 1 {
		for f := lo; f < hi; f++ {
			s := insertZeros(f, ms)
			if touch {
				tc.touch(d, s+o0, s+o1, 1)
			}
			d[s+o0], d[s+o1] = d[s+o1], d[s+o0]
		}
		tc.done()
		return
	}
	r, t := lo/R, lo%R
	for f := lo; f < hi; {
		n := min(R-t, hi-f)
		s := insertZeros(r<<qmin, ms)*B + t
		if touch {
			tc.touch(d, s+o0, s+o1, n)
		}
		swapRun(d[s+o0:s+o0+n], d[s+o1:s+o1+n])
		f += n
		r++
		t = 0
	}
	tc.done()
}

// kDiag multiplies the elements at offsets offs[e] of every run by vals[e].
func kDiag[T number](d []T, B int, qs []int, offs []int, vals []T, lo, hi int) {
	qmin := qs[0]
	var mb [64]int
	ms := lowMasks(&mb, qs)
	R := B << qmin
	if len(offs) == 1 {
		o, v := offs[0], vals[0]
		if R == 1 {
			for f := lo; f < hi; f++ {
				d[insertZeros(f, ms)+o] *= v
			}
			return
		}
		r, t := lo/R, lo%R
		for f := lo; f < hi; {
			n := min(R-t, hi-f)
			s := insertZeros(r<<qmin, ms)*B + t + o
			scaleRun(d[s:s+n], v)
			f += n
			r++
			t = 0
		}
		return
	}
	r, t := lo/R, lo%R
	for f := lo; f < hi; {
		n := min(R-t, hi-f)
		s := insertZeros(r<<qmin, ms)*B + t
		for e, o := range offs {
			scaleRun(d[s+o:s+o+n], vals[e])
		}
		f += n
		r++
		t = 0
	}
}

// kDense applies the D x D matrix m (D = len(offs)) to the elements at offsets offs of every
// run position.
func kDense[T number](d []T, B int, qs []int, offs []int, m []T, lo, hi int) {
	D := len(offs)
	var stack [64]T
	var buf []T
	if D <= len(stack) {
		buf = stack[:D]
	} else {
		buf = make([]T, D)
	}
	qmin := qs[0]
	var mb [64]int
	ms := lowMasks(&mb, qs)
	R := B << qmin
	r, t := lo/R, lo%R
	if D == 4 {
		o0, o1, o2, o3 := offs[0], offs[1], offs[2], offs[3]
		m = m[:16]
		for f := lo; f < hi; {
			n := min(R-t, hi-f)
			s := insertZeros(r<<qmin, ms)*B + t
			a0 := d[s+o0 : s+o0+n]
			a1 := d[s+o1 : s+o1+n]
			a2 := d[s+o2 : s+o2+n]
			a3 := d[s+o3 : s+o3+n]
			for j := range a0 {
				x0, x1, x2, x3 := a0[j], a1[j], a2[j], a3[j]
				a0[j] = m[0]*x0 + m[1]*x1 + m[2]*x2 + m[3]*x3
				a1[j] = m[4]*x0 + m[5]*x1 + m[6]*x2 + m[7]*x3
				a2[j] = m[8]*x0 + m[9]*x1 + m[10]*x2 + m[11]*x3
				a3[j] = m[12]*x0 + m[13]*x1 + m[14]*x2 + m[15]*x3
			}
			f += n
			r++
			t = 0
		}
		return
	}
	for f := lo; f < hi; {
		n := min(R-t, hi-f)
		s := insertZeros(r<<qmin, ms)*B + t
		for j := 0; j < n; j++ {
			for c, o := range offs {
				buf[c] = d[s+o+j]
			}
			for rr, o := range offs {
				row := m[rr*D : rr*D+D]
				var acc T
				for c, v := range buf {
					acc += row[c] * v
				}
				d[s+o+j] = acc
			}
		}
		f += n
		r++
		t = 0
	}
}

// kScale multiplies d[lo:hi] by v.
func kScale[T number](d []T, v T, lo, hi int) { scaleRun(d[lo:hi], v) }

// The generic entry points to the SIMD loops (simd_amd64.s, with portable fallbacks): T is
// told apart by its size and alignment (compile-time constants of each instantiation:
// float32 4/4, float64 8/8, complex64 8/4, complex128 16/8), and the slices are
// reinterpreted without a copy or an allocation.

func isF64[T number]() bool {
	var zero T
	return unsafe.Sizeof(zero) == 8 && unsafe.Alignof(zero) == 8
}

func isC128[T number]() bool {
	var zero T
	return unsafe.Sizeof(zero) == 16
}

func isC64[T number]() bool {
	var zero T
	return unsafe.Sizeof(zero) == 8 && unsafe.Alignof(zero) == 4
}

func asF32[T number](d []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(d))), len(d))
}

func asC64[T number](d []T) []complex64 {
	return unsafe.Slice((*complex64)(unsafe.Pointer(unsafe.SliceData(d))), len(d))
}

func c64[T number](v T) complex64 { return *(*complex64)(unsafe.Pointer(&v)) }
func f32[T number](v T) float32   { return *(*float32)(unsafe.Pointer(&v)) }

func asF64[T number](d []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(d))), len(d))
}

func asC128[T number](d []T) []complex128 {
	return unsafe.Slice((*complex128)(unsafe.Pointer(unsafe.SliceData(d))), len(d))
}

func f64[T number](v T) float64     { return *(*float64)(unsafe.Pointer(&v)) }
func c128[T number](v T) complex128 { return *(*complex128)(unsafe.Pointer(&v)) }

// pairRun sets a[j], b[j] = m0·a[j] + m1·b[j], m2·a[j] + m3·b[j] (len(b) ≥ len(a)).
func pairRun[T number](a, b []T, m0, m1, m2, m3 T) {
	switch {
	case isF64[T]():
		pairF64(asF64(a), asF64(b), f64(m0), f64(m1), f64(m2), f64(m3))
	case isC128[T]():
		pairC128(asC128(a), asC128(b), c128(m0), c128(m1), c128(m2), c128(m3))
	case isC64[T]():
		pairC64(asC64(a), asC64(b), c64(m0), c64(m1), c64(m2), c64(m3))
	default:
		pairF32(asF32(a), asF32(b), f32(m0), f32(m1), f32(m2), f32(m3))
	}
}

// pairShortRun applies the matrix to blocks of 2R elements (R "a" then R "b" elements) and
// reports true, for the block sizes the SIMD loops cover (R = 1, 2, 4 for float64; 1, 2
// for complex128); otherwise it does nothing and reports false.
func pairShortRun[T number](d []T, R int, m0, m1, m2, m3 T) bool {
	if isC64[T]() {
		if R != 1 && R != 2 {
			return false
		}
		pairC64Short(asC64(d), R, c64(m0), c64(m1), c64(m2), c64(m3))
		return true
	}
	if !isF64[T]() && !isC128[T]() { // float32
		if R == 3 {
			return false
		}
		pairF32Short(asF32(d), R, f32(m0), f32(m1), f32(m2), f32(m3))
		return true
	}
	if isF64[T]() {
		if R == 3 {
			return false
		}
		pairF64Short(asF64(d), R, f64(m0), f64(m1), f64(m2), f64(m3))
		return true
	}
	if R != 1 && R != 2 {
		return false
	}
	pairC128Short(asC128(d), R, c128(m0), c128(m1), c128(m2), c128(m3))
	return true
}

// pairBlocksRun applies the matrix to blocks of 2R elements with the strided SIMD loops
// and reports true when R is a whole number of vectors; otherwise it does nothing.
func pairBlocksRun[T number](d []T, R int, m0, m1, m2, m3 T) bool {
	if isC64[T]() {
		if R%4 != 0 {
			return false
		}
		pairBlocksC64(asC64(d), R, c64(m0), c64(m1), c64(m2), c64(m3))
		return true
	}
	if !isF64[T]() && !isC128[T]() { // float32
		if R%8 != 0 {
			return false
		}
		pairBlocksF32(asF32(d), R, f32(m0), f32(m1), f32(m2), f32(m3))
		return true
	}
	if isF64[T]() {
		if R%4 != 0 {
			return false
		}
		pairBlocksF64(asF64(d), R, f64(m0), f64(m1), f64(m2), f64(m3))
		return true
	}
	if R%2 != 0 {
		return false
	}
	pairBlocksC128(asC128(d), R, c128(m0), c128(m1), c128(m2), c128(m3))
	return true
}

// scaleRun multiplies every element of a by v.
func scaleRun[T number](a []T, v T) {
	switch {
	case isF64[T]():
		scaleF64(asF64(a), f64(v))
	case isC128[T]():
		scaleC128(asC128(a), c128(v))
	case isC64[T]():
		scaleC64(asC64(a), c64(v))
	default:
		scaleF32(asF32(a), f32(v))
	}
}

// kDiagSweep is kDiag for short runs: it walks runs u in [lo,hi) of R = B·2^qs[0] elements in
// memory order, multiplying a run by its diagonal entry full[bits of the run's row at qs] and
// only reading the first element of each cache line of a run whose entry is 1. The reads
// keep the access pattern a sequential stream the hardware prefetcher follows; skipping
// whole lines (what kDiag does for short runs) defeats it and is several times slower.
func kDiagSweep[T number](d []T, B int, qs []int, full []T, lo, hi int) T {
	qmin := qs[0]
	var mb [64]int
	ms := lowMasks(&mb, qs)
	R := B << qmin
	var sink T
	var zero T
	step := max(1, 64/int(unsafe.Sizeof(zero)))
	for u := lo; u < hi; u++ {
		row := u << qmin
		idx, bit := 0, 1
		for _, m := range ms {
			if row&(m+1) != 0 {
				idx |= bit
			}
			bit <<= 1
		}
		a := d[u*R : u*R+R]
		if v := full[idx]; v != 1 {
			for j := range a {
				a[j] *= v
			}
			continue
		}
		for j := 0; j < len(a); j += step {
			sink += a[j]
		}
	}
	return sink
}

// swapRun exchanges a[j] and b[j] for every j < len(a) (len(b) ≥ len(a)): with whole 32-byte
// vectors when the SIMD loops are on (moves only, so bit-identical), the rest element by
// element.
func swapRun[T number](a, b []T) {
	b = b[:len(a)]
	var zero T
	if es := int(unsafe.Sizeof(zero)); useSIMD && len(a)*es >= 64 {
		per := 32 / es
		n := len(a) / per * per
		swapVec((*byte)(unsafe.Pointer(&a[0])), (*byte)(unsafe.Pointer(&b[0])), n/per)
		a, b = a[n:], b[n:]
	}
	for j := range a {
		a[j], b[j] = b[j], a[j]
	}
}

// diagPattern multiplies by a diagonal whose lowest qubit gives short runs (under 128
// bytes), where kDiag would pay a call per run: the factors repeat over blocks of
// patternElems contiguous elements (the qubits inside a block are the low ones), with one
// pattern for each value of the bits of the higher qubits (at most 2), and every block is
// multiplied by its pattern element by element (blocks whose pattern is all ones are
// skipped). It reports false, doing nothing, for other diagonals. The result does not
// depend on w.
func diagPattern[T number](d []T, B int, qs []int, offs []int, vals []T, w int) bool {
	const P = patternElems
	if B&(B-1) != 0 {
		return false // blocks of P elements would not hold whole rows
	}
	var high [2]int
	nh := 0
	for _, q := range qs {
		if B<<q < P {
			if B<<(q+1) > P {
				return false // a qubit straddling the block size (B not a power of two)
			}
			continue
		}
		if nh == len(high) {
			return false
		}
		high[nh] = q
		nh++
	}
	if len(d)%P != 0 || nh == len(qs) {
		return false
	}
	qmask := 0
	for _, q := range qs {
		qmask |= 1 << q
	}
	var pats [4][P]T
	var used [4]bool
	for h := 0; h < 1<<nh; h++ {
		hrow := spread(h, high[:nh])
		for k := 0; k < P; k++ {
			v := T(1)
			o := ((k/B | hrow) & qmask) * B
			for e, oe := range offs {
				if oe == o {
					v = vals[e]
				}
			}
			pats[h][k] = v
			if v != 1 {
				used[h] = true
			}
		}
	}
	blocks := len(d) / P
	if w <= 1 {
		diagPatternBlocks(d, B, high[:nh], &pats, &used, 0, blocks)
		return true
	}
	diagPatternParallel(d, B, high, nh, pats, used, w, blocks)
	return true
}

// diagPatternParallel is diagPattern's block loop on w goroutines (its own copies of the
// patterns, so that the serial path allocates nothing).
func diagPatternParallel[T number](d []T, B int, high [2]int, nh int, pats [4][patternElems]T, used [4]bool, w, blocks int) {
	parallel(w, blocks, func(lo, hi int) { diagPatternBlocks(d, B, high[:nh], &pats, &used, lo, hi) })
}

// patternElems is the block length of diagPattern.
const patternElems = 64

// diagPatternBlocks multiplies blocks lo..hi−1 of patternElems elements by their patterns.
func diagPatternBlocks[T number](d []T, B int, high []int, pats *[4][patternElems]T, used *[4]bool, lo, hi int) {
	for b := lo; b < hi; b++ {
		h := gather(b*patternElems/B, high)
		if !used[h] {
			continue
		}
		blk := d[b*patternElems : b*patternElems+patternElems]
		switch {
		case mulRunVec(blk, pats[h][:]) == patternElems: // the SIMD loop did the block
		case isF64[T]():
			mulBlockReal(asF64(blk), asF64(pats[h][:]))
		case !isC128[T]() && !isC64[T](): // float32
			mulBlockReal(asF32(blk), asF32(pats[h][:]))
		default:
			mulRun(blk, pats[h][:])
		}
	}
}

// mulRun sets a[k] *= p[k] for every k < len(a) (len(p) ≥ len(a)): the SIMD loop
// (mulRunVec) over the whole vectors, the Go loop over the rest.
func mulRun[T number](a, p []T) {
	n := mulRunVec(a, p)
	a, p = a[n:], p[n:]
	for k := range a {
		a[k] *= p[k]
	}
}

// mulBlockReal multiplies a block of patternElems real elements by its pattern, element by
// element, unrolled by 8 with the bounds checks hoisted: the portable form of the real
// pattern pass (the plain loop ran it at 3x the cost of a diagonal pass), for other
// architectures, -tags purego and useSIMD off.
func mulBlockReal[T float32 | float64](a, p []T) {
	a, p = a[:patternElems], p[:patternElems]
	for i := 0; i < patternElems; i += 8 {
		x, y := (*[8]T)(a[i:i+8]), (*[8]T)(p[i:i+8])
		x[0] *= y[0]
		x[1] *= y[1]
		x[2] *= y[2]
		x[3] *= y[3]
		x[4] *= y[4]
		x[5] *= y[5]
		x[6] *= y[6]
		x[7] *= y[7]
	}
}
