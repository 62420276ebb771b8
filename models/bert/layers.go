package bert

import (
	"fmt"
	"math"

	"github.com/qpeft/qpeft/nn"
)

// MakeTrainable marks p trainable and gives it a gradient buffer (frozen checkpoint weights
// are loaded without one, which saves their size in memory).
func MakeTrainable(p *nn.Param) {
	p.Trainable = true
	if len(p.Grad) != len(p.Value) {
		p.Grad = make([]float64, len(p.Value))
	}
}

func anyTrainable(ps []*nn.Param) bool {
	for _, p := range ps {
		if p.Trainable {
			return true
		}
	}
	return false
}

// LayerNorm normalises every row of a (rows × H) input to zero mean and unit variance and
// applies a per-feature scale and shift, y = (x − μ)/√(σ² + ε)·γ + β (PyTorch nn.LayerNorm,
// biased variance). Means and variances are accumulated in float64.
type LayerNorm[T nn.Float] struct {
	// Weight (γ) and Bias (β) have shape [H].
	Weight, Bias *nn.Param
	// Eps is ε.
	Eps float64

	xhat *nn.Tensor[T]
	rstd []float64
}

// Dim returns H.
func (l *LayerNorm[T]) Dim() int { return len(l.Weight.Value) }

// Forward normalises every row of x.
func (l *LayerNorm[T]) Forward(x *nn.Tensor[T]) *nn.Tensor[T] {
	h := l.Dim()
	if len(x.Shape) == 0 || x.Shape[len(x.Shape)-1] != h {
		panic(fmt.Sprintf("bert: LayerNorm.Forward: input %v, want last dimension %d", x.Shape, h))
	}
	rows := len(x.Data) / h
	y := nn.New[T](x.Shape...)
	l.xhat = nn.New[T](x.Shape...)
	l.rstd = make([]float64, rows)
	g, b := l.Weight.Value, l.Bias.Value
	nn.ParallelFor(rows, 64, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			row := x.Data[r*h : (r+1)*h]
			var mean float64
			for _, v := range row {
				mean += float64(v)
			}
			mean /= float64(h)
			var vr float64
			for _, v := range row {
				d := float64(v) - mean
				vr += d * d
			}
			vr /= float64(h)
			rs := 1 / math.Sqrt(vr+l.Eps)
			l.rstd[r] = rs
			xh := l.xhat.Data[r*h : (r+1)*h]
			yr := y.Data[r*h : (r+1)*h]
			for j, v := range row {
				n := (float64(v) - mean) * rs
				xh[j] = T(n)
				yr[j] = T(n*g[j] + b[j])
			}
		}
	})
	return y
}

// Backward accumulates ∂ℓ/∂γ and ∂ℓ/∂β (when trainable) and returns ∂ℓ/∂x:
// dx = rstd·(d̂ − mean(d̂) − x̂·mean(d̂·x̂)) with d̂ = dy·γ.
func (l *LayerNorm[T]) Backward(dy *nn.Tensor[T]) *nn.Tensor[T] {
	if l.xhat == nil || len(dy.Data) != len(l.xhat.Data) {
		panic("bert: LayerNorm.Backward does not match the last Forward")
	}
	h := l.Dim()
	rows := len(dy.Data) / h
	g := l.Weight.Value
	if l.Weight.Trainable || l.Bias.Trainable {
		for r := 0; r < rows; r++ {
			d := dy.Data[r*h : (r+1)*h]
			xh := l.xhat.Data[r*h : (r+1)*h]
			for j := range d {
				if l.Weight.Trainable {
					l.Weight.Grad[j] += float64(d[j]) * float64(xh[j])
				}
				if l.Bias.Trainable {
					l.Bias.Grad[j] += float64(d[j])
				}
			}
		}
	}
	dx := nn.New[T](dy.Shape...)
	nn.ParallelFor(rows, 64, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			d := dy.Data[r*h : (r+1)*h]
			xh := l.xhat.Data[r*h : (r+1)*h]
			var m1, m2 float64
			for j := range d {
				dh := float64(d[j]) * g[j]
				m1 += dh
				m2 += dh * float64(xh[j])
			}
			m1 /= float64(h)
			m2 /= float64(h)
			rs := l.rstd[r]
			out := dx.Data[r*h : (r+1)*h]
			for j := range d {
				dh := float64(d[j]) * g[j]
				out[j] = T(rs * (dh - m1 - float64(xh[j])*m2))
			}
		}
	})
	return dx
}

// Params returns γ and β.
func (l *LayerNorm[T]) Params() []*nn.Param { return []*nn.Param{l.Weight, l.Bias} }

// act applies an activation elementwise (float64 arithmetic).
func (a activation) apply(x float64) float64 {
	switch a {
	case actGELU:
		return 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
	case actGELUTanh:
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}
	return max(x, 0)
}

// deriv returns the derivative of the activation at x.
func (a activation) deriv(x float64) float64 {
	switch a {
	case actGELU:
		return 0.5*(1+math.Erf(x/math.Sqrt2)) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
	case actGELUTanh:
		c := math.Sqrt(2 / math.Pi)
		u := c * (x + 0.044715*x*x*x)
		t := math.Tanh(u)
		return 0.5*(1+t) + 0.5*x*(1-t*t)*c*(1+3*0.044715*x*x)
	}
	if x > 0 {
		return 1
	}
	return 0
}

// activate returns act(x) and, when withDeriv, act′(x) (computed in the same pass, so that
// the backward pass needs no transcendental function).
func activate[T nn.Float](a activation, x *nn.Tensor[T], withDeriv bool) (y, deriv *nn.Tensor[T]) {
	y = nn.New[T](x.Shape...)
	if withDeriv {
		deriv = nn.New[T](x.Shape...)
	}
	nn.ParallelFor(len(x.Data), 1<<14, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := float64(x.Data[i])
			if !withDeriv {
				y.Data[i] = T(a.apply(v))
				continue
			}
			f, d := a.both(v)
			y.Data[i], deriv.Data[i] = T(f), T(d)
		}
	})
	return y, deriv
}

// both returns the activation and its derivative at x.
func (a activation) both(x float64) (f, d float64) {
	if a == actGELU {
		phi := 0.5 * (1 + math.Erf(x/math.Sqrt2))
		return x * phi, phi + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
	}
	return a.apply(x), a.deriv(x)
}

// mulInto returns dy ⊙ d.
func mulInto[T nn.Float](dy, d *nn.Tensor[T]) *nn.Tensor[T] {
	out := nn.New[T](dy.Shape...)
	nn.ParallelFor(len(dy.Data), 1<<14, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out.Data[i] = dy.Data[i] * d.Data[i]
		}
	})
	return out
}

func addInto[T nn.Float](dst, src *nn.Tensor[T]) {
	if len(dst.Data) != len(src.Data) {
		panic(fmt.Sprintf("bert: adding tensors %v and %v", dst.Shape, src.Shape))
	}
	for i, v := range src.Data {
		dst.Data[i] += v
	}
}
