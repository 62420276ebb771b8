package peft

import (
	"fmt"
	"math"

	"github.com/qpeft/qpeft/nn"
)

// Path selects how an [Adapted] layer computes its adapter term. Both paths give the same
// output and gradients up to the rounding of T; they differ in cost.
type Path int

const (
	// PathAuto (the zero value) picks, at every Forward, the path with fewer multiply-adds
	// for the layer's shape, batch rows and rank (PathDense only where it is allowed).
	PathAuto Path = iota
	// PathFactored applies the factors to the input as two thin GEMMs of r columns in T,
	// beside the frozen layer: y = Base(x) + (x·Q)·(diag(D)·Pᵀ), and backpropagates through
	// them (O(rows·r·(in+out)) per pass).
	PathFactored
	// PathDense forms W0 + ΔW in T once per Forward and runs the frozen layer's own product
	// with it; the factors' gradients come from ∂ℓ/∂W = dyᵀ·x (O(rows·in·out), the cost of
	// a trainable weight) projected on Q and P. It needs a frozen *nn.Linear base; with any
	// other base the layer falls back to PathFactored. It is the cheaper path when in·out is
	// small next to r·(in+out).
	PathDense
	// PathFused forms W0 + ΔW in T once per Forward like PathDense (the frozen layer's own
	// product gives y and ∂ℓ/∂x), but takes the factors' gradients from one pass over the
	// rows that reads x and dy once ([nn.LowRankGrad]: (dy·P)ᵀ·x and (x·Q)ᵀ·dy,
	// O(rows·r·(in+out))) instead of forming ∂ℓ/∂W = dyᵀ·x. It needs a frozen *nn.Linear base
	// (otherwise PathFactored). With the float32 AVX2 kernel it is the cheapest path on the
	// 8 x 25 and 16 x 200 convolution maps of a small CNN: cheaper than the weight gradient
	// full fine-tuning computes there.
	PathFused
)

// String returns "auto", "factored" or "dense".
func (p Path) String() string {
	switch p {
	case PathAuto:
		return "auto"
	case PathFactored:
		return "factored"
	case PathDense:
		return "dense"
	case PathFused:
		return "fused"
	}
	return fmt.Sprintf("Path(%d)", int(p))
}

// Adapted plugs an adapter into the nn stack: it wraps a frozen nn.LinearMap (an nn.Linear,
// or the map inside an nn.Conv2D) and adds the adapter's low-rank term,
//
//	y = Base(x) + ((x·Q)·diag(d))·Pᵀ,
//
// in the network's precision T. The adapter's parameters, its factors P, Q, D and their
// gradients stay float64 (for Quantum-PEFT, the circuits build U and V and take their
// gradients back to the angles in float64): once per Forward the factors are converted to T,
// the term is applied as two thin GEMMs of r columns (or folded into the frozen weight, see
// [Path]), and Backward reduces ∂ℓ/∂P, ∂ℓ/∂Q and ∂ℓ/∂D in T over the batch before handing
// them to the adapter in float64. While every d is zero (an adapter at initialisation)
// nothing is added, so the output is the frozen layer's bit for bit. Adapted implements
// nn.LinearMap[T] and nn.ParamBackwarder[T].
//
// If the adapter cannot build its factors (angles that became NaN or ±Inf after a diverged
// step, or a failed allocation), Forward returns the frozen layer's output alone and Backward
// leaves the adapter's gradients out; both record the first such error, which Err returns
// (and SiteErr names by module): a training loop checks it after every pass.
type Adapted[T nn.Float] struct {
	// Base is the frozen layer; its parameters should have Trainable false.
	Base nn.LinearMap[T]
	// Adapter is the trainable update.
	Adapter Adapter
	// Path selects how the adapter term is computed; PathAuto (the default) picks the
	// cheaper one at every Forward.
	Path Path

	f        Factors       // the adapter's float64 factors at the last Forward
	pt, qt   []T           // Pᵀ (r × out) and Qᵀ (r × in) in T
	dpt, dqt []T           // diag(D)·Pᵀ and diag(D)·Qᵀ in T
	zero     bool          // every D is zero
	x        *nn.Tensor[T] // the input of the last Forward (not owned)
	rows     int
	used     Path // the path of the last successful Forward; PathAuto if it failed

	t, g    []T // PathFactored: x·Q and dy·P (rows × r)
	tdy, gx []T // PathFactored: tᵀ·dy (r × out) and gᵀ·x (r × in)

	w, b   []T       // PathDense, PathFused: W0 + ΔW and the bias in T
	gw     []T       // PathDense: dyᵀ·x (out × in)
	w64    []float64 // PathDense, PathFused: ΔW; PathDense: then dyᵀ·x in float64
	gq     []float64 // PathDense: (dyᵀ·x)·Q (out × r); PathFused: (dy·P)ᵀ·x (r × in)
	gp     []float64 // PathFused: (x·Q)ᵀ·dy (r × out)
	scaled []float64 // PathDense, PathFused: diag(D)·Pᵀ in float64

	pbar, qbar, dbar []float64
	merged           bool
	err              error // first failure of the adapter, see Err
}

