package sim

import "math/bits"

// The cost model of 2-qubit fusion: what one step costs per amplitude on a cache-resident
// chunk (one goroutine), by kernel, data type and the step's lowest qubit (short runs cost
// more: the lowest qubit sets the length of the contiguous runs the kernels work along).
// Fusion inside a sweep (fuseSteps) replaces a group of steps by their product only when
// the product's kernel costs less than the steps it replaces: a dense 4x4 block is one pass
// but twice the arithmetic of a 2x2 step. The figures are nanoseconds per amplitude,
// measured with BenchmarkChunkCost on the development machine (Intel Xeon, Sapphire Rapids
// class, AVX2 + FMA + AVX-512F); the model only needs their ratios to be right. It depends on the data
// type and the circuit only, never on timing at run time, so results are reproducible.

// costKind is the data type a sweep runs on.
type costKind int

const (
	costC128 costKind = iota
	costC64
	costF64
	costF32
)

// costKindOf returns the cost kind of data with rf floats of eb bytes per row (complex when
// cplx), and the batch width B.
func costKindOf(rf, eb int, cplx bool) (costKind, int) {
	B := rf
	if cplx {
		B = rf / 2
	}
	switch {
	case cplx && eb == 8:
		return costC128, B
	case cplx:
		return costC64, B
	case eb == 8:
		return costF64, B
	}
	return costF32, B
}

// Kernels of the model. Costs are per amplitude of the chunk, by lowest qubit 0..6 (6 and
// above).
const (
	kPairReal   = iota // 2x2 with real entries (on complex data: the float view)
	kPairCplx          // 2x2 with complex entries
	kDiag2             // one entry ≠ 1 of a diagonal on 2 qubits (cz, cp)
	kSwap2             // one transposition on 2 qubits (cx)
	kDense4Real        // dense 4x4, real entries
	kDense4Cplx        // dense 4x4, complex entries
	nKernels
)

var stepCosts = [4][nKernels][7]float64{
	costC128: {
		kPairReal:   {0.35, 0.35, 0.71, 0.93, 0.64, 0.43, 0.36},
		kPairCplx:   {0.95, 0.49, 0.70, 0.92, 0.97, 0.67, 0.55},
		kDiag2:      {0.55, 0.55, 0.55, 0.35, 0.20, 0.14, 0.10},
		kSwap2:      {1.9, 1.25, 0.66, 0.35, 0.22, 0.17, 0.17},
		kDense4Real: {0.55, 0.50, 0.48, 0.47, 0.46, 0.45, 0.45},
		kDense4Cplx: {0.96, 0.85, 0.84, 0.81, 0.81, 0.80, 0.80},
	},
	costC64: {
		kPairReal:   {0.19, 0.18, 0.18, 0.36, 0.50, 0.30, 0.20},
		kPairCplx:   {0.35, 0.35, 0.19, 0.35, 0.47, 0.30, 0.23},
		kDiag2:      {0.40, 0.40, 0.40, 0.40, 0.17, 0.10, 0.06},
		kSwap2:      {1.9, 1.1, 0.69, 0.34, 0.18, 0.11, 0.085},
		kDense4Real: {0.30, 0.28, 0.25, 0.24, 0.24, 0.23, 0.225},
		kDense4Cplx: {0.63, 0.48, 0.43, 0.42, 0.41, 0.41, 0.40},
	},
	costF64: {
		kPairReal:   {0.18, 0.18, 0.18, 0.36, 0.47, 0.32, 0.21},
		kDiag2:      {0.29, 0.29, 0.29, 0.29, 0.15, 0.095, 0.063},
		kSwap2:      {0.78, 0.98, 0.62, 0.35, 0.18, 0.11, 0.088},
		kDense4Real: {0.30, 0.28, 0.25, 0.25, 0.23, 0.23, 0.225},
	},
	costF32: {
		kPairReal:   {0.09, 0.09, 0.09, 0.09, 0.18, 0.15, 0.10},
		kDiag2:      {0.26, 0.26, 0.26, 0.26, 0.16, 0.08, 0.046},
		kSwap2:      {0.80, 0.97, 0.56, 0.35, 0.17, 0.09, 0.05},
		kDense4Real: {0.15, 0.15, 0.14, 0.13, 0.12, 0.12, 0.115},
	},
}

// dense512Costs replace the dense 4x4 rows of stepCosts when the AVX-512 forms of the loops
// run (useDense4x512): real, complex.
var dense512Costs = [4][2][7]float64{
	costC128: {{0.36, 0.36, 0.36, 0.35, 0.35, 0.35, 0.35}, {0.53, 0.52, 0.42, 0.42, 0.42, 0.42, 0.42}},
	costC64:  {{0.18, 0.18, 0.18, 0.18, 0.18, 0.18, 0.18}, {0.29, 0.27, 0.26, 0.21, 0.21, 0.21, 0.21}},
	costF64:  {{0.18, 0.18, 0.18, 0.18, 0.18, 0.18, 0.18}},
	costF32:  {{0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09}},
}

// stepCost estimates what st costs per amplitude of a chunk of data of kind ck with B
// elements per row: the cost of its kernel (stepKernel) at its lowest qubit, times the
// fraction of a full pass it amounts to. The tables' units: kDiag2 is one entry of a 2-qubit
// diagonal (a quarter of a pass), kSwap2 a CX (half a pass), the others full passes.
func stepCost(st *step, ck costKind, B int) float64 {
	kind, w, qmin, portable := stepKernel(st)
	if len(st.controls)+len(st.targets) == 0 {
		return stepCosts[ck][kPairReal][6] // a global factor: one scaling pass
	}
	if st.mr == nil && (ck == costF64 || ck == costF32) {
		return 1e9 // cannot run on real data
	}
	q := min(qmin+bits.Len(uint(B))-1, 6)
	tab := &stepCosts[ck]
	switch kind {
	case KernelPatternReal, KernelPatternComplex:
		return tab[kDiag2][0]
	case KernelDiagReal, KernelDiagComplex:
		return 4 * w * tab[kDiag2][q]
	case KernelSwap:
		return 2 * w * tab[kSwap2][q]
	case KernelPairReal:
		return w * tab[kPairReal][q]
	case KernelPairComplex:
		return w * tab[kPairCplx][q]
	}
	denseKind := kDense4Cplx
	if kind == KernelDense4Real {
		denseKind = kDense4Real
	}
	if !portable {
		if useDense4x512 {
			return dense512Costs[ck][denseKind-kDense4Real][q]
		}
		return tab[denseKind][q]
	}
	// Larger dense blocks run the portable loop, about 3x the SIMD 4x4 loop per product.
	return 3 * w * tab[denseKind][q]
}
