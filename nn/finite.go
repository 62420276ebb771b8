package nn

import (
	"fmt"
	"math"
)

// NonFiniteError reports a training quantity that became NaN or ±Inf: the loss, a
// gradient, or a parameter after the optimiser step. Training loops stop on it before the
// optimiser corrupts the parameters (for the loss and gradients) and before anything is
// written, so the last good checkpoint on disk is kept.
type NonFiniteError struct {
	// Step is the optimisation step (from 1), when known.
	Step int
	// What is "loss", "gradient" or "value" (a parameter after the step).
	What string
	// Group names the parameter group (adapters, head, pretrained weights, …); Param is the
	// parameter's name and Index the element, for gradients and values.
	Group, Param string
	Index        int
	// Value is the offending NaN or ±Inf.
	Value float64
}

// Error names the step, the tensor and the usual cure.
func (e *NonFiniteError) Error() string {
	where := ""
	if e.Step > 0 {
		where = fmt.Sprintf("step %d: ", e.Step)
	}
	var what string
	switch e.What {
	case "loss":
		what = fmt.Sprintf("the loss is %v", e.Value)
	case "gradient":
		what = fmt.Sprintf("the gradient of %s (group %s, element %d) is %v", e.Param, e.Group, e.Index, e.Value)
	default:
		what = fmt.Sprintf("parameter %s (group %s, element %d) became %v after the optimiser step", e.Param, e.Group, e.Index, e.Value)
	}
	return where + what + "; training diverged: lower the learning rate (--lr, --head-lr) or keep gradient clipping (--clip)"
}

func nonFinite(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// FirstNonFinite returns the index of the first NaN or ±Inf element of v, or −1 when every
// element is finite (readers and writers of weight files name the element they refuse).
func FirstNonFinite(v []float64) int {
	for i, x := range v {
		if nonFinite(x) {
			return i
		}
	}
	return -1
}

// CheckLoss returns a *NonFiniteError when loss is NaN or ±Inf.
func CheckLoss(loss float64) error {
	if nonFinite(loss) {
		return &NonFiniteError{What: "loss", Value: loss}
	}
	return nil
}

// CheckGrads returns a *NonFiniteError for the first NaN or ±Inf gradient element of the
// trainable parameters ps (group names them in the message).
func CheckGrads(group string, ps []*Param) error {
	return check(group, "gradient", ps, func(p *Param) []float64 { return p.Grad })
}

// CheckValues returns a *NonFiniteError for the first NaN or ±Inf element of the trainable
// parameters ps.
func CheckValues(group string, ps []*Param) error {
	return check(group, "value", ps, func(p *Param) []float64 { return p.Value })
}

func check(group, what string, ps []*Param, of func(*Param) []float64) error {
	for _, p := range ps {
		if !p.Trainable {
			continue
		}
		v := of(p)
		if i := FirstNonFinite(v); i >= 0 {
			return &NonFiniteError{What: what, Group: group, Param: p.Name, Index: i, Value: v[i]}
		}
	}
	return nil
}

// TrainStepChecked is [TrainStep] that stops before the optimiser step when the loss or a
// gradient is not finite, and checks the parameters after it; the error is a
// *NonFiniteError naming group.
func TrainStepChecked[T Float](model Layer[T], opt Optimizer, x *Tensor[T], labels []int, clip float64, group string) (loss, acc, gradNorm float64, err error) {
	ZeroGrad(opt.Params())
	logits := model.Forward(x)
	loss, dlogits := SoftmaxCrossEntropy(logits, labels)
	if err := CheckLoss(loss); err != nil {
		return loss, 0, 0, err
	}
	acc = Accuracy(logits, labels)
	BackwardParams(model, dlogits)
	if err := CheckGrads(group, opt.Params()); err != nil {
		return loss, acc, 0, err
	}
	gradNorm = ClipGradNorm(opt.Params(), clip)
	opt.Step()
	return loss, acc, gradNorm, CheckValues(group, opt.Params())
}
