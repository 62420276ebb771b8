package lowering

import (
	"fmt"
	"math"
	"math/cmplx"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/internal/smallmat"
)

// scalar is the amplitude type: float64 for real (orthogonal) programs, complex128 otherwise.
type scalar interface{ float64 | complex128 }

// batchOps is what the engine needs from a sim batch (sim.RealBatch or sim.Batch): the
// shared gate-application kernels.
type batchOps[T scalar] interface {
	Apply1(q int, m [4]T)
	ApplyControlled(controls, targets []int, m []T)
	ApplyDiag(qubits []int, d []T)
}

// fastKind marks gates whose matrix and derivative the engine writes in closed form, so
// that binding a training step's parameters does not allocate.
type fastKind uint8

const (
	fastNone fastKind = iota
	fastRY
	fastRX
	fastRZ
)

func fastKindOf(op *circuit.Op) fastKind {
	if op.Ctrl != 0 {
		return fastNone
	}
	switch op.Gate.Name {
	case "ry":
		return fastRY
	case "rx":
		return fastRX
	case "rz":
		return fastRZ
	}
	return fastNone
}

// fastMatrix writes the 2×2 matrix of a fast gate at angle t into m.
func fastMatrix(k fastKind, t float64, m []complex128) {
	s, c := math.Sincos(t / 2)
	switch k {
	case fastRY:
		m[0], m[1], m[2], m[3] = complex(c, 0), complex(-s, 0), complex(s, 0), complex(c, 0)
	case fastRX:
		m[0], m[1], m[2], m[3] = complex(c, 0), complex(0, -s), complex(0, -s), complex(c, 0)
	case fastRZ:
		m[0], m[1], m[2], m[3] = complex(c, -s), 0, 0, complex(c, s)
	}
}

// fastDerivative writes ∂(matrix)/∂t of a fast gate into m.
func fastDerivative(k fastKind, t float64, m []complex128) {
	s, c := math.Sincos(t / 2)
	s, c = s/2, c/2
	switch k {
	case fastRY:
		m[0], m[1], m[2], m[3] = complex(-s, 0), complex(-c, 0), complex(c, 0), complex(-s, 0)
	case fastRX:
		m[0], m[1], m[2], m[3] = complex(-s, 0), complex(0, -c), complex(0, -c), complex(-s, 0)
	case fastRZ:
		// ∂/∂t e^{∓it/2} = ∓(i/2)e^{∓it/2}
		m[0], m[1], m[2], m[3] = complex(-s, -c), 0, 0, complex(-s, c)
	}
}

func conv[T scalar](v complex128) T {
	var z T
	switch p := any(&z).(type) {
	case *float64:
		*p = real(v)
	case *complex128:
		*p = v
	}
	return z
}

// stageData is the bound numeric form of one stage.
type stageData[T scalar] struct {
	f, fadj  [][4]T // kron factors and their adjoints, per support qubit
	d, dadj  []T    // diagonal and its conjugate
	m, madj  []T    // block matrix (target space) and its adjoint
	mc       []complex128
	controls []int
	targets  []int
	tpos     []int // block: target positions (qubits) for accumulation
	cmask    int
	cycles   [][]int
	icycles  [][]int
	w        []T // diag cotangent scratch
	cblk     []T // block cotangent scratch
}

// engine binds a plan's parameters and runs its stages on batches. It is not safe for
// concurrent use.
type engine[T scalar] struct {
	p     *plan
	theta []float64
	bound bool
	env   circuit.Env
	mat   [][]complex128 // per op: full matrix (controls included)
	smat  [][]complex128 // per op in a block stage: the matrix in the stage's space
	vals  [][]float64    // per parametric op: argument values
	dargs [][]float64    // per parametric op: ∂arg/∂θ per (arg, symbol) in order
	st    []stageData[T]
	part  []T
	tmp   []T
	dm    []complex128 // derivative scratch
}

