package nn

import (
	"fmt"
	"math"
)

// Param is a learnable (or frozen) parameter: a float64 master value, its gradient and a
// trainable flag. Layers read Value at each Forward (converting it to their compute type) and
// accumulate into Grad in Backward; optimisers update Value of trainable parameters only.
type Param struct {
	// Name identifies the parameter, e.g. "conv1.weight" (PyTorch-style dotted path).
	Name string
	// Shape of the value, e.g. [out, in] for a Linear weight (PyTorch convention).
	Shape []int
	// Value holds the parameter row-major, float64.
	Value []float64
	// Grad accumulates ∂loss/∂Value; same length as Value. Backward adds to it; call
	// [ZeroGrad] between steps.
	Grad []float64
	// Trainable reports whether optimisers update this parameter and whether layers spend
	// time computing its gradient. A frozen pretrained weight has Trainable false.
	Trainable bool
}

// NewParam returns a trainable zero parameter of the given shape.
func NewParam(name string, shape ...int) *Param {
	n := numel(shape)
	return &Param{Name: name, Shape: append([]int(nil), shape...), Value: make([]float64, n),
		Grad: make([]float64, n), Trainable: true}
}

// Len returns the number of scalars in the parameter.
func (p *Param) Len() int { return len(p.Value) }

// String returns the name, shape and trainability.
func (p *Param) String() string {
	t := "trainable"
	if !p.Trainable {
		t = "frozen"
	}
	return fmt.Sprintf("%s%v %s", p.Name, p.Shape, t)
}

// ZeroGrad sets the gradient of every parameter to zero.
func ZeroGrad(params []*Param) {
	for _, p := range params {
		clear(p.Grad)
	}
}

// Freeze sets Trainable to false on every parameter.
func Freeze(params []*Param) {
	for _, p := range params {
		p.Trainable = false
	}
}

// CountParams returns the number of trainable and total scalars.
func CountParams(params []*Param) (trainable, total int) {
	for _, p := range params {
		total += p.Len()
		if p.Trainable {
			trainable += p.Len()
		}
	}
	return trainable, total
}

// GradNorm returns the global L2 norm of the gradients of the trainable parameters.
func GradNorm(params []*Param) float64 {
	var s float64
	for _, p := range params {
		if !p.Trainable {
			continue
		}
		for _, g := range p.Grad {
			s += g * g
		}
	}
	return math.Sqrt(s)
}

// ClipGradNorm rescales the gradients of the trainable parameters so that their global L2
// norm is at most maxNorm (PyTorch clip_grad_norm_: scale = maxNorm/(norm+1e-6) when that is
// below 1). It returns the norm before clipping. maxNorm <= 0 disables clipping.
func ClipGradNorm(params []*Param, maxNorm float64) float64 {
	norm := GradNorm(params)
	if maxNorm <= 0 {
		return norm
	}
	scale := maxNorm / (norm + 1e-6)
	if scale >= 1 {
		return norm
	}
	for _, p := range params {
		if !p.Trainable {
			continue
		}
		for i := range p.Grad {
			p.Grad[i] *= scale
		}
	}
	return norm
}

// load copies p.Value into dst converted to T.
func load[T Float](dst []T, p *Param) []T {
	dst = ensure(dst, len(p.Value))
	for i, v := range p.Value {
		dst[i] = T(v)
	}
	return dst
}

// accumulate adds g (compute type) into p.Grad.
func accumulate[T Float](p *Param, g []T) {
	for i, v := range g {
		p.Grad[i] += float64(v)
	}
}