// Err returns the first error the adapter met in Forward or Backward (nil if none); it stays
// set, since the adapter's output is wrong from that pass on.
func (l *Adapted[T]) Err() error { return l.err }

// SiteErr returns the error of the adapter in m, wrapped with the module name, if m is an
// *Adapted that failed; nil otherwise (also for a layer without an adapter).
func SiteErr[T nn.Float](name string, m nn.LinearMap[T]) error {
	if a, ok := m.(*Adapted[T]); ok && a.err != nil {
		return fmt.Errorf("module %s: %w", name, a.err)
	}
	return nil
}

// fail records err as the adapter's first failure.
func (l *Adapted[T]) fail(err error) {
	if l.err == nil {
		l.err = fmt.Errorf("peft: %s adapter: %w", l.Adapter.Method(), err)
	}
}

// NewAdapted wraps base with a. It returns an error if their shapes differ.
func NewAdapted[T nn.Float](base nn.LinearMap[T], a Adapter) (*Adapted[T], error) {
	bo, bi := base.Dims()
	if ao, ai := a.Dims(); ao != bo || ai != bi {
		return nil, fmt.Errorf("peft: %s adapter is %dx%d but the layer is %dx%d", a.Method(), ao, ai, bo, bi)
	}
	return &Adapted[T]{Base: base, Adapter: a}, nil
}

// Dims returns the base layer's (out, in).
func (l *Adapted[T]) Dims() (out, in int) { return l.Base.Dims() }

// Params returns the base layer's parameters followed by the adapter's.
func (l *Adapted[T]) Params() []*nn.Param {
	return append(append([]*nn.Param(nil), l.Base.Params()...), l.Adapter.Params()...)
}

// String describes the layer.
func (l *Adapted[T]) String() string {
	o, i := l.Dims()
	return fmt.Sprintf("Adapted(%v + %s rank %d, %dx%d)", l.Base, l.Adapter.Method(), l.Adapter.Rank(), o, i)
}