func newEngine[T scalar](p *plan) *engine[T] {
	e := &engine[T]{p: p, theta: make([]float64, len(p.params))}
	idx := make(map[string]int, len(p.params))
	for i, s := range p.params {
		idx[s] = i
	}
	e.env = func(name string) (float64, bool) {
		i, ok := idx[name]
		if !ok {
			return 0, false
		}
		return e.theta[i], true
	}
	e.mat = make([][]complex128, len(p.ops))
	e.smat = make([][]complex128, len(p.ops))
	for _, r := range p.ops {
		if r.params {
			d := 1 << r.nq
			e.mat[r.id] = make([]complex128, d*d)
		} else {
			e.mat[r.id] = r.cmat
		}
	}
	e.vals = make([][]float64, len(p.pops))
	e.dargs = make([][]float64, len(p.pops))
	for _, r := range p.pops {
		e.vals[r.slot] = make([]float64, len(r.args))
		n := 0
		for _, a := range r.args {
			n += len(a.syms)
		}
		e.dargs[r.slot] = make([]float64, n)
	}
	e.st = make([]stageData[T], len(p.stages))
	for i, st := range p.stages {
		sd := &e.st[i]
		switch st.kind {
		case KronStage:
			sd.f = make([][4]T, len(st.support))
			sd.fadj = make([][4]T, len(st.support))
		case DiagStage:
			D := 1 << len(st.support)
			sd.d, sd.dadj, sd.w = make([]T, D), make([]T, D), make([]T, D)
		case PermStage:
			sd.cycles = cyclesOf(st.sigma)
			sd.icycles = cyclesOf(st.sigmaInv)
		case BlockStage:
			sd.controls = st.support[:st.controls]
			sd.targets = st.support[st.controls:]
			sd.tpos = sd.targets
			for _, c := range sd.controls {
				sd.cmask |= 1 << c
			}
			D := 1 << len(sd.targets)
			sd.m, sd.madj, sd.mc, sd.cblk = make([]T, D*D), make([]T, D*D), make([]complex128, D*D), make([]T, D*D)
			for _, r := range st.ops {
				e.smat[r.id] = make([]complex128, D*D)
			}
		}
	}
	e.dm = make([]complex128, 64)
	return e
}

// bind evaluates the gates at parameters theta (in the plan's parameter order) and
// recomputes the stages that depend on them. Binding the same values again is free.
func (e *engine[T]) bind(theta []float64) error {
	p := e.p
	if len(theta) != len(p.params) {
		return fmt.Errorf("lowering: the circuit has %d parameters (%s), got %d values", len(p.params), listOrNone(p.params), len(theta))
	}
	if e.bound && equalFloats(theta, e.theta) {
		return nil
	}
	for i, v := range theta {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("lowering: parameter %s = %v is not finite", p.params[i], v)
		}
	}
	copy(e.theta, theta)
	for _, r := range p.pops {
		v := e.vals[r.slot]
		for k, a := range r.args {
			if a.isConst {
				v[k] = a.value
				continue
			}
			x, err := circuit.Eval(a.expr, e.env)
			if err != nil {
				e.bound = false
				return fmt.Errorf("lowering: %s%s (operation %d): %w", r.op.Pos.Prefix(), r.op.Name(), r.index, err)
			}
			if math.IsNaN(x) || math.IsInf(x, 0) {
				e.bound = false
				return fmt.Errorf("lowering: %s%s (operation %d): angle %s evaluates to %v", r.op.Pos.Prefix(), r.op.Name(), r.index, a.expr, x)
			}
			v[k] = x
		}
		if r.fast != fastNone {
			fastMatrix(r.fast, v[0], e.mat[r.id])
		} else {
			copy(e.mat[r.id], opMatrix(r.op, v))
		}
	}
	for i, st := range p.stages {
		if e.bound && !st.params {
			continue
		}
		e.bindStage(st, &e.st[i])
	}
	e.bound = true
	return nil
}

