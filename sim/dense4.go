package sim

// Dense 4x4 blocks (two target qubits, no controls) in SIMD: the kernel of 2-qubit fusion.
//
// A 256-bit vector holds W elements of the data (8 float32, 4 float64 or complex64, 2
// complex128). The four amplitudes a 4x4 matrix mixes are Ra = B·2^qa and Rb = B·2^qb
// elements apart (qa < qb its qubits). When Ra is a whole number of vectors the four inputs
// are four vectors and every output vector is a sum of 16 products lane by lane
// ("vertical": G = 4 vectors per group). When qa (and maybe qb) lies inside a vector, a
// group has G = 2 (or 1) vectors, and an output lane also takes inputs from other lanes of
// the same vector: those come from lane permutations of the inputs (VPERMPS). With complex
// elements, the products with the imaginary parts of the matrix come from a permutation too
// (re ↔ im), so that every case is the same loop: out[v] = Σ_u Σ_k coef ⊙ perm_k(in[u]),
// with per-lane coefficients computed here once per gate and sweep. G·P = 4 (real) or 8
// (complex) terms per output vector: the same multiply-adds per amplitude in every case.
//
// The loops use fused multiply-adds in both precisions (see doc.go, "Precision and FMA"):
// their results agree with the portable loop (kDense) to rounding, not bit for bit.

import "unsafe"

// dense4Plan is a 4x4 matrix prepared for the SIMD loops on data of one element type and
// batch width: the shape, the offsets of a group's vectors and the per-lane coefficients.
type dense4Plan struct {
	G, P   int
	pd     bool   // float64 lanes (float64, complex128); else float32 lanes
	es     int    // bytes per element
	vb     int    // bytes per vector: 32 (AVX2) or 64 (AVX-512)
	Ra, Rb int    // element distances of the lower and higher qubit
	offs   [4]int // byte offsets of a group's G input vectors
	coef32 []float32
	coef64 []float64
	perm   [8][16]int32 // VPERMPS index vectors of the permutations 1..P−1
}

// newDense4Plan prepares m (4x4 row-major, bit j of an index ↔ targets[j]) for data with
// B elements per row, es bytes per element, complex (cplx) or real, and vectors of vb bytes;
// ok is false when the layout has no SIMD loop (a batch width that is not a power of two,
// with a qubit inside a vector).
func newDense4Plan(B int, targets []int, m []complex128, cplx bool, es, vb int) (*dense4Plan, bool) {
	if len(targets) != 2 || len(m) != 16 || B <= 0 {
		return nil, false
	}
	fsize := es // bytes per float lane
	fpe := 1    // floats per element
	if cplx {
		fsize, fpe = es/2, 2
	}
	floats := vb / fsize // float lanes per vector
	We := floats / fpe   // elements per vector
	Rt0, Rt1 := B<<targets[0], B<<targets[1]
	Ra, Rb := min(Rt0, Rt1), max(Rt0, Rt1)
	pl := &dense4Plan{pd: fsize == 8, es: es, vb: vb, Ra: Ra, Rb: Rb}
	var vecOffs []int // elements
	var xors []int
	switch {
	case Ra%We == 0:
		pl.G, vecOffs, xors = 4, []int{0, Ra, Rb, Ra + Rb}, []int{0}
	case We%(2*Ra) == 0 && Rb%We == 0:
		pl.G, vecOffs, xors = 2, []int{0, Rb}, []int{0, Ra}
	case We%(2*Ra) == 0 && We%(2*Rb) == 0:
		pl.G, vecOffs, xors = 1, []int{0}, []int{0, Ra, Rb, Ra | Rb}
	default:
		return nil, false
	}
	type permT struct{ x, swap int }
	var perms []permT
	for _, x := range xors {
		perms = append(perms, permT{x, 0})
		if cplx {
			perms = append(perms, permT{x, 1})
		}
	}
	pl.P = len(perms)
	for u, o := range vecOffs {
		pl.offs[u] = o * es
	}
	slots := fsize / 4 // 32-bit slots per float lane
	for k := 1; k < pl.P; k++ {
		pm := perms[k]
		for l := 0; l < floats; l++ {
			src := (l/fpe^pm.x)*fpe + (l%fpe ^ pm.swap)
			for t := 0; t < slots; t++ {
				pl.perm[k-1][l*slots+t] = int32(src*slots + t)
			}
		}
	}
	jIdx := func(a int) (j, rest int) {
		b0, b1 := a/Rt0&1, a/Rt1&1
		return b0 | b1<<1, a - b0*Rt0 - b1*Rt1
	}
	G := pl.G
	coef := make([]float64, G*G*pl.P*floats)
	for u := 0; u < G; u++ {
		for k, pm := range perms {
			for v := 0; v < G; v++ {
				base := ((u*pl.P+k)*G + v) * floats
				for l := 0; l < floats; l++ {
					e, part := l/fpe, l%fpe
					jr, ro := jIdx(vecOffs[v] + e)
					jc, ri := jIdx(vecOffs[u] + (e ^ pm.x))
					if ro != ri {
						continue
					}
					mv := m[jr*4+jc]
					c := real(mv)
					if pm.swap == 1 {
						c = imag(mv)
						if part == 0 {
							c = -c
						}
					}
					coef[base+l] = c
				}
			}
		}
	}
	if pl.pd {
		pl.coef64 = coef
	} else {
		pl.coef32 = make([]float32, len(coef))
		for i, c := range coef {
			pl.coef32[i] = float32(c)
		}
	}
	return pl, true
}

