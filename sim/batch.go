package sim

import (
	"fmt"
	"slices"
	"unsafe"

	par "github.com/qpeft/qpeft/internal/parallel"
)

// Batch is B complex state vectors of n qubits stored as an N x B row-major matrix,
// N = 2^Qubits: amplitude i of column b is Data[i*B+b]. With B = 1 it is one state vector;
// with B = K it holds K columns of a unitary (a Batch is then exactly the N x K matrix,
// row-major), or a batch of activations. Qubit order is little-endian: qubit k is bit k of
// the row index.
//
// The Apply methods change the batch in place. They panic on programmer errors (a qubit out
// of range or repeated, a matrix of the wrong size) and never allocate per amplitude; above
// ParallelThreshold elements they split the work between Threads goroutines.
type Batch struct {
	Qubits, B int
	Data      []complex128
}

// RealBatch is Batch with float64 amplitudes: the fast path for circuits whose gates are all
// real (RY, CZ, CX, ...), half the memory traffic of complex128.
type RealBatch struct {
	Qubits, B int
	Data      []float64
}

// NewBatch returns a zeroed batch of b state vectors of n qubits, after checking that its
// 2^n·b·16 bytes fit in MemoryLimit (a *MemoryError otherwise).
func NewBatch(n, b int) (*Batch, error) { return newBatch(n, b, 0, "batch of state vectors") }

// NewRealBatch returns a zeroed real batch of b state vectors of n qubits, after checking
// that its 2^n·b·8 bytes fit in MemoryLimit (a *MemoryError otherwise).
func NewRealBatch(n, b int) (*RealBatch, error) {
	return newRealBatch(n, b, 0, "batch of state vectors")
}

func newBatch(n, b int, limit int64, what string) (*Batch, error) {
	if err := checkMemory(what, n, b, 16, limit); err != nil {
		return nil, err
	}
	return &Batch{Qubits: n, B: b, Data: makeAmps[complex128](b << n)}, nil
}

func newRealBatch(n, b int, limit int64, what string) (*RealBatch, error) {
	if err := checkMemory(what, n, b, 8, limit); err != nil {
		return nil, err
	}
	return &RealBatch{Qubits: n, B: b, Data: makeAmps[float64](b << n)}, nil
}

// Rows is the number of rows, 2^Qubits.
func (x *Batch) Rows() int { return 1 << x.Qubits }

// Rows is the number of rows, 2^Qubits.
func (x *RealBatch) Rows() int { return 1 << x.Qubits }

// At returns amplitude i of column b.
func (x *Batch) At(i, b int) complex128 { return x.Data[i*x.B+b] }

// At returns amplitude i of column b.
func (x *RealBatch) At(i, b int) float64 { return x.Data[i*x.B+b] }

// SetIdentity sets column j to the basis state |j⟩ for every j < min(B, 2^Qubits) (and any
// further columns to zero): the start of a unitary or Stiefel-column simulation.
func (x *Batch) SetIdentity() {
	clear(x.Data)
	for j := 0; j < min(x.B, x.Rows()); j++ {
		x.Data[j*x.B+j] = 1
	}
}

// SetIdentity sets column j to the basis state |j⟩ for every j < min(B, 2^Qubits).
func (x *RealBatch) SetIdentity() {
	clear(x.Data)
	for j := 0; j < min(x.B, x.Rows()); j++ {
		x.Data[j*x.B+j] = 1
	}
}

// Column returns a copy of column b.
func (x *Batch) Column(b int) []complex128 {
	out := make([]complex128, x.Rows())
	for i := range out {
		out[i] = x.Data[i*x.B+b]
	}
	return out
}

// Column returns a copy of column b.
func (x *RealBatch) Column(b int) []float64 {
	out := make([]float64, x.Rows())
	for i := range out {
		out[i] = x.Data[i*x.B+b]
	}
	return out
}

// Clone returns a deep copy (no memory check: the caller already holds one).
func (x *Batch) Clone() *Batch {
	return &Batch{Qubits: x.Qubits, B: x.B, Data: slices.Clone(x.Data)}
}