func equalFloats(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (e *engine[T]) bindStage(st *stage, sd *stageData[T]) {
	switch st.kind {
	case KronStage:
		for j := range st.support {
			F := [4]complex128{1, 0, 0, 1}
			for _, r := range st.factors[j] {
				m := e.mat[r.id]
				F = [4]complex128{
					m[0]*F[0] + m[1]*F[2], m[0]*F[1] + m[1]*F[3],
					m[2]*F[0] + m[3]*F[2], m[2]*F[1] + m[3]*F[3],
				}
			}
			sd.f[j] = [4]T{conv[T](F[0]), conv[T](F[1]), conv[T](F[2]), conv[T](F[3])}
			sd.fadj[j] = [4]T{conv[T](cmplx.Conj(F[0])), conv[T](cmplx.Conj(F[2])), conv[T](cmplx.Conj(F[1])), conv[T](cmplx.Conj(F[3]))}
		}
	case DiagStage:
		for x := range sd.d {
			v := complex(1, 0)
			for _, r := range st.ops {
				dd := 1 << r.nq
				s := smallmat.SubIndex(x, r.pos)
				v *= e.mat[r.id][s*dd+s]
			}
			sd.d[x] = conv[T](v)
			sd.dadj[x] = conv[T](cmplx.Conj(v))
		}
	case BlockStage:
		D := 1 << len(sd.targets)
		M := sd.mc
		clear(M)
		for i := 0; i < D; i++ {
			M[i*D+i] = 1
		}
		tmp := make([]complex128, D*D)
		for _, r := range st.ops {
			sm := e.smat[r.id]
			e.stageMatrix(st, r, e.mat[r.id], sm)
			smallmat.MulInto(tmp, sm, M, D)
			copy(M, tmp)
		}
		for i := 0; i < D; i++ {
			for j := 0; j < D; j++ {
				sd.m[i*D+j] = conv[T](M[i*D+j])
				sd.madj[j*D+i] = conv[T](cmplx.Conj(M[i*D+j]))
			}
		}
	}
}

// stageMatrix writes the op matrix m (full op space) in a block stage's space into out.
func (e *engine[T]) stageMatrix(st *stage, r *opRef, m, out []complex128) {
	blockStageMatrix(st, r, m, out)
}

// opDeriv returns ∂(op matrix)/∂(argument k) in the full op space, in scratch when possible.
func (e *engine[T]) opDeriv(r *opRef, k int) []complex128 {
	v := e.vals[r.slot]
	if r.fast != fastNone {
		fastDerivative(r.fast, v[0], e.dm[:4])
		return e.dm[:4]
	}
	return opDerivative(r.op, k, v)
}

// apply runs the stages forward on b (whose data is x, B columns).
func (e *engine[T]) apply(b batchOps[T], x []T, B int) {
	for i, st := range e.p.stages {
		e.applyStage(st, &e.st[i], b, x, B, false)
	}
}

// applyInverse runs the inverse (adjoint) stages in reverse order.
func (e *engine[T]) applyInverse(b batchOps[T], x []T, B int) {
	for i := len(e.p.stages) - 1; i >= 0; i-- {
		e.applyStage(e.p.stages[i], &e.st[i], b, x, B, true)
	}
}

func (e *engine[T]) rowTmp(B int) []T {
	if cap(e.tmp) < B {
		e.tmp = make([]T, B)
	}
	return e.tmp[:B]
}

func (e *engine[T]) applyStage(st *stage, sd *stageData[T], b batchOps[T], x []T, B int, inv bool) {
	switch st.kind {
	case KronStage:
		if inv {
			for j := len(st.support) - 1; j >= 0; j-- {
				b.Apply1(st.support[j], sd.fadj[j])
			}
		} else {
			for j, q := range st.support {
				b.Apply1(q, sd.f[j])
			}
		}
	case DiagStage:
		if inv {
			b.ApplyDiag(st.support, sd.dadj)
		} else {
			b.ApplyDiag(st.support, sd.d)
		}
	case PermStage:
		cyc := sd.cycles
		if inv {
			cyc = sd.icycles
		}
		permuteRows(x, B, st.support, cyc, e.rowTmp(B))
	case BlockStage:
		if inv {
			b.ApplyControlled(sd.controls, sd.targets, sd.madj)
		} else {
			b.ApplyControlled(sd.controls, sd.targets, sd.m)
		}
	}
}

// computeDargs evaluates ∂arg/∂θ for every symbolic argument.
func (e *engine[T]) computeDargs() error {
	for _, r := range e.p.pops {
		d := e.dargs[r.slot]
		n := 0
		for _, a := range r.args {
			for _, si := range a.syms {
				_, dv, err := circuit.EvalDeriv(a.expr, e.env, e.p.params[si])
				if err != nil {
					return fmt.Errorf("lowering: %s%s (operation %d): %w", r.op.Pos.Prefix(), r.op.Name(), r.index, err)
				}
				d[n] = dv
				n++
			}
		}
	}
	return nil
}

// addArgGrad adds g = ∂ℓ/∂(argument k of r) to grad through the chain rule.
func (e *engine[T]) addArgGrad(r *opRef, k int, g float64, grad []float64) {
	n := 0
	for kk := 0; kk < k; kk++ {
		n += len(r.args[kk].syms)
	}
	for j, si := range r.args[k].syms {
		grad[si] += g * e.dargs[r.slot][n+j]
	}
}

// vjp runs the adjoint pass: x holds the program's output and becomes its input; y holds
// ∂ℓ/∂(output) and becomes ∂ℓ/∂(input); grad (zeroed here) receives ∂ℓ/∂θ.
func (e *engine[T]) vjp(bx, by batchOps[T], x, y []T, B int, grad []float64) error {
	clear(grad)
	if err := e.computeDargs(); err != nil {
		return err
	}
	nchunks := (len(x)/2 + chunkElems - 1) / chunkElems
	if need := 4 * max(nchunks, 1) * 16; cap(e.part) < need {
		e.part = make([]T, need)
	}
	for i := len(e.p.stages) - 1; i >= 0; i-- {
		st, sd := e.p.stages[i], &e.st[i]
		switch st.kind {
		case KronStage:
			for j := len(st.support) - 1; j >= 0; j-- {
				q := st.support[j]
				acc := false
				for _, r := range st.factors[j] {
					acc = acc || r.params
				}
				C := e.pairVJP(x, y, B, q, sd.fadj[j], acc)
				if acc {
					e.chain(st, st.factors[j], C[:], 2, grad)
				}
			}
		case DiagStage:
			if st.params {
				e.diagAccum(x, y, B, st.support, sd.w)
				for _, r := range st.ops {
					if !r.params {
						continue
					}
					dd := 1 << r.nq
					m := e.mat[r.id]
					for k := range r.args {
						if len(r.args[k].syms) == 0 {
							continue
						}
						dm := e.opDeriv(r, k)
						g := 0.0
						for s, w := range sd.w {
							si := smallmat.SubIndex(s, r.pos)
							ratio := dm[si*dd+si] / m[si*dd+si]
							wc := toComplex(w)
							// Re(ratio·W): W already carries conj(ȳ).
							g += real(ratio)*real(wc) - imag(ratio)*imag(wc)
						}
						e.addArgGrad(r, k, g, grad)
					}
				}
			}
			bx.ApplyDiag(st.support, sd.dadj)
			by.ApplyDiag(st.support, sd.dadj)
		case PermStage:
			tmp := e.rowTmp(B)
			permuteRows(x, B, st.support, sd.icycles, tmp)
			permuteRows(y, B, st.support, sd.icycles, tmp)
		case BlockStage:
			bx.ApplyControlled(sd.controls, sd.targets, sd.madj)
			if st.params {
				D := 1 << len(sd.targets)
				nrc := (len(x)/B + chunkElems - 1) / chunkElems
				if need := max(nrc, 1) * D * D; cap(e.part) < need {
					e.part = make([]T, need)
				}
				e.blockAccum(x, y, B, sd.tpos, sd.cmask, sd.cblk, e.part)
				C := make([]complex128, D*D)
				for k, v := range sd.cblk {
					C[k] = toComplex(v)
				}
				e.chain(st, st.ops, C, D, grad)
			}
			by.ApplyControlled(sd.controls, sd.targets, sd.madj)
		}
	}
	return nil
}

func toComplex[T scalar](v T) complex128 {
	switch w := any(v).(type) {
	case float64:
		return complex(w, 0)
	case complex128:
		return w
	}
	return 0
}

func (e *engine[T]) pairVJP(x, y []T, B, q int, a [4]T, acc bool) [4]complex128 {
	switch xx := any(x).(type) {
	case []float64:
		yy := any(y).([]float64)
		aa := any(a).([4]float64)
		pp := any(e.part).([]float64)
		C := pairVJP(xx, yy, B, q, aa, acc, pp, pairChunkReal)
		return [4]complex128{complex(C[0], 0), complex(C[1], 0), complex(C[2], 0), complex(C[3], 0)}
	case []complex128:
		yy := any(y).([]complex128)
		aa := any(a).([4]complex128)
		pp := any(e.part).([]complex128)
		return pairVJP(xx, yy, B, q, aa, acc, pp, pairChunkCplx)
	}
	panic("unreachable")
}

func (e *engine[T]) diagAccum(x, y []T, B int, pos []int, W []T) {
	switch xx := any(x).(type) {
	case []float64:
		diagAccum(xx, any(y).([]float64), B, pos, any(W).([]float64), diagRangeReal)
	case []complex128:
		diagAccum(xx, any(y).([]complex128), B, pos, any(W).([]complex128), diagRangeCplx)
	}
}

func (e *engine[T]) blockAccum(x, y []T, B int, pos []int, cmask int, C, part []T) {
	switch xx := any(x).(type) {
	case []float64:
		blockAccum(xx, any(y).([]float64), B, pos, cmask, any(C).([]float64), any(part).([]float64), dotReal)
	case []complex128:
		blockAccum(xx, any(y).([]complex128), B, pos, cmask, any(C).([]complex128), any(part).([]complex128), dotConj)
	}
}

// chain distributes the cotangent C of a stage matrix M = M_k ⋯ M_1 (d×d; ops in
// application order; dℓ = Re⟨C, dM⟩) to the ops' arguments:
// ∂ℓ/∂p_j = Re⟨A_j† C B_j†, ∂M_j/∂p⟩ with A_j = M_k⋯M_{j+1}, B_j = M_{j−1}⋯M_1.
func (e *engine[T]) chain(st *stage, ops []*opRef, C []complex128, d int, grad []float64) {
	mats := func(r *opRef) []complex128 {
		if st.kind == BlockStage {
			return e.smat[r.id]
		}
		return e.mat[r.id]
	}
	der := func(r *opRef, k int) []complex128 {
		dm := e.opDeriv(r, k)
		if st.kind == BlockStage {
			out := make([]complex128, d*d)
			e.stageMatrix(st, r, dm, out)
			return out
		}
		return dm
	}
	if len(ops) == 1 {
		r := ops[0]
		for k := range r.args {
			if len(r.args[k].syms) > 0 {
				e.addArgGrad(r, k, realInner(C, der(r, k)), grad)
			}
		}
		return
	}
	// Prefix products P[j] = M_j ⋯ M_1, P[0] = I.
	P := make([][]complex128, len(ops)+1)
	P[0] = smallmat.Identity(d)
	for j, r := range ops {
		P[j+1] = smallmat.Mul(mats(r), P[j], d)
	}
	Cj := append([]complex128(nil), C...)
	for j := len(ops) - 1; j >= 0; j-- {
		r := ops[j]
		if r.params {
			G := smallmat.Mul(Cj, smallmat.Adjoint(P[j], d), d)
			for k := range r.args {
				if len(r.args[k].syms) > 0 {
					e.addArgGrad(r, k, realInner(G, der(r, k)), grad)
				}
			}
		}
		Cj = smallmat.Mul(smallmat.Adjoint(mats(r), d), Cj, d)
	}
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}
