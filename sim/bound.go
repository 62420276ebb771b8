package sim

import (
	"math"
	"math/bits"
	"slices"
	"time"
	"unsafe"
)

// The kernel-aware bound of a schedule. A cache-resident sweep costs at least one pass over
// memory (the floor) and at least the time its steps' kernels take on chunks that sit in
// cache; the second term depends on which kernel each step runs: a fused dense 4x4 complex
// block is 16 complex multiply-adds per group of 4 amplitudes, a scaling pass one multiply per
// float. Schedule.KernelBound prices every step at the in-cache cost of its kernel kind,
// measured once per kind by MeasureKernelCosts on chunks of a sweep's size at the run's thread
// count with the kernel's fastest layout (its qubits high in the chunk: long contiguous runs),
// so that what a step costs above that (short runs of low qubits, dispatch per chunk, gathers)
// shows as time over the bound.

// Kernel is the kind of loop a step of a cache-resident sweep runs.
type Kernel int

// The kernel kinds of the bound. "Real" kernels have real coefficients (on complex data they
// run on the interleaved float view), "complex" ones complex coefficients.
const (
	KernelDiagReal       Kernel = iota // a diagonal (or global factor) with real entries: entries ≠ 1 scale their runs
	KernelDiagComplex                  // a diagonal with complex entries (RZ, phases)
	KernelPatternReal                  // merged diagonal on low qubits, real: one pass of products by a repeating pattern
	KernelPatternComplex               // merged diagonal on low qubits, complex
	KernelSwap                         // a transposition of basis states (X, CX, SWAP): moves only
	KernelPairReal                     // a 2x2 block with real entries (RY, H)
	KernelPairComplex                  // a 2x2 block with complex entries (RX, fused 1-qubit runs)
	KernelDense4Real                   // a dense 4x4 block with real entries (fused 2-qubit blocks)
	KernelDense4Complex                // a dense 4x4 block with complex entries
	NumKernels                         // the number of kernel kinds
)

var kernelNames = [NumKernels]string{"diag real", "diag complex", "pattern real", "pattern complex", "swap", "2x2 real", "2x2 complex", "4x4 real", "4x4 complex"}

// String names the kernel kind.
func (k Kernel) String() string {
	if k < 0 || k >= NumKernels {
		return "kernel?"
	}
	return kernelNames[k]
}

// Complex reports whether the kernel needs complex data.
func (k Kernel) Complex() bool {
	return k == KernelDiagComplex || k == KernelPatternComplex || k == KernelPairComplex || k == KernelDense4Complex
}

// FLOPs returns the floating-point operations the kernel does per amplitude it touches, on
// complex data (complexData) or real data; a multiply-add counts two, a multiply alone one.
func (k Kernel) FLOPs(complexData bool) float64 {
	f := [NumKernels]float64{
		KernelDiagReal: 1, KernelDiagComplex: 6, KernelPatternReal: 1, KernelPatternComplex: 6,
		KernelPairReal: 4, KernelPairComplex: 16, KernelDense4Real: 8, KernelDense4Complex: 32,
	}[k]
	if complexData && !k.Complex() {
		f *= 2 // real coefficients on the two floats of a complex amplitude
	}
	return f
}

// KernelMix is the in-cache work of one pass: for each kernel kind, how many full passes of
// it over the state the pass's steps amount to (a CZ multiplies a quarter of the amplitudes:
// 0.25 of a diagonal pass; a CX moves half of them: 0.5 of a swap pass).
type KernelMix [NumKernels]float64

// KernelCosts holds, for each kernel kind, the time of one full pass of it over a state of
// some size on cache-resident chunks (MeasureKernelCosts); 0 for kinds not measured.
type KernelCosts [NumKernels]time.Duration

// Time returns what the mix costs at the given per-kind costs.
func (m KernelMix) Time(kc KernelCosts) time.Duration {
	t := 0.0
	for k, w := range m {
		t += w * float64(kc[k])
	}
	return time.Duration(math.Round(t))
}