// Clone returns a deep copy.
func (x *RealBatch) Clone() *RealBatch {
	return &RealBatch{Qubits: x.Qubits, B: x.B, Data: slices.Clone(x.Data)}
}

// Complex returns the batch converted to complex128, after a memory check.
func (x *RealBatch) Complex() (*Batch, error) {
	y, err := NewBatch(x.Qubits, x.B)
	if err != nil {
		return nil, err
	}
	for i, v := range x.Data {
		y.Data[i] = complex(v, 0)
	}
	return y, nil
}

// Dot returns Σ conj(x)·y over all elements (the Frobenius inner product of the two N x B
// matrices), summed in a fixed order. It panics if the shapes differ.
func (x *Batch) Dot(y *Batch) complex128 {
	if x.Qubits != y.Qubits || x.B != y.B {
		panic(fmt.Sprintf("sim: Dot of batches %dx%d and %dx%d", x.Rows(), x.B, y.Rows(), y.B))
	}
	xr, yr := x.floats(), y.floats()
	re := reduce(len(x.Data), func(lo, hi int) float64 {
		s := 0.0
		for i := lo; i < hi; i++ {
			s += xr[2*i]*yr[2*i] + xr[2*i+1]*yr[2*i+1]
		}
		return s
	})
	im := reduce(len(x.Data), func(lo, hi int) float64 {
		s := 0.0
		for i := lo; i < hi; i++ {
			s += xr[2*i]*yr[2*i+1] - xr[2*i+1]*yr[2*i]
		}
		return s
	})
	return complex(re, im)
}

// Dot returns Σ x·y over all elements, summed in a fixed order. It panics if the shapes
// differ.
func (x *RealBatch) Dot(y *RealBatch) float64 {
	if x.Qubits != y.Qubits || x.B != y.B {
		panic(fmt.Sprintf("sim: Dot of batches %dx%d and %dx%d", x.Rows(), x.B, y.Rows(), y.B))
	}
	a, b := x.Data, y.Data
	return reduce(len(a), func(lo, hi int) float64 {
		s := 0.0
		for i := lo; i < hi; i++ {
			s += a[i] * b[i]
		}
		return s
	})
}

// Scale multiplies every amplitude by v.
func (x *Batch) Scale(v complex128) {
	if imag(v) == 0 {
		drvScale(x.floats(), real(v), workers(2*len(x.Data)))
		return
	}
	drvScale(x.Data, v, workers(len(x.Data)))
}

// Scale multiplies every amplitude by v.
func (x *RealBatch) Scale(v float64) { drvScale(x.Data, v, workers(len(x.Data))) }

// floats is the interleaved re/im float64 view of the complex data (2·B columns).
func (x *Batch) floats() []float64 {
	if len(x.Data) == 0 {
		return nil
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x.Data))), 2*len(x.Data))
}

// Apply1 applies the 2x2 matrix m (row-major) to qubit q.
func (x *Batch) Apply1(q int, m [4]complex128) {
	t := [1]int{q}
	x.ApplyControlled(nil, t[:], m[:])
}

// Apply1 applies the 2x2 matrix m (row-major) to qubit q.
func (x *RealBatch) Apply1(q int, m [4]float64) {
	t := [1]int{q}
	x.ApplyControlled(nil, t[:], m[:])
}

// ApplyMatrix applies the 2^k x 2^k matrix m (row-major) to qubits (k = len(qubits)); bit j
// of m's row and column index is qubits[j], as in package gates.
func (x *Batch) ApplyMatrix(qubits []int, m []complex128) { x.ApplyControlled(nil, qubits, m) }

// ApplyMatrix applies the 2^k x 2^k matrix m (row-major) to qubits; bit j of m's index is
// qubits[j].
func (x *RealBatch) ApplyMatrix(qubits []int, m []float64) { x.ApplyControlled(nil, qubits, m) }

