package peft

import (
	"fmt"
)

// Linear is a frozen linear layer y = x·W0ᵀ + b with a low-rank adapter:
//
//	Y = X·W0ᵀ (+ b) + ((X·Q)·diag(d))·Pᵀ,   ΔW = P·diag(d)·Qᵀ,
//
// computed without forming ΔW. W0 (out × in, row-major) and the bias are frozen: Backward
// produces ∂ℓ/∂X and the adapter's parameter gradients only. A Linear is not safe for
// concurrent use; the caller must not modify x between Forward and Backward.
type Linear struct {
	out, in int
	// W0 is the frozen weight, out × in row-major. Merge adds ΔW to it in place.
	W0 []float64
	// Bias is the frozen bias (length out) or nil.
	Bias []float64
	// Adapter is the trainable update; nil leaves the frozen layer alone.
	Adapter Adapter

	merged bool
	lr     lowRank
	fwd    bool
}

// NewLinear returns an adapted layer over w0 (out × in, row-major; not copied) and bias (nil
// or length out; not copied). a may be nil. It returns an error if the shapes disagree.
func NewLinear(w0 []float64, out, in int, bias []float64, a Adapter) (*Linear, error) {
	if out < 1 || in < 1 {
		return nil, fmt.Errorf("peft: layer shape %dx%d must be positive", out, in)
	}
	if len(w0) != out*in {
		return nil, fmt.Errorf("peft: W0 has %d elements, want %dx%d = %d", len(w0), out, in, out*in)
	}
	if bias != nil && len(bias) != out {
		return nil, fmt.Errorf("peft: bias has %d elements, want %d", len(bias), out)
	}
	if a != nil {
		if ao, ai := a.Dims(); ao != out || ai != in {
			return nil, fmt.Errorf("peft: %s adapter is %dx%d but the layer is %dx%d", a.Method(), ao, ai, out, in)
		}
	}
	return &Linear{out: out, in: in, W0: w0, Bias: bias, Adapter: a}, nil
}

// Dims returns (out, in).
func (l *Linear) Dims() (out, in int) { return l.out, l.in }

// Merged reports whether ΔW is currently folded into W0.
func (l *Linear) Merged() bool { return l.merged }

// frozen computes y = x·W0ᵀ + b.
func (l *Linear) frozen(x []float64, rows int, y []float64) {
	beta := 0.0
	if l.Bias != nil {
		for r := 0; r < rows; r++ {
			copy(y[r*l.out:(r+1)*l.out], l.Bias)
		}
		beta = 1
	}
	gemm(false, true, rows, l.out, l.in, 1, x, l.W0, beta, y)
}

// Forward computes y (rows × out) from x (rows × in). It panics if the slices do not have
// those lengths, and returns an error if the adapter cannot build its factors.
func (l *Linear) Forward(x []float64, rows int, y []float64) error {
	if len(x) != rows*l.in || len(y) != rows*l.out {
		panic(fmt.Sprintf("peft: Linear.Forward: x has %d elements and y %d; want %d×%d and %d×%d", len(x), len(y), rows, l.in, rows, l.out))
	}
	l.fwd = false
	l.frozen(x, rows, y)
	if l.Adapter != nil && !l.merged {
		if err := l.lr.forward(l.Adapter, x, rows, y); err != nil {
			return err
		}
	}
	l.fwd = true
	return nil
}

// Backward takes dy = ∂ℓ/∂y (rows × out) of the last Forward, accumulates the adapter's
// parameter gradients, and writes ∂ℓ/∂x (rows × in) into dx unless dx is nil. A merged layer
// cannot be trained: Unmerge first.
func (l *Linear) Backward(dy, dx []float64) error {
	if !l.fwd {
		return fmt.Errorf("peft: Linear.Backward without a successful Forward")
	}
	if l.merged && l.Adapter != nil {
		return fmt.Errorf("peft: Linear.Backward on a merged layer: Unmerge before training")
	}
	rows := len(dy) / l.out
	if len(dy) != rows*l.out || (dx != nil && len(dx) != rows*l.in) {
		panic(fmt.Sprintf("peft: Linear.Backward: dy has %d elements and dx %d for a %dx%d layer", len(dy), len(dx), l.out, l.in))
	}
	if dx != nil {
		gemm(false, false, rows, l.in, l.out, 1, dy, l.W0, 0, dx)
	}
	if l.Adapter == nil {
		return nil
	}
	if l.lr.rows != rows {
		panic(fmt.Sprintf("peft: Linear.Backward: dy has %d rows, the last Forward had %d", rows, l.lr.rows))
	}
	return l.lr.backward(l.Adapter, dy, dx)
}

// Merge folds ΔW into W0 (W0 ← W0 + ΔW); Forward then uses W0 alone. It is an error to merge
// twice or to merge a layer without an adapter.
func (l *Linear) Merge() error { return l.fold(+1) }

// Unmerge subtracts ΔW from W0 again (W0 ← W0 − ΔW), with the adapter's current parameters;
// it restores W0 up to rounding (one addition and one subtraction per element).
func (l *Linear) Unmerge() error { return l.fold(-1) }

func (l *Linear) fold(sign float64) error {
	switch {
	case l.Adapter == nil:
		return fmt.Errorf("peft: no adapter to merge")
	case sign > 0 && l.merged:
		return fmt.Errorf("peft: the adapter is already merged")
	case sign < 0 && !l.merged:
		return fmt.Errorf("peft: the adapter is not merged")
	}
	dw, err := DeltaW(l.Adapter)
	if err != nil {
		return err
	}
	for i, v := range dw {
		l.W0[i] += sign * v
	}
	l.merged = sign > 0
	l.fwd = false
	return nil
}