func growT[T nn.Float](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// LastPath returns the path the last Forward took: PathFactored, PathDense or PathFused, or
// PathAuto if
// there was no successful Forward (or the layer is merged).
func (l *Adapted[T]) LastPath() Path { return l.used }

// Forward returns Base(x) plus the low-rank term.
func (l *Adapted[T]) Forward(x *nn.Tensor[T]) *nn.Tensor[T] {
	out, in := l.Dims()
	l.used = PathAuto
	if l.merged {
		return l.Base.Forward(x)
	}
	if len(x.Shape) == 0 || x.Shape[len(x.Shape)-1] != in {
		panic(fmt.Sprintf("peft: Adapted.Forward: input shape %v, want last dimension %d", x.Shape, in))
	}
	if err := l.Adapter.Factors(&l.f); err != nil {
		l.fail(err)
		return l.Base.Forward(x)
	}
	l.convertFactors()
	rows := len(x.Data) / in
	l.x, l.rows = x, rows
	r := l.f.Rank
	var y *nn.Tensor[T]
	if p := l.choose(rows); p != PathFactored {
		y = l.denseForward(x)
		l.used = p
		return y
	}
	y = l.Base.Forward(x)
	// t = x·Q (rows × r), then y += t·(diag(D)·Pᵀ).
	l.t = growT(l.t, rows*r)
	nn.Gemm(false, true, rows, r, in, x.Data, in, l.qt, in, false, l.t, r)
	if !l.zero {
		nn.Gemm(false, false, rows, out, r, l.t, r, l.dpt, out, true, y.Data, out)
	}
	l.used = PathFactored
	return y
}

// convertFactors writes Pᵀ, Qᵀ, diag(D)·Pᵀ and diag(D)·Qᵀ in T: once per Forward, O(r·(in +
// out)).
func (l *Adapted[T]) convertFactors() {
	f := &l.f
	r := f.Rank
	l.pt, l.dpt = growT(l.pt, r*f.Out), growT(l.dpt, r*f.Out)
	l.qt, l.dqt = growT(l.qt, r*f.In), growT(l.dqt, r*f.In)
	l.zero = allZero(f.D)
	for j := 0; j < r; j++ {
		d := f.D[j]
		for i, v := range f.PT[j*f.Out : (j+1)*f.Out] {
			l.pt[j*f.Out+i] = T(v)
			l.dpt[j*f.Out+i] = T(d * v)
		}
		for i, v := range f.QT[j*f.In : (j+1)*f.In] {
			l.qt[j*f.In+i] = T(v)
			l.dqt[j*f.In+i] = T(d * v)
		}
	}
}

// denseBase returns the base as a frozen *nn.Linear, or nil if it is not one.
func (l *Adapted[T]) denseBase() *nn.Linear[T] {
	lin, ok := l.Base.(*nn.Linear[T])
	if !ok {
		return nil
	}
	for _, p := range lin.Params() {
		if p.Trainable {
			return nil
		}
	}
	return lin
}

// streamCost is the cost, in multiply-adds, that choose charges for every element a
// product streams through memory (packing it for the GEMM kernel, or reading and writing it
// back): on the tall, thin products of the factored path that traffic, not the arithmetic,
// is what takes the time (measured with BenchmarkAdaptedPath: on the CNN's 12544 x 200
// patch matrix the rank-1 factored pass costs 1.6-2x the dense one, which does 5x its
// multiply-adds).
const streamCost = 16

// lowRankCost is what choose charges, in multiply-adds, for each (row, input or output
// feature) step of nn.LowRankGrad's float32 kernel per group of 8 factor columns (two 8-lane
// fused multiply-adds and their loads; measured with BenchmarkAdaptedPath and nn's
// BenchmarkGemmThin against the GEMM of ∂ℓ/∂W on the CNN's patch maps).
const lowRankCost = 8

// fusedKernel reports whether nn.LowRankGrad runs its SIMD kernel for T (float32 with AVX2);
// PathAuto considers PathFused only then.
func fusedKernel[T nn.Float]() bool {
	var z T
	_, f32 := any(z).(float32)
	return f32 && nn.SIMD()
}

// choose returns the path of a Forward over rows rows: the requested one, or for PathAuto the
// cheapest per training step (forward and backward, ∂ℓ/∂x included), counting multiply-adds
// plus streamCost per element streamed. The frozen product and its ∂ℓ/∂x are common to all
// and not counted. The choice depends only on the shapes, the rank, the rows and T (not on
// what earlier passes did), so that evaluating a layer gives the same bits whether or not it
// was just trained.
func (l *Adapted[T]) choose(rows int) Path {
	if l.Path == PathFactored || l.denseBase() == nil {
		return PathFactored
	}
	if l.Path == PathDense || l.Path == PathFused {
		return l.Path
	}
	out, in := l.Dims()
	r := float64(l.f.Rank)
	n, fi, fo := float64(rows), float64(in), float64(out)
	// Factored: x·Q and gᵀ·x stream x twice, t·DPᵀ, tᵀ·dy and dy·P stream y or dy, and
	// g·DQᵀ adds into ∂ℓ/∂x.
	factored := n*r*(2*fi+3*fo) + streamCost*n*(2*fi+3*fo) + n*r*fi + streamCost*2*n*fi
	// Dense: dyᵀ·x streams x and dy once; ΔW, (dyᵀ·x)·Q and Pᵀ·(dyᵀ·x) do not depend on
	// the rows.
	dense := n*fi*fo + streamCost*n*(fi+fo) + 3*fi*fo*r
	best, cost := PathFactored, factored
	if dense < cost {
		best, cost = PathDense, dense
	}
	// Fused: one pass over x and dy per 8 factor columns; at every pass ΔW formed in float64
	// and W0 + ΔW rounded to T (three streams of in·out elements: measured on mlp512's 512 x
	// 512 layer, where at 64 rows they cost more than the factored path's thin products).
	if fusedKernel[T]() {
		if fused := lowRankCost*n*(fi+2*fo)*math.Ceil(r/8) + fi*fo*r + 3*streamCost*fi*fo; fused < cost {
			best = PathFused
		}
	}
	return best
}

// denseForward computes y = x·(W0 + ΔW)ᵀ + b in T with the frozen Linear's own product, so
// that with ΔW = 0 the output is the frozen layer's bit for bit.
func (l *Adapted[T]) denseForward(x *nn.Tensor[T]) *nn.Tensor[T] {
	lin := l.denseBase()
	out, in := l.Dims()
	w0 := lin.W.Value
	l.w = growT(l.w, out*in)
	if l.zero {
		for i, v := range w0 {
			l.w[i] = T(v)
		}
	} else {
		f := &l.f
		l.scaled = grow(l.scaled, f.Rank*out)
		for j := 0; j < f.Rank; j++ {
			for i, v := range f.PT[j*out : (j+1)*out] {
				l.scaled[j*out+i] = f.D[j] * v
			}
		}
		l.w64 = grow(l.w64, out*in)
		gemm(true, false, out, in, f.Rank, 1, l.scaled, f.QT, 0, l.w64)
		for i, v := range w0 {
			l.w[i] = T(v + l.w64[i])
		}
	}
	rows := l.rows
	shape := append(append([]int(nil), x.Shape[:len(x.Shape)-1]...), out)
	y := nn.New[T](shape...)
	if lin.B != nil {
		l.b = growT(l.b, out)
		for i, v := range lin.B.Value {
			l.b[i] = T(v)
		}
		for r := 0; r < rows; r++ {
			copy(y.Data[r*out:(r+1)*out], l.b)
		}
	}
	nn.Gemm(false, true, rows, out, in, x.Data, in, l.w, in, lin.B != nil, y.Data, out)
	return y
}

// Backward returns ∂ℓ/∂x through the frozen base and the low-rank term, and accumulates the
// adapter's parameter gradients.
func (l *Adapted[T]) Backward(dy *nn.Tensor[T]) *nn.Tensor[T] {
	if l.merged {
		panic("peft: Adapted.Backward on a merged layer: Unmerge before training")
	}
	switch l.used {
	case PathDense, PathFused:
		l.checkDy(dy)
		out, in := l.Dims()
		dx := nn.New[T](l.x.Shape...)
		nn.Gemm(false, false, l.rows, in, out, dy.Data, out, l.w, in, false, dx.Data, in)
		l.backward(dy, nil)
		return dx
	case PathFactored:
		l.checkDy(dy)
		dx := l.Base.Backward(dy)
		l.backward(dy, dx.Data)
		return dx
	}
	// The last Forward failed (recorded in Err) and ran the base alone.
	return l.Base.Backward(dy)
}

// BackwardParams accumulates the parameter gradients (base, if any are trainable, and
// adapter) without computing ∂ℓ/∂x.
func (l *Adapted[T]) BackwardParams(dy *nn.Tensor[T]) {
	if l.merged {
		panic("peft: Adapted.Backward on a merged layer: Unmerge before training")
	}
	if l.used == PathFactored || l.used == PathAuto {
		for _, p := range l.Base.Params() {
			if p.Trainable {
				nn.BackwardParams[T](l.Base, dy)
				break
			}
		}
	}
	if l.used == PathAuto {
		return
	}
	l.checkDy(dy)
	l.backward(dy, nil)
}

func (l *Adapted[T]) checkDy(dy *nn.Tensor[T]) {
	out, _ := l.Dims()
	if len(dy.Data) != l.rows*out {
		panic(fmt.Sprintf("peft: Adapted.Backward: dy has %d elements, the last Forward had %d rows of %d", len(dy.Data), l.rows, out))
	}
}

// backward reduces ∂ℓ/∂P, ∂ℓ/∂Q and ∂ℓ/∂D over the batch in T and hands them to the
// adapter in float64; on PathFactored with dx not nil it also adds the low-rank term's
// (dy·P·diag(D))·Qᵀ to dx (on PathDense and PathFused, dx = dy·(W0 + ΔW) already holds it).
func (l *Adapted[T]) backward(dy *nn.Tensor[T], dx []T) {
	out, in := l.Dims()
	f := &l.f
	r, rows := f.Rank, l.rows
	l.pbar = grow(l.pbar, r*out)
	l.qbar = grow(l.qbar, r*in)
	l.dbar = grow(l.dbar, r)
	switch l.used {
	case PathFused:
		// gq = (dy·P)ᵀ·x and gp = (x·Q)ᵀ·dy in one pass over the rows, then
		// ∂ℓ/∂Pᵀ = diag(D)·gp, ∂ℓ/∂D_j = Σ_o gp[j,o]·Pᵀ[j,o] and ∂ℓ/∂Qᵀ = diag(D)·gq.
		l.gq = grow(l.gq, r*in)
		l.gp = grow(l.gp, r*out)
		nn.LowRankGrad(rows, in, out, r, l.x.Data, dy.Data, l.qt, l.pt, l.gq, l.gp)
		for j := 0; j < r; j++ {
			d := f.D[j]
			var s float64
			for o, v := range l.gp[j*out : (j+1)*out] {
				s += v * f.PT[j*out+o]
				l.pbar[j*out+o] = d * v
			}
			l.dbar[j] = s
			for i, v := range l.gq[j*in : (j+1)*in] {
				l.qbar[j*in+i] = d * v
			}
		}
	case PathDense:
		// G = dyᵀ·x in T (the gradient a trainable W0 would get), then in float64
		// ∂ℓ/∂Pᵀ = diag(D)·(G·Q)ᵀ, ∂ℓ/∂Qᵀ = diag(D)·Pᵀ·G and ∂ℓ/∂D_j = P_jᵀ·G·Q_j.
		l.gw = growT(l.gw, out*in)
		nn.Gemm(true, false, out, in, rows, dy.Data, out, l.x.Data, in, false, l.gw, in)
		l.w64 = grow(l.w64, out*in)
		for i, v := range l.gw {
			l.w64[i] = float64(v)
		}
		l.gq = grow(l.gq, out*r)
		gemm(false, true, out, r, in, 1, l.w64, f.QT, 0, l.gq)
		gemm(false, false, r, in, out, 1, f.PT, l.w64, 0, l.qbar)
		for j := 0; j < r; j++ {
			d := f.D[j]
			var s float64
			for o := 0; o < out; o++ {
				s += f.PT[j*out+o] * l.gq[o*r+j]
				l.pbar[j*out+o] = d * l.gq[o*r+j]
			}
			l.dbar[j] = s
			for i := range l.qbar[j*in : (j+1)*in] {
				l.qbar[j*in+i] *= d
			}
		}
	default:
		// tdy = tᵀ·dy gives ∂ℓ/∂Pᵀ = diag(D)·tdy and ∂ℓ/∂D_j = Σ_o tdy[j,o]·Pᵀ[j,o];
		// g = dy·P gives ∂ℓ/∂Qᵀ = diag(D)·gᵀ·x and ∂ℓ/∂x += g·diag(D)·Qᵀ.
		l.tdy = growT(l.tdy, r*out)
		nn.Gemm(true, false, r, out, rows, l.t, r, dy.Data, out, false, l.tdy, out)
		for j := 0; j < r; j++ {
			d := f.D[j]
			var s float64
			for o, v := range l.tdy[j*out : (j+1)*out] {
				s += float64(v) * f.PT[j*out+o]
				l.pbar[j*out+o] = d * float64(v)
			}
			l.dbar[j] = s
		}
		if l.zero {
			// diag(D) = 0: no gradient reaches Q, and nothing reaches x.
			clear(l.qbar)
		} else {
			l.g = growT(l.g, rows*r)
			nn.Gemm(false, true, rows, r, out, dy.Data, out, l.pt, out, false, l.g, r)
			l.gx = growT(l.gx, r*in)
			nn.Gemm(true, false, r, in, rows, l.g, r, l.x.Data, in, false, l.gx, in)
			for j := 0; j < r; j++ {
				d := f.D[j]
				for i, v := range l.gx[j*in : (j+1)*in] {
					l.qbar[j*in+i] = d * float64(v)
				}
			}
			if dx != nil {
				nn.Gemm(false, false, rows, in, r, l.g, r, l.dqt, in, true, dx, in)
			}
		}
	}
	if err := l.Adapter.FactorsVJP(f, l.pbar, l.qbar, l.dbar); err != nil {
		l.fail(fmt.Errorf("backward: %w", err))
	}
}

// Merge adds ΔW to the base weight when the base is an *nn.Linear (its float64 master
// value); Forward then runs the base alone, and Backward panics until Unmerge (a merged
// layer is for inference). It is an error to merge twice or another base.
func (l *Adapted[T]) Merge() error { return l.fold(+1) }

// Unmerge subtracts ΔW from the base weight again.
func (l *Adapted[T]) Unmerge() error { return l.fold(-1) }

func (l *Adapted[T]) fold(sign float64) error {
	lin, ok := l.Base.(*nn.Linear[T])
	if !ok {
		return fmt.Errorf("peft: can merge only into an nn.Linear, not %T", l.Base)
	}
	if (sign > 0) == l.merged {
		if l.merged {
			return fmt.Errorf("peft: the adapter is already merged")
		}
		return fmt.Errorf("peft: the adapter is not merged")
	}
	dw, err := DeltaW(l.Adapter)
	if err != nil {
		return err
	}
	for i, v := range dw {
		lin.W.Value[i] += sign * v
	}
	l.merged = sign > 0
	l.used = PathAuto
	return nil
}
