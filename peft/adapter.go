package peft

import (
	"fmt"

	"github.com/qpeft/qpeft/nn"
)

// Method names an adapter family.
type Method string

// The adapter methods.
const (
	MethodQuantumPEFT Method = "quantum-peft"
	MethodLoRA        Method = "lora"
	MethodAdaLoRA     Method = "adalora"
)

// Factors is a low-rank update in factored form, ΔW = P·diag(D)·Qᵀ, stored rank-major:
// PT = Pᵀ and QT = Qᵀ, so that every product of a training step runs over long contiguous
// rows (for LoRA, QT is lora_A and PT is lora_Bᵀ).
type Factors struct {
	// Out, In and Rank are the shapes: PT is Rank × Out and QT is Rank × In, row-major.
	Out, In, Rank int
	PT, QT        []float64
	// D holds the effective scales, including any α/r factor and rank mask.
	D []float64
}

// alloc sizes the factor buffers, reusing their storage.
func (f *Factors) alloc(out, in, r int) {
	f.Out, f.In, f.Rank = out, in, r
	f.PT = grow(f.PT, r*out)
	f.QT = grow(f.QT, r*in)
	f.D = grow(f.D, r)
}

func grow(s []float64, n int) []float64 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float64, n)
}

// allZero reports whether every entry of d is ±0.
func allZero(d []float64) bool {
	for _, v := range d {
		if v != 0 {
			return false
		}
	}
	return true
}

// Adapter is a trainable low-rank update ΔW of a frozen out × in weight.
//
// Factors builds P, Q and D from the current parameter values; the layer calls it once per
// forward pass. FactorsVJP takes the gradients of the loss with respect to P, Q and D at the
// factors Factors last produced, and adds the gradients of the adapter's parameters to their
// Grad fields. An Adapter is not safe for concurrent use.
type Adapter interface {
	// Method names the adapter family.
	Method() Method
	// Dims returns (out, in), the shape of ΔW.
	Dims() (out, in int)
	// Rank returns r, the number of columns of P and Q (including masked ones).
	Rank() int
	// Params returns the trainable parameters in a stable order. Their names are relative
	// (e.g. "theta_U", "lora_A"); checkpoints prefix them with the module name.
	Params() []*nn.Param
	// NumTrainable returns the number of trainable scalars that influence ΔW.
	NumTrainable() int
	// Factors writes Pᵀ, Qᵀ and D for the current parameters into f.
	Factors(f *Factors) error
	// FactorsVJP accumulates parameter gradients given ∂ℓ/∂Pᵀ (r × out), ∂ℓ/∂Qᵀ (r × in) and
	// ∂ℓ/∂D (r) at f, the factors of the current parameters.
	FactorsVJP(f *Factors, ptbar, qtbar, dbar []float64) error
}

// DeltaW returns ΔW = P·diag(D)·Qᵀ (out × in, row-major) for the adapter's current
// parameters. It forms the dense matrix and is meant for merging, export and tests.
func DeltaW(a Adapter) ([]float64, error) {
	var f Factors
	if err := a.Factors(&f); err != nil {
		return nil, fmt.Errorf("peft: ΔW of %s adapter: %w", a.Method(), err)
	}
	return denseDelta(&f), nil
}

func denseDelta(f *Factors) []float64 {
	out, in, r := f.Out, f.In, f.Rank
	dw := make([]float64, out*in)
	pd := make([]float64, r*out)
	for j := 0; j < r; j++ {
		for i := 0; i < out; i++ {
			pd[j*out+i] = f.PT[j*out+i] * f.D[j]
		}
	}
	gemm(true, false, out, in, r, 1, pd, f.QT, 0, dw)
	return dw
}