// stepKernel returns the kernel kind st runs, the fraction of a full pass of that kernel it
// amounts to (weight), its lowest qubit, and whether it runs the portable dense loop (blocks
// on more than 2 qubits, or dense blocks with controls: weight then counts 4x4 passes).
func stepKernel(st *step) (kind Kernel, weight float64, qmin int, portable bool) {
	qmin = 64
	for _, q := range st.controls {
		qmin = min(qmin, q)
	}
	for _, q := range st.targets {
		qmin = min(qmin, q)
	}
	k := len(st.controls) + len(st.targets)
	if st.outer != nil {
		kind, weight = outerKernel(st)
		return kind, weight, qmin, false
	}
	if st.dg != nil { // a merged diagonal: one pattern pass
		if st.dgr != nil {
			return KernelPatternReal, 1, qmin, false
		}
		return KernelPatternComplex, 1, qmin, false
	}
	real := st.mr != nil
	if st.dense { // a transposition run as a dense 4x4 block
		if real {
			return KernelDense4Real, 1, qmin, false
		}
		return KernelDense4Complex, 1, qmin, false
	}
	pick := func(r, c Kernel) Kernel {
		if real {
			return r
		}
		return c
	}
	T := len(st.targets)
	D := 1 << T
	touched := 1 / float64(int(1)<<k) // one row of the 2^k an operation on k qubits sees
	m := st.m
	switch {
	case k == 0: // a global factor
		return pick(KernelDiagReal, KernelDiagComplex), 1, 0, false
	case T == 0: // a phase on the rows where every control is 1
		return pick(KernelDiagReal, KernelDiagComplex), touched, qmin, false
	case isDiagonal(m, D):
		e := 0
		for j := 0; j < D; j++ {
			if m[j*D+j] != 1 {
				e++
			}
		}
		return pick(KernelDiagReal, KernelDiagComplex), float64(e) * touched, qmin, false
	}
	if _, _, ok := transposition(m, D); ok {
		return KernelSwap, 2 * touched, qmin, false
	}
	switch {
	case T == 1:
		return pick(KernelPairReal, KernelPairComplex), 2 * touched, qmin, false
	case T == 2 && len(st.controls) == 0:
		return pick(KernelDense4Real, KernelDense4Complex), 1, qmin, false
	}
	// Larger dense blocks: 2^T products per amplitude of the rows they touch.
	return pick(KernelDense4Real, KernelDense4Complex), float64(D) / 4 * float64(D) * touched, qmin, true
}

// outerKernel is stepKernel for a diagonal step with outer qubits: averaged over the chunks
// (each selects one part of the table), a scaling pass on the chunks whose part is a factor
// other than 1 (no local qubit), a pattern pass on those whose part is not the identity
// (a low local qubit: applyDiag's pattern pass, for one element per row), or a diagonal pass
// over the fraction of amplitudes whose entry is not 1.
func outerKernel(st *step) (Kernel, float64) {
	T := len(st.targets)
	size := 1 << T
	parts := len(st.dg) / size
	applied, entries := 0, 0
	for oi := 0; oi < parts; oi++ {
		e := 0
		for _, v := range st.dg[oi*size : (oi+1)*size] {
			if v != 1 {
				e++
			}
		}
		entries += e
		if e > 0 {
			applied++
		}
	}
	diag, pattern := KernelDiagComplex, KernelPatternComplex
	if st.dgr != nil {
		diag, pattern = KernelDiagReal, KernelPatternReal
	}
	switch {
	case T == 0:
		return diag, float64(applied) / float64(parts)
	case slices.Min(st.targets) < bits.Len(patternElems/2):
		return pattern, float64(applied) / float64(parts)
	}
	return diag, float64(entries) / float64(size*parts)
}

// sweepMix returns the in-cache work of a sweep's steps.
func sweepMix(steps []step) KernelMix {
	var mix KernelMix
	for i := range steps {
		kind, w, _, _ := stepKernel(&steps[i])
		mix[kind] += w
	}
	return mix
}

// KernelBound is the schedule's kernel-aware lower bound on its time: the sum over its passes
// of max(floor, the in-cache time of its steps' kernels at costs kc), a pass applied directly
// (one gate streaming over the state) costing the floor.
func (sc Schedule) KernelBound(floor time.Duration, kc KernelCosts) time.Duration {
	var t time.Duration
	for i, k := range sc.SweepSteps {
		if k == 0 || i >= len(sc.SweepKernels) {
			t += floor
			continue
		}
		t += max(floor, sc.SweepKernels[i].Time(kc))
	}
	return t
}