// ApplyControlled applies m (2^t x 2^t, t = len(targets), bit j ↔ targets[j]) to the targets
// on the rows where every control qubit is 1, leaving the other rows unchanged. With no
// targets, m is 1x1: a phase on the controlled subspace (a global phase without controls).
// Diagonal matrices, single transpositions (x, cx, swap, ...) and 2x2 blocks get specialised
// kernels; a matrix with real entries runs on the float64 view of the data.
func (x *Batch) ApplyControlled(controls, targets []int, m []complex128) {
	checkOperands(x.Qubits, controls, targets, len(m))
	var fb [64]float64
	if fm, ok := realCoefs(m, fb[:0]); ok {
		applyControlled(x.floats(), 2*x.B, controls, targets, fm, workers(2*len(x.Data)))
		return
	}
	applyControlled(x.Data, x.B, controls, targets, m, workers(len(x.Data)))
}

// ApplyControlled applies m to the targets on the rows where every control is 1.
func (x *RealBatch) ApplyControlled(controls, targets []int, m []float64) {
	checkOperands(x.Qubits, controls, targets, len(m))
	applyControlled(x.Data, x.B, controls, targets, m, workers(len(x.Data)))
}

// ApplyDiag multiplies the amplitudes by the diagonal d (length 2^k, bit j of the index ↔
// qubits[j]). Entries equal to 1 cost nothing.
func (x *Batch) ApplyDiag(qubits []int, d []complex128) {
	checkOperands(x.Qubits, nil, qubits, len(d)*len(d))
	var fb [64]float64
	if fd, ok := realCoefs(d, fb[:0]); ok {
		applyDiag(x.floats(), 2*x.B, nil, qubits, fd, 1, workers(2*len(x.Data)))
		return
	}
	applyDiag(x.Data, x.B, nil, qubits, d, 1, workers(len(x.Data)))
}

// ApplyDiag multiplies the amplitudes by the diagonal d (bit j of its index ↔ qubits[j]).
func (x *RealBatch) ApplyDiag(qubits []int, d []float64) {
	checkOperands(x.Qubits, nil, qubits, len(d)*len(d))
	applyDiag(x.Data, x.B, nil, qubits, d, 1, workers(len(x.Data)))
}

// realCoefs returns m as float64 (appended to buf) when every entry is real.
func realCoefs(m []complex128, buf []float64) ([]float64, bool) {
	for _, v := range m {
		if imag(v) != 0 {
			return nil, false
		}
	}
	for _, v := range m {
		buf = append(buf, real(v))
	}
	return buf, true
}

// checkOperands panics on qubits out of range or repeated, or a matrix of the wrong size.
func checkOperands(n int, controls, targets []int, mlen int) {
	var seen uint64
	for _, list := range [2][]int{controls, targets} {
		for _, q := range list {
			if q < 0 || q >= n {
				panic(fmt.Sprintf("sim: qubit %d out of range for %d qubits", q, n))
			}
			if seen&(1<<q) != 0 {
				panic(fmt.Sprintf("sim: qubit %d used twice in one operation", q))
			}
			seen |= 1 << q
		}
	}
	if d := 1 << len(targets); mlen != d*d {
		panic(fmt.Sprintf("sim: operation on %d target qubits needs a %dx%d matrix (%d entries), got %d entries", len(targets), d, d, d*d, mlen))
	}
}

// spread maps the bits of j to the positions qubits[0], qubits[1], ...
func spread(j int, qubits []int) int {
	o := 0
	for b, q := range qubits {
		o |= (j >> b & 1) << q
	}
	return o
}

// gather is the inverse of spread: bit b of the result is bit qubits[b] of o.
func gather(o int, qubits []int) int {
	j := 0
	for b, q := range qubits {
		j |= (o >> q & 1) << b
	}
	return j
}

// sortedQubits returns controls ∪ targets in ascending order, in buf.
func sortedQubits(buf []int, controls, targets []int) []int {
	qs := append(append(buf[:0], controls...), targets...)
	slices.Sort(qs)
	return qs
}

func controlMask(controls []int) int {
	m := 0
	for _, c := range controls {
		m |= 1 << c
	}
	return m
}