// fits reports whether data of L elements is whole groups of vectors.
func (pl *dense4Plan) fits(L int) bool {
	return L%(pl.G*pl.vb/pl.es) == 0 && L%(2*pl.Rb) == 0
}

// vecs returns the loop geometry for data of L elements: n1 vectors vb bytes apart, n2
// times s2 bytes apart, n3 times s3 bytes apart (the group positions in memory order).
func (pl *dense4Plan) vecs(L int) (n1, n2, s2, n3, s3 int) {
	W := pl.vb / pl.es
	switch pl.G {
	case 4:
		return pl.Ra / W, pl.Rb / (2 * pl.Ra), 2 * pl.Ra * pl.es, L / (2 * pl.Rb), 2 * pl.Rb * pl.es
	case 2:
		return pl.Rb / W, L / (2 * pl.Rb), 2 * pl.Rb * pl.es, 1, 0
	}
	return L / W, 1, 0, 1, 0
}

// run applies the matrix to the whole of d (a cache-resident chunk or a state) of L
// elements (fits(L) must hold).
func (pl *dense4Plan) run(d unsafe.Pointer, L int) {
	n1, n2, s2, n3, s3 := pl.vecs(L)
	if n1 == 0 || n2 == 0 || n3 == 0 {
		return
	}
	dense4Call(pl, d, n1, n2, s2, n3, s3)
}

// runRange applies the matrix to the group positions [vlo, vhi) of d in memory order (the
// part of the element space [lo, hi) of kDense, vlo = lo·4/(G·W)), cutting the range into
// calls of whole runs and blocks.
func (pl *dense4Plan) runRange(d unsafe.Pointer, L, vlo, vhi int) {
	n1, n2, s2, n3, s3 := pl.vecs(L)
	_ = n3
	for v := vlo; v < vhi; {
		i1, i2, i3 := v%n1, v/n1%n2, v/(n1*n2)
		p := unsafe.Add(d, i3*s3+i2*s2+i1*pl.vb)
		switch {
		case i1 != 0 || vhi-v < n1:
			k := min(n1-i1, vhi-v)
			dense4Call(pl, p, k, 1, s2, 1, s3)
			v += k
		case i2 != 0 || vhi-v < n1*n2:
			k := min(n2-i2, (vhi-v)/n1)
			dense4Call(pl, p, n1, k, s2, 1, s3)
			v += k * n1
		default:
			k := (vhi - v) / (n1 * n2)
			dense4Call(pl, p, n1, n2, s2, k, s3)
			v += k * n1 * n2
		}
	}
}

// dense4PlanFor prepares the D = 4 matrix m of data of type T with B elements per row, or
// returns nil when the SIMD loops are off or do not cover the layout.
func dense4PlanFor[T number](B int, targets []int, m []T) *dense4Plan {
	if !useDense4 || len(targets) != 2 {
		return nil
	}
	var zero T
	es := int(unsafe.Sizeof(zero))
	cplx := isC128[T]() || isC64[T]()
	mc := make([]complex128, len(m))
	for i, v := range m {
		switch x := any(v).(type) {
		case float32:
			mc[i] = complex(float64(x), 0)
		case float64:
			mc[i] = complex(x, 0)
		case complex64:
			mc[i] = complex128(x)
		case complex128:
			mc[i] = x
		}
	}
	vb := 32
	if useDense4x512 {
		vb = 64
	}
	pl, ok := newDense4Plan(B, targets, mc, cplx, es, vb)
	if !ok {
		return nil
	}
	return pl
}

// dense4Apply applies the plan to d on w goroutines (split by group positions, so the
// result does not depend on w).
func dense4Apply[T number](d []T, pl *dense4Plan, w int) {
	if len(d) == 0 {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(d))
	groups := len(d) / (pl.G * pl.vb / pl.es)
	if w <= 1 {
		pl.run(p, len(d))
		return
	}
	parallel(w, groups, func(lo, hi int) { pl.runRange(p, len(d), lo, hi) })
}