// MeasureKernelCosts measures, for every kernel kind the data type runs, one full pass of it
// over a state of n qubits on cache-resident chunks: every goroutine (Threads) at once, each
// applying a representative step (its qubits the chunk's highest: long runs, the kernel's
// fastest layout) to its own warm chunk of a sweep's size and timing its own rounds (the
// slowest goroutine's fastest round counts), scaled to the 2^n amplitudes of a float64 state, a complex128 one (complexPath) or their
// single-precision forms. Complex kinds are 0 on the real path.
func MeasureKernelCosts(n int, complexPath bool, prec Precision, repeats int) KernelCosts {
	w := max(workers(1<<62), 1)
	eb := 8
	if prec == Single {
		eb = 4
	}
	rf := 1
	if complexPath {
		rf = 2
	}
	chunk := Blocking.ChunkBytes
	if chunk <= 0 {
		chunk = 512 << 10
	}
	c := bits.Len(uint(chunk/(eb*rf))) - 1
	c = max(min(c, n), 3)
	na := 1 << c
	chunks := make([]amps, w)
	for g := range chunks {
		a := &chunks[g]
		a.n, a.B = c, 1
		v := 1 / math.Sqrt(float64(na))
		switch {
		case prec == Single && complexPath:
			a.c64 = make([]complex64, na)
			a.f32 = unsafe.Slice((*float32)(unsafe.Pointer(&a.c64[0])), 2*na)
		case prec == Single:
			a.f32 = make([]float32, na)
		case complexPath:
			a.c = make([]complex128, na)
			a.f = unsafe.Slice((*float64)(unsafe.Pointer(&a.c[0])), 2*na)
		default:
			a.f = make([]float64, na)
		}
		for i := range a.f {
			a.f[i] = v
		}
		for i := range a.f32 {
			a.f32[i] = float32(v)
		}
	}
	var kc KernelCosts
	for k := Kernel(0); k < NumKernels; k++ {
		if k.Complex() && !complexPath {
			continue
		}
		st := kernelStep(k, c)
		if prec == Single {
			st.toSingle()
		}
		run := func(g int) {
			a := &chunks[g]
			if a.single() {
				a.applyChunk32([]step{st}, a.f32, 0)
			} else {
				a.applyChunk([]step{st}, a.f, 0)
			}
		}
		chunks[0].prepareDense4(&st)
		// Each goroutine times its own passes: the slowest goroutine's fastest round is the
		// cost. Timing the group as a whole would, on a loaded machine, count the rounds
		// where one goroutine waited for a core (the bound is for threads that run).
		const passes = 8
		best := fastestPass(w, repeats, passes, run)
		kc[k] = time.Duration(float64(best) * float64(int64(1)<<n) / float64(w*na))
	}
	return kc
}

// kernelStep returns a representative step of a kernel kind on a chunk of c qubits, its
// qubits the highest ones (the pattern diagonal needs low qubits: 0, 1 and the highest).
// Every step is norm-preserving, so repeated application keeps the data normal.
func kernelStep(k Kernel, c int) step {
	th := 0.4
	cs, sn := math.Cos(th), math.Sin(th)
	hi, hi2 := c-1, c-2
	mk := func(targets []int, m []complex128) step {
		st := step{targets: targets, m: m}
		st.mr, _ = realCoefs(m, nil)
		return st
	}
	switch k {
	case KernelDiagReal:
		return mk([]int{hi}, []complex128{-1, 0, 0, -1})
	case KernelDiagComplex:
		return mk([]int{hi}, []complex128{complex(cs, -sn), 0, 0, complex(cs, sn)})
	case KernelPatternReal, KernelPatternComplex:
		qs := []int{0, 1, hi}
		dg := make([]complex128, 8)
		for i := range dg {
			dg[i] = -1
			if k == KernelPatternComplex {
				dg[i] = complex(math.Cos(th*float64(i+1)), math.Sin(th*float64(i+1)))
			}
		}
		st := step{targets: qs, dg: dg}
		st.dgr, _ = realCoefs(dg, nil)
		return st
	case KernelSwap:
		return mk([]int{hi}, []complex128{0, 1, 1, 0})
	case KernelPairReal:
		return mk([]int{hi}, []complex128{complex(cs, 0), complex(-sn, 0), complex(sn, 0), complex(cs, 0)})
	case KernelPairComplex:
		return mk([]int{hi}, []complex128{complex(cs, 0), complex(0, -sn), complex(0, -sn), complex(cs, 0)})
	case KernelDense4Real:
		c2, s2 := math.Cos(0.7), math.Sin(0.7)
		r1 := [4]float64{cs, -sn, sn, cs}
		r2 := [4]float64{c2, -s2, s2, c2}
		m := make([]complex128, 16)
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				m[i*4+j] = complex(r1[(i&1)*2+j&1]*r2[(i>>1)*2+j>>1], 0)
			}
		}
		return mk([]int{hi2, hi}, m)
	default: // KernelDense4Complex: RX ⊗ RY-like product with complex entries
		rx := [4]complex128{complex(cs, 0), complex(0, -sn), complex(0, -sn), complex(cs, 0)}
		c2, s2 := math.Cos(0.7), math.Sin(0.7)
		rz := [4]complex128{complex(c2, -s2), complex(0, 0), 0, complex(c2, s2)}
		ry := [4]complex128{complex(c2, 0), complex(-s2, 0), complex(s2, 0), complex(c2, 0)}
		var r2 [4]complex128
		for i := 0; i < 2; i++ {
			for j := 0; j < 2; j++ {
				for l := 0; l < 2; l++ {
					r2[i*2+j] += rz[i*2+l] * ry[l*2+j]
				}
			}
		}
		m := make([]complex128, 16)
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				m[i*4+j] = rx[(i&1)*2+j&1] * r2[(i>>1)*2+j>>1]
			}
		}
		return mk([]int{hi2, hi}, m)
	}
}
