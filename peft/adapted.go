package peft

import (
	"fmt"

	"github.com/qpeft/qpeft/nn"
)

// Adapted plugs an adapter into the nn stack: it wraps a frozen nn.LinearMap (an nn.Linear,
// or the map inside an nn.Conv2D) and adds the adapter's low-rank term,
//
//	y = Base(x) + ((x·Q)·diag(d))·Pᵀ,
//
// computed in float64 whatever T is (the factors and their gradients are float64). While
// every d is zero (an adapter at initialisation) nothing is added, so the output is the
// frozen layer's bit for bit. Adapted implements nn.LinearMap[T] and nn.ParamBackwarder[T].
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

	lr     lowRank
	x64    []float64
	y64    []float64
	dy64   []float64
	dx64   []float64
	rows   int
	merged bool
	err    error // first failure of the adapter, see Err
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

func toF64[T nn.Float](dst []float64, src []T) []float64 {
	dst = grow(dst, len(src))
	for i, v := range src {
		dst[i] = float64(v)
	}
	return dst
}

// Forward returns Base(x) plus the low-rank term.
func (l *Adapted[T]) Forward(x *nn.Tensor[T]) *nn.Tensor[T] {
	out, in := l.Dims()
	y := l.Base.Forward(x)
	if l.merged {
		return y
	}
	if len(x.Shape) == 0 || x.Shape[len(x.Shape)-1] != in {
		panic(fmt.Sprintf("peft: Adapted.Forward: input shape %v, want last dimension %d", x.Shape, in))
	}
	rows := len(x.Data) / in
	l.rows = rows
	l.x64 = toF64(l.x64, x.Data)
	l.y64 = grow(l.y64, rows*out)
	clear(l.y64)
	if err := l.lr.forward(l.Adapter, l.x64, rows, l.y64); err != nil {
		l.fail(err)
		return y
	}
	if !allZero(l.lr.f.D) {
		for i, v := range l.y64 {
			y.Data[i] += T(v)
		}
	}
	return y
}

// Backward returns ∂ℓ/∂x through the frozen base and the low-rank term, and accumulates the
// adapter's parameter gradients.
func (l *Adapted[T]) Backward(dy *nn.Tensor[T]) *nn.Tensor[T] {
	dx := l.Base.Backward(dy)
	if !l.backward(dy, true) {
		return dx
	}
	if !allZero(l.lr.f.D) {
		for i, v := range l.dx64 {
			dx.Data[i] += T(v)
		}
	}
	return dx
}

// BackwardParams accumulates the parameter gradients (base, if any are trainable, and
// adapter) without computing ∂ℓ/∂x.
func (l *Adapted[T]) BackwardParams(dy *nn.Tensor[T]) {
	for _, p := range l.Base.Params() {
		if p.Trainable {
			nn.BackwardParams[T](l.Base, dy)
			break
		}
	}
	l.backward(dy, false)
}

// backward computes the adapter's gradients (and ∂ℓ/∂x into dx64 when wantDx); it returns
// false, having recorded the error, if the adapter failed.
func (l *Adapted[T]) backward(dy *nn.Tensor[T], wantDx bool) bool {
	if l.merged {
		panic("peft: Adapted.Backward on a merged layer: Unmerge before training")
	}
	out, in := l.Dims()
	if len(dy.Data) != l.rows*out {
		panic(fmt.Sprintf("peft: Adapted.Backward: dy has %d elements, the last Forward had %d rows of %d", len(dy.Data), l.rows, out))
	}
	l.dy64 = toF64(l.dy64, dy.Data)
	var dx []float64
	if wantDx {
		l.dx64 = grow(l.dx64, l.rows*in)
		clear(l.dx64)
		dx = l.dx64
	}
	if err := l.lr.backward(l.Adapter, l.dy64, dx); err != nil {
		l.fail(err)
		return false
	}
	return true
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
	return nil
}