// applyControlled dispatches a controlled matrix to the specialised kernels, on w
// goroutines; w = 0 runs serially on data known to be in cache (a chunk of a blocked sweep),
// where the access-pattern tricks for DRAM (touching gaps, diagonal sweeps) do not pay.
func applyControlled[T number](d []T, B int, controls, targets []int, m []T, w int) {
	D := 1 << len(targets)
	if len(targets) == 0 {
		if len(controls) == 0 {
			if m[0] != 1 {
				drvScale(d, m[0], w)
			}
			return
		}
		var qa [64]int
		qs := sortedQubits(qa[:], controls, nil)
		o := [1]int{controlMask(controls) * B}
		v := [1]T{m[0]}
		if m[0] != 1 {
			drvDiag(d, B, qs, o[:], v[:], w)
		}
		return
	}
	if isDiagonal(m, D) {
		var db [64]T
		diag := db[:0]
		for j := 0; j < D; j++ {
			diag = append(diag, m[j*D+j])
		}
		applyDiag(d, B, controls, targets, diag, 1, w)
		return
	}
	var qa [64]int
	qs := sortedQubits(qa[:], controls, targets)
	cm := controlMask(controls)
	if a, b, ok := transposition(m, D); ok {
		// A transposition leaves the rows of the other target values alone too.
		drvSwap(d, B, qs, (cm|spread(a, targets))*B, (cm|spread(b, targets))*B, w > 0 && gapTouch[T](B, qs...), w)
		return
	}
	if D == 2 {
		drvPair(d, B, qs, cm*B, B<<targets[0], m[0], m[1], m[2], m[3], w > 0 && gapTouch[T](B, controls...), w)
		return
	}
	if D == 4 && len(controls) == 0 {
		if pl := dense4PlanFor(B, targets, m); pl != nil && pl.fits(len(d)) {
			dense4Apply(d, pl, w)
			return
		}
	}
	var oa [64]int
	offs := oa[:0]
	for j := 0; j < D; j++ {
		offs = append(offs, (cm|spread(j, targets))*B)
	}
	drvDense(d, B, qs, offs, m, w)
}

// applyDiag multiplies by the diagonal diag on targets, on the rows where every control is 1,
// skipping entries equal to skip.
func applyDiag[T number](d []T, B int, controls, targets []int, diag []T, skip T, w int) {
	var qa [64]int
	qs := sortedQubits(qa[:], controls, targets)
	cm := controlMask(controls)
	var oa [64]int
	var va [64]T
	offs, vals := oa[:0], va[:0]
	for j, v := range diag {
		if v != skip {
			offs = append(offs, (cm|spread(j, targets))*B)
			vals = append(vals, v)
		}
	}
	if len(offs) == 0 {
		return
	}
	if len(qs) == 0 { // a 1x1 diagonal on no qubits: a global factor
		drvScale(d, vals[0], w)
		return
	}
	var zero T
	if B<<qs[0] <= patternElems/2 && diagPattern(d, B, qs, offs, vals, w) {
		return
	}
	if rb := int(unsafe.Sizeof(zero)) * B << qs[0]; w > 0 && sweepDiag && rb >= 128 && rb <= 2048 && len(qs) <= 6 {
		// Runs of 128 B to 2 KiB: walk memory in order (see kDiagSweep). Measured by
		// BenchmarkDiagSweep: 2-5x faster than skipping lines in that range, slower outside it.
		var fa [64]T
		full := fa[:1<<len(qs)]
		for j := range full {
			full[j] = 1
		}
		for e, o := range offs {
			full[gather(o/B, qs)] = vals[e]
		}
		runs := len(d) / (B << qs[0])
		if w <= 1 {
			kDiagSweep(d, B, qs, full, 0, runs)
		} else {
			qh, fh := slices.Clone(qs), slices.Clone(full)
			par.Split(w, runs, func(lo, hi int) { kDiagSweep(d, B, qh, fh, lo, hi) })
		}
		return
	}
	drvDiag(d, B, qs, offs, vals, w)
}

