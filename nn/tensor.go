package nn

import (
	"fmt"
	"slices"
	"strings"
)

// Float is the element type of tensors and layers: float32 for speed, float64 for gradient
// checks and reference computations.
type Float interface {
	~float32 | ~float64
}

// Tensor is a dense row-major array with an explicit shape. The last dimension varies fastest.
// Data has exactly the product of Shape elements. A Tensor may share Data with another
// (see [Tensor.Reshape] and [Tensor.Slice]).
type Tensor[T Float] struct {
	Shape []int
	Data  []T
}

// New returns a zero tensor of the given shape. It panics if a dimension is negative.
func New[T Float](shape ...int) *Tensor[T] {
	return &Tensor[T]{Shape: append([]int(nil), shape...), Data: make([]T, numel(shape))}
}

// FromSlice wraps data (without copying) as a tensor of the given shape. It panics if
// len(data) is not the product of the shape.
func FromSlice[T Float](data []T, shape ...int) *Tensor[T] {
	if n := numel(shape); n != len(data) {
		panic(fmt.Sprintf("nn: FromSlice: %d elements for shape %v (needs %d)", len(data), shape, n))
	}
	return &Tensor[T]{Shape: append([]int(nil), shape...), Data: data}
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("nn: negative dimension in shape %v", shape))
		}
		n *= d
	}
	return n
}

// Len returns the number of elements.
func (t *Tensor[T]) Len() int { return len(t.Data) }

// Dims returns the number of dimensions.
func (t *Tensor[T]) Dims() int { return len(t.Shape) }

// Reshape returns a tensor sharing t's data with a new shape. One dimension may be -1, inferred
// from the others. It panics if the element count does not match.
func (t *Tensor[T]) Reshape(shape ...int) *Tensor[T] {
	s := append([]int(nil), shape...)
	infer, known := -1, 1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(fmt.Sprintf("nn: Reshape %v to %v: bad dimension", t.Shape, shape))
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || len(t.Data)%known != 0 {
			panic(fmt.Sprintf("nn: Reshape %v to %v: cannot infer -1", t.Shape, shape))
		}
		s[infer] = len(t.Data) / known
	}
	if numel(s) != len(t.Data) {
		panic(fmt.Sprintf("nn: Reshape %v (%d elements) to %v", t.Shape, len(t.Data), shape))
	}
	return &Tensor[T]{Shape: s, Data: t.Data}
}

// Slice returns the sub-tensor of rows [lo, hi) along the first dimension, sharing t's data.
// It panics if the range is out of bounds or t is a scalar.
func (t *Tensor[T]) Slice(lo, hi int) *Tensor[T] {
	if len(t.Shape) == 0 || lo < 0 || hi < lo || hi > t.Shape[0] {
		panic(fmt.Sprintf("nn: Slice [%d,%d) of shape %v", lo, hi, t.Shape))
	}
	inner := 1
	for _, d := range t.Shape[1:] {
		inner *= d
	}
	s := append([]int{hi - lo}, t.Shape[1:]...)
	return &Tensor[T]{Shape: s, Data: t.Data[lo*inner : hi*inner]}
}

// Clone returns a deep copy.
func (t *Tensor[T]) Clone() *Tensor[T] {
	return &Tensor[T]{Shape: append([]int(nil), t.Shape...), Data: append([]T(nil), t.Data...)}
}

// SameShape reports whether t and u have identical shapes.
func (t *Tensor[T]) SameShape(u *Tensor[T]) bool { return slices.Equal(t.Shape, u.Shape) }

// String returns the shape and, for small tensors, the values.
func (t *Tensor[T]) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v", t.Shape)
	if len(t.Data) <= 16 {
		fmt.Fprintf(&b, "%v", t.Data)
	}
	return b.String()
}

// Convert returns a copy of t with element type U.
func Convert[U, T Float](t *Tensor[T]) *Tensor[U] {
	out := &Tensor[U]{Shape: append([]int(nil), t.Shape...), Data: make([]U, len(t.Data))}
	for i, v := range t.Data {
		out.Data[i] = U(v)
	}
	return out
}

// rowsCols views a tensor as a matrix whose columns are the last dimension.
func rowsCols[T Float](t *Tensor[T], layer string, cols int) int {
	if len(t.Shape) == 0 || t.Shape[len(t.Shape)-1] != cols {
		panic(fmt.Sprintf("nn: %s: input shape %v, want last dimension %d", layer, t.Shape, cols))
	}
	return len(t.Data) / cols
}

// ensure returns buf resized to n elements, reusing its storage when large enough.
func ensure[T any](buf []T, n int) []T {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]T, n)
}
