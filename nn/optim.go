package nn

import (
	"fmt"
	"math"
)

// Optimizer updates the trainable parameters it was built with from their gradients.
// Parameters whose Trainable flag is false are left alone.
type Optimizer interface {
	// Step applies one update using the current gradients (it does not zero them).
	Step()
	// LR returns the learning rate used by the next Step.
	LR() float64
	// SetLR sets the learning rate (e.g. from a [Schedule] before each Step).
	SetLR(lr float64)
	// Params returns the parameters the optimiser updates.
	Params() []*Param
}

func newState(params []*Param) [][]float64 {
	s := make([][]float64, len(params))
	for i, p := range params {
		s[i] = make([]float64, p.Len())
	}
	return s
}

func checkParams(params []*Param, who string) {
	for i, p := range params {
		if p == nil || len(p.Grad) != len(p.Value) {
			panic(fmt.Sprintf("nn: %s: parameter %d (%v) has no matching gradient", who, i, p))
		}
	}
}

// SGD is stochastic gradient descent with momentum, PyTorch semantics (dampening 0):
// g = grad + WeightDecay·p; buf = Momentum·buf + g (buf = g at the first step);
// p −= lr·buf, or p −= lr·(g + Momentum·buf) with Nesterov.
type SGD struct {
	Momentum    float64
	WeightDecay float64
	Nesterov    bool

	lr      float64
	params  []*Param
	buf     [][]float64
	started bool
}

// NewSGD returns SGD with the given learning rate and momentum (0 for plain SGD).
func NewSGD(params []*Param, lr, momentum float64) *SGD {
	checkParams(params, "NewSGD")
	return &SGD{Momentum: momentum, lr: lr, params: params, buf: newState(params)}
}

// Step applies one update.
func (o *SGD) Step() {
	for i, p := range o.params {
		if !p.Trainable {
			continue
		}
		b := o.buf[i]
		for j, g := range p.Grad {
			g += o.WeightDecay * p.Value[j]
			if o.Momentum != 0 {
				if o.started {
					b[j] = o.Momentum*b[j] + g
				} else {
					b[j] = g
				}
				if o.Nesterov {
					g += o.Momentum * b[j]
				} else {
					g = b[j]
				}
			}
			p.Value[j] -= o.lr * g
		}
	}
	o.started = true
}

// LR returns the learning rate.
func (o *SGD) LR() float64 { return o.lr }

// SetLR sets the learning rate.
func (o *SGD) SetLR(lr float64) { o.lr = lr }

// Params returns the parameters.
func (o *SGD) Params() []*Param { return o.params }

// Adam is the Adam optimiser (Kingma & Ba) with bias correction, PyTorch semantics. With
// Decoupled false, WeightDecay is an L2 term added to the gradient (torch.optim.Adam); with
// Decoupled true it is AdamW's decoupled decay p −= lr·WeightDecay·p before the Adam update
// (torch.optim.AdamW).
type Adam struct {
	Beta1, Beta2, Eps float64
	WeightDecay       float64
	Decoupled         bool

	lr     float64
	t      int
	params []*Param
	m, v   [][]float64
}

// NewAdam returns Adam with β1 = 0.9, β2 = 0.999, ε = 1e-8 and no weight decay.
func NewAdam(params []*Param, lr float64) *Adam {
	checkParams(params, "NewAdam")
	return &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, lr: lr, params: params, m: newState(params), v: newState(params)}
}

// NewAdamW returns AdamW (decoupled weight decay) with β1 = 0.9, β2 = 0.999, ε = 1e-8.
func NewAdamW(params []*Param, lr, weightDecay float64) *Adam {
	a := NewAdam(params, lr)
	a.WeightDecay, a.Decoupled = weightDecay, true
	return a
}

// Step applies one update.
func (o *Adam) Step() {
	o.t++
	bc1 := 1 - math.Pow(o.Beta1, float64(o.t))
	bc2 := 1 - math.Pow(o.Beta2, float64(o.t))
	for i, p := range o.params {
		if !p.Trainable {
			continue
		}
		m, v := o.m[i], o.v[i]
		for j, g := range p.Grad {
			if o.Decoupled {
				p.Value[j] -= o.lr * o.WeightDecay * p.Value[j]
			} else {
				g += o.WeightDecay * p.Value[j]
			}
			m[j] = o.Beta1*m[j] + (1-o.Beta1)*g
			v[j] = o.Beta2*v[j] + (1-o.Beta2)*g*g
			p.Value[j] -= o.lr * (m[j] / bc1) / (math.Sqrt(v[j]/bc2) + o.Eps)
		}
	}
}

// LR returns the learning rate.
func (o *Adam) LR() float64 { return o.lr }

// SetLR sets the learning rate.
func (o *Adam) SetLR(lr float64) { o.lr = lr }

// Params returns the parameters.
func (o *Adam) Params() []*Param { return o.params }

// Schedule gives the learning rate for each optimisation step (counted from 0).
type Schedule interface {
	LR(step int) float64
}

// ConstantLR is a Schedule that always returns the same rate.
type ConstantLR float64

// LR returns the constant rate.
func (c ConstantLR) LR(int) float64 { return float64(c) }

// WarmupCosine rises linearly from Peak/WarmupSteps to Peak over the first WarmupSteps steps,
// then decays along a half cosine from Peak to Final at step TotalSteps, and stays at Final
// afterwards.
type WarmupCosine struct {
	Peak, Final             float64
	WarmupSteps, TotalSteps int
}

// LR returns the rate for the given step.
func (s WarmupCosine) LR(step int) float64 {
	if step < s.WarmupSteps {
		return s.Peak * float64(step+1) / float64(s.WarmupSteps)
	}
	if step >= s.TotalSteps {
		return s.Final
	}
	progress := float64(step-s.WarmupSteps) / float64(max(1, s.TotalSteps-s.WarmupSteps))
	return s.Final + (s.Peak-s.Final)*0.5*(1+math.Cos(math.Pi*progress))
}