// sweepDiag enables kDiagSweep (a switch for benchmarks).
var sweepDiag = true

func isDiagonal[T number](m []T, D int) bool {
	for r := 0; r < D; r++ {
		for c := 0; c < D; c++ {
			if r != c && m[r*D+c] != 0 {
				return false
			}
		}
	}
	return true
}

// transposition reports whether m is the identity with basis states a and b exchanged.
func transposition[T number](m []T, D int) (a, b int, ok bool) {
	a, b = -1, -1
	for j := 0; j < D; j++ {
		if m[j*D+j] == 1 {
			continue
		}
		if m[j*D+j] != 0 {
			return 0, 0, false
		}
		switch {
		case a < 0:
			a = j
		case b < 0:
			b = j
		default:
			return 0, 0, false
		}
	}
	if b < 0 || m[a*D+b] != 1 || m[b*D+a] != 1 {
		return 0, 0, false
	}
	for r := 0; r < D; r++ {
		for c := 0; c < D; c++ {
			if r != c && m[r*D+c] != 0 && !(r == a && c == b) && !(r == b && c == a) {
				return 0, 0, false
			}
		}
	}
	return a, b, true
}

// The drivers run a kernel over its whole element space, in parallel above the threshold.
// Slices captured by the parallel closures are copied first so that the callers' stack
// buffers do not escape.

// gapTouch reports whether skipping the rows where one of the qubits qs has the "wrong"
// value leaves gaps of 64 B to 4 KiB, the range where reading the gaps (touchCursors) pays.
func gapTouch[T number](B int, qs ...int) bool {
	var zero T
	for _, q := range qs {
		if g := int(unsafe.Sizeof(zero)) * B << q; touchGaps && !raceBuild && g >= 64 && g < 4096 {
			return true
		}
	}
	return false
}

// touchGaps enables touchCursors (a switch for benchmarks).
var touchGaps = true

func drvPair[T number](d []T, B int, qs []int, coff, toff int, m0, m1, m2, m3 T, touch bool, w int) {
	total := len(d) >> len(qs)
	if w <= 1 {
		kPair(d, B, qs, coff, toff, m0, m1, m2, m3, touch, 0, total)
	} else {
		qh := slices.Clone(qs)
		parallel(w, total, func(lo, hi int) { kPair(d, B, qh, coff, toff, m0, m1, m2, m3, touch, lo, hi) })
	}
}

func drvSwap[T number](d []T, B int, qs []int, o0, o1 int, touch bool, w int) {
	total := len(d) >> len(qs)
	if w <= 1 {
		kSwap(d, B, qs, o0, o1, touch, 0, total)
	} else {
		qh := slices.Clone(qs)
		parallel(w, total, func(lo, hi int) { kSwap(d, B, qh, o0, o1, touch, lo, hi) })
	}
}

func drvDiag[T number](d []T, B int, qs []int, offs []int, vals []T, w int) {
	total := len(d) >> len(qs)
	if w <= 1 {
		kDiag(d, B, qs, offs, vals, 0, total)
	} else {
		qh, oh, vh := slices.Clone(qs), slices.Clone(offs), slices.Clone(vals)
		parallel(w, total, func(lo, hi int) { kDiag(d, B, qh, oh, vh, lo, hi) })
	}
}

func drvDense[T number](d []T, B int, qs []int, offs []int, m []T, w int) {
	total := len(d) >> len(qs)
	if w <= 1 {
		kDense(d, B, qs, offs, m, 0, total)
	} else {
		qh, oh, mh := slices.Clone(qs), slices.Clone(offs), slices.Clone(m)
		parallel(w, total, func(lo, hi int) { kDense(d, B, qh, oh, mh, lo, hi) })
	}
}

func drvScale[T number](d []T, v T, w int) {
	if w <= 1 {
		kScale(d, v, 0, len(d))
	} else {
		parallel(w, len(d), func(lo, hi int) { kScale(d, v, lo, hi) })
	}
}
