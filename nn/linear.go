package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Linear is the affine map y = x·Wᵀ + b (PyTorch nn.Linear), applied to every row of an
// input of shape (..., In). W has shape (Out, In), b has shape (Out) and may be nil.
type Linear[T Float] struct {
	// W is the weight, shape [Out, In].
	W *Param
	// B is the bias, shape [Out], or nil for no bias.
	B *Param

	in, out int
	x       *Tensor[T] // cached input
	w, b    []T        // compute-type copies of W and B
	dw      []T        // scratch for ∂loss/∂W
}

// NewLinear returns a Linear layer named name (parameters name.weight and name.bias)
// initialised as PyTorch does: W and b uniform in ±1/√in, drawn from rng. With bias false the
// layer has no bias. It panics if in or out is not positive.
func NewLinear[T Float](name string, in, out int, bias bool, rng *rand.Rand) *Linear[T] {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nn: NewLinear %q: sizes in=%d out=%d must be positive", name, in, out))
	}
	l := &Linear[T]{W: NewParam(name+".weight", out, in), in: in, out: out}
	bound := 1 / math.Sqrt(float64(in))
	for i := range l.W.Value {
		l.W.Value[i] = (rng.Float64()*2 - 1) * bound
	}
	if bias {
		l.B = NewParam(name+".bias", out)
		for i := range l.B.Value {
			l.B.Value[i] = (rng.Float64()*2 - 1) * bound
		}
	}
	return l
}

// NewLinearFrom returns a Linear layer using the given parameters (W of shape [out, in], B of
// shape [out] or nil), e.g. pretrained weights. It panics if the shapes disagree.
func NewLinearFrom[T Float](w, b *Param) *Linear[T] {
	if len(w.Shape) != 2 || w.Len() != w.Shape[0]*w.Shape[1] || w.Shape[0] <= 0 || w.Shape[1] <= 0 {
		panic(fmt.Sprintf("nn: NewLinearFrom: weight %v is not a non-empty matrix", w))
	}
	if b != nil && (len(b.Value) != w.Shape[0]) {
		panic(fmt.Sprintf("nn: NewLinearFrom: bias %v does not match weight %v", b, w))
	}
	return &Linear[T]{W: w, B: b, out: w.Shape[0], in: w.Shape[1]}
}

// Dims returns (Out, In).
func (l *Linear[T]) Dims() (out, in int) { return l.out, l.in }

// Forward returns x·Wᵀ + b for x of shape (..., In); the result has shape (..., Out).
func (l *Linear[T]) Forward(x *Tensor[T]) *Tensor[T] {
	rows := rowsCols(x, "Linear.Forward", l.in)
	l.x = x
	l.w = load(l.w, l.W)
	shape := append(append([]int(nil), x.Shape[:len(x.Shape)-1]...), l.out)
	y := New[T](shape...)
	if l.B != nil {
		l.b = load(l.b, l.B)
		for r := 0; r < rows; r++ {
			copy(y.Data[r*l.out:(r+1)*l.out], l.b)
		}
	}
	Gemm(false, true, rows, l.out, l.in, x.Data, l.in, l.w, l.in, l.B != nil, y.Data, l.out)
	return y
}

// Backward accumulates ∂loss/∂W = dyᵀ·x and ∂loss/∂b = Σ_rows dy (for trainable parameters)
// and returns ∂loss/∂x = dy·W.
func (l *Linear[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	rows := l.paramGrads(dy)
	dx := New[T](l.x.Shape...)
	Gemm(false, false, rows, l.in, l.out, dy.Data, l.out, l.w, l.in, false, dx.Data, l.in)
	return dx
}

// BackwardParams accumulates the parameter gradients like Backward without computing
// ∂loss/∂x. It implements [ParamBackwarder].
func (l *Linear[T]) BackwardParams(dy *Tensor[T]) { l.paramGrads(dy) }

// paramGrads accumulates the parameter gradients and returns the number of rows of dy.
func (l *Linear[T]) paramGrads(dy *Tensor[T]) (rows int) {
	if l.x == nil {
		panic("nn: Linear.Backward before Forward")
	}
	rows = rowsCols(dy, "Linear.Backward", l.out)
	if rows*l.in != len(l.x.Data) {
		panic(fmt.Sprintf("nn: Linear.Backward: dy %v does not match the last input %v", dy.Shape, l.x.Shape))
	}
	if l.W.Trainable {
		l.dw = ensure(l.dw, l.out*l.in)
		Gemm(true, false, l.out, l.in, rows, dy.Data, l.out, l.x.Data, l.in, false, l.dw, l.in)
		accumulate(l.W, l.dw)
	}
	if l.B != nil && l.B.Trainable {
		sumRows(l.B.Grad, dy.Data, rows, l.out)
	}
	return rows
}

// sumRows adds the column sums of the rows x cols matrix m to g, in float64, row order.
func sumRows[T Float](g []float64, m []T, rows, cols int) {
	for r := 0; r < rows; r++ {
		for j, v := range m[r*cols : (r+1)*cols] {
			g[j] += float64(v)
		}
	}
}

// Params returns W and, if present, B.
func (l *Linear[T]) Params() []*Param {
	if l.B == nil {
		return []*Param{l.W}
	}
	return []*Param{l.W, l.B}
}

// String describes the layer.
func (l *Linear[T]) String() string {
	return fmt.Sprintf("Linear(%s: in=%d, out=%d, bias=%v)", l.W.Name, l.in, l.out, l.B != nil)
}
