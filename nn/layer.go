package nn

import (
	"fmt"
	"strings"
)

// Layer is one differentiable stage of a network.
//
// Forward maps x to y and caches what Backward needs (x must not be modified until then).
// Backward takes ∂loss/∂y, accumulates ∂loss/∂p into Grad of every parameter p whose
// Trainable flag is set, and returns ∂loss/∂x. Params lists the parameters (trainable or
// frozen) in a stable order. A Layer is not safe for concurrent use.
type Layer[T Float] interface {
	Forward(x *Tensor[T]) *Tensor[T]
	Backward(dy *Tensor[T]) *Tensor[T]
	Params() []*Param
}

// LinearMap is a Layer applied independently to every row of its input: it maps a tensor of
// shape (..., In) to shape (..., Out), like y = x·Wᵀ + b. It is the seam adapters plug into:
// [Linear] implements it, [Conv2D] applies one to its im2col patches, and an adapted linear
// layer (W0 + ΔW, possibly without ever forming ΔW) implementing it can replace either.
type LinearMap[T Float] interface {
	Layer[T]
	// Dims returns the output and input feature counts (Out, In), the shape of the weight W
	// in PyTorch's convention.
	Dims() (out, in int)
}

// ParamBackwarder is implemented by layers that can accumulate their parameter gradients
// without computing the gradient with respect to their input (which nothing needs below the
// lowest trainable layer). Adapters implementing [LinearMap] may implement it too.
type ParamBackwarder[T Float] interface {
	BackwardParams(dy *Tensor[T])
}

// BackwardParams accumulates the parameter gradients of l for the output gradient dy,
// skipping the input gradient when l implements [ParamBackwarder] (otherwise it calls
// Backward and discards the result).
func BackwardParams[T Float](l Layer[T], dy *Tensor[T]) {
	switch p := l.(type) {
	case ParamBackwarder[T]:
		p.BackwardParams(dy)
	default:
		l.Backward(dy)
	}
}

// Sequential chains layers: Forward runs them in order, Backward in reverse.
type Sequential[T Float] struct {
	Layers []Layer[T]
}

// NewSequential returns a Sequential of the given layers.
func NewSequential[T Float](layers ...Layer[T]) *Sequential[T] {
	return &Sequential[T]{Layers: layers}
}

// Forward runs every layer in order.
func (s *Sequential[T]) Forward(x *Tensor[T]) *Tensor[T] {
	for _, l := range s.Layers {
		x = l.Forward(x)
	}
	return x
}

// Backward runs every layer's Backward in reverse order and returns ∂loss/∂input.
func (s *Sequential[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		dy = s.Layers[i].Backward(dy)
	}
	return dy
}

// BackwardParams accumulates the gradients of every trainable parameter, doing only the work
// they need: layers below the lowest layer with a trainable parameter are skipped, and that
// layer computes no input gradient. Training loops use it instead of Backward.
func (s *Sequential[T]) BackwardParams(dy *Tensor[T]) {
	lowest := -1
	for i, l := range s.Layers {
		for _, p := range l.Params() {
			if p.Trainable {
				lowest = i
				break
			}
		}
		if lowest >= 0 {
			break
		}
	}
	if lowest < 0 {
		return
	}
	for i := len(s.Layers) - 1; i > lowest; i-- {
		dy = s.Layers[i].Backward(dy)
	}
	BackwardParams(s.Layers[lowest], dy)
}

// Params returns the parameters of every layer, in layer order.
func (s *Sequential[T]) Params() []*Param {
	var ps []*Param
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// String lists the layers, one per line.
func (s *Sequential[T]) String() string {
	var b strings.Builder
	b.WriteString("Sequential(\n")
	for i, l := range s.Layers {
		fmt.Fprintf(&b, "  (%d) %v\n", i, l)
	}
	b.WriteString(")")
	return b.String()
}

// ReLU is the rectified linear unit max(0, x), elementwise, any shape.
type ReLU[T Float] struct {
	y *Tensor[T]
}

// Forward returns max(0, x).
func (r *ReLU[T]) Forward(x *Tensor[T]) *Tensor[T] {
	y := New[T](x.Shape...)
	ParallelFor(len(x.Data), 1<<15, func(lo, hi int) {
		for i, v := range x.Data[lo:hi] {
			if v > 0 {
				y.Data[lo+i] = v
			}
		}
	})
	r.y = y
	return y
}

// Backward returns dy where the input was positive, 0 elsewhere (the subgradient at 0 is 0).
func (r *ReLU[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	if r.y == nil || !dy.SameShape(r.y) {
		panic(fmt.Sprintf("nn: ReLU.Backward: dy shape %v does not match the last Forward", dy.Shape))
	}
	dx := New[T](dy.Shape...)
	ParallelFor(len(dy.Data), 1<<15, func(lo, hi int) {
		for i, v := range r.y.Data[lo:hi] {
			if v > 0 {
				dx.Data[lo+i] = dy.Data[lo+i]
			}
		}
	})
	return dx
}

// Params returns nil.
func (r *ReLU[T]) Params() []*Param { return nil }

// String returns "ReLU".
func (r *ReLU[T]) String() string { return "ReLU" }

// Flatten reshapes (N, d1, d2, ...) to (N, d1·d2·…), sharing data (the NCHW order, as ONNX
// Flatten/Reshape and PyTorch's flatten).
type Flatten[T Float] struct {
	inShape []int
}

// Forward returns x viewed as (N, rest).
func (f *Flatten[T]) Forward(x *Tensor[T]) *Tensor[T] {
	if len(x.Shape) == 0 {
		panic("nn: Flatten.Forward: scalar input")
	}
	f.inShape = append(f.inShape[:0], x.Shape...)
	return x.Reshape(x.Shape[0], -1)
}

// Backward returns dy viewed with the shape of the last input.
func (f *Flatten[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	return dy.Reshape(f.inShape...)
}

// Params returns nil.
func (f *Flatten[T]) Params() []*Param { return nil }

// String returns "Flatten".
func (f *Flatten[T]) String() string { return "Flatten" }
