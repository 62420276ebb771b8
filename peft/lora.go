package peft

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qpeft/qpeft/nn"
)

// LoRA is the LoRA baseline (Hu et al. 2021, as Hugging Face PEFT implements it):
// ΔW = (α/r)·B·A with A (r × in) initialised Kaiming-uniform (bound 1/√in, PEFT's default)
// and B (out × r) initialised to zero, so ΔW = 0 at the start.
type LoRA struct {
	out, in, r int
	alpha      float64
	// A (lora_A, r × in) and B (lora_B, out × r) are the trainable parameters.
	A, B *nn.Param
}

// NewLoRA returns a LoRA adapter of rank r with scale α (0 means α = r) for an out × in
// weight, with A drawn from the seed.
func NewLoRA(out, in, r int, alpha float64, seed uint64) (*LoRA, error) {
	if err := checkLowRank("LoRA", out, in, r, alpha); err != nil {
		return nil, err
	}
	// A and B with their gradients.
	if err := checkMemory(fmt.Sprintf("a rank-%d LoRA adapter of %dx%d", r, out, in), 2*8*float64(r)*(float64(out)+float64(in))); err != nil {
		return nil, err
	}
	if alpha == 0 {
		alpha = float64(r)
	}
	l := &LoRA{out: out, in: in, r: r, alpha: alpha,
		A: nn.NewParam("lora_A", r, in), B: nn.NewParam("lora_B", out, r)}
	rng := rand.New(rand.NewPCG(seed, 0x243f6a8885a308d3))
	bound := 1 / math.Sqrt(float64(in))
	for i := range l.A.Value {
		l.A.Value[i] = (2*rng.Float64() - 1) * bound
	}
	return l, nil
}

// checkLowRank checks the shape out × in, the rank r and the scale α of a LoRA-style adapter
// (method names it in the messages).
func checkLowRank(method string, out, in, r int, alpha float64) error {
	if out < 1 || in < 1 {
		return fmt.Errorf("peft: %s shape %dx%d must be positive", method, out, in)
	}
	if r < 1 || r > min(out, in) {
		return fmt.Errorf("peft: %s rank r = %d must be in 1..%d", method, r, min(out, in))
	}
	if alpha < 0 || math.IsNaN(alpha) || math.IsInf(alpha, 0) {
		return fmt.Errorf("peft: %s α = %v must be finite and ≥ 0", method, alpha)
	}
	return nil
}

// Method returns MethodLoRA.
func (l *LoRA) Method() Method { return MethodLoRA }

// Dims returns (out, in).
func (l *LoRA) Dims() (out, in int) { return l.out, l.in }

// Rank returns r.
func (l *LoRA) Rank() int { return l.r }

// Alpha returns α.
func (l *LoRA) Alpha() float64 { return l.alpha }

// Params returns A and B.
func (l *LoRA) Params() []*nn.Param { return []*nn.Param{l.A, l.B} }

// NumTrainable returns r·(in + out).
func (l *LoRA) NumTrainable() int { return l.r * (l.in + l.out) }

// Factors writes Pᵀ = Bᵀ, Qᵀ = A and D = α/r.
func (l *LoRA) Factors(f *Factors) error {
	factorsBA(f, l.A, l.B, l.out, l.in, l.r)
	s := l.alpha / float64(l.r)
	for j := range f.D {
		f.D[j] = s
	}
	return nil
}

// FactorsVJP adds ∂ℓ/∂B = (∂ℓ/∂Pᵀ)ᵀ and ∂ℓ/∂A = ∂ℓ/∂Qᵀ; the constant D has no parameter.
func (l *LoRA) FactorsVJP(f *Factors, ptbar, qtbar, dbar []float64) error {
	factorsBAVJP(l.A, l.B, ptbar, qtbar, l.out, l.r)
	return nil
}

// factorsBA allocates f for an out × in update of rank r and writes the factors of B·A:
// Pᵀ = Bᵀ (B is out × r) and Qᵀ = A (r × in); the caller writes D.
func factorsBA(f *Factors, a, b *nn.Param, out, in, r int) {
	f.alloc(out, in, r)
	copy(f.QT, a.Value)
	transpose(f.PT, b.Value, out, r)
}

// factorsBAVJP adds ∂ℓ/∂B = (∂ℓ/∂Pᵀ)ᵀ and ∂ℓ/∂A = ∂ℓ/∂Qᵀ to the gradients of B and A that
// are trainable (the factors of factorsBA).
func factorsBAVJP(a, b *nn.Param, ptbar, qtbar []float64, out, r int) {
	if b.Trainable {
		addTranspose(b.Grad, ptbar, r, out)
	}
	if a.Trainable {
		for i, g := range qtbar {
			a.Grad[i] += g
		}
	}
}

// transpose writes the c × r transpose of the r × c matrix src into dst.
func transpose(dst, src []float64, r, c int) {
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			dst[j*r+i] = src[i*c+j]
		}
	}
}

// addTranspose adds the transpose of the r × c matrix src to the c × r matrix dst.
func addTranspose(dst, src []float64, r, c int) {
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			dst[j*r+i] += src[i*c+j]
		}
	}
}

// AdaLoRA is the AdaLoRA-style baseline (Zhang et al. 2023): a free SVD-like triplet
// ΔW = (α/r)·B·diag(E)·A with B (out × r), E (r) and A (r × in) all trainable, E initialised
// to zero and A, B to N(0, 0.02²) as in PEFT's AdaLoRA. Orthogonality is not built in, only
// encouraged by the penalty of [AdaLoRA.Regularize]; the rank mask (K′, pruning of E by
// magnitude) stands in for AdaLoRA's budget allocation.
type AdaLoRA struct {
	out, in, r int
	alpha      float64
	// A (lora_A, r × in), E (lora_E, r) and B (lora_B, out × r) are the trainable parameters.
	A, E, B *nn.Param
	// OrthWeight γ multiplies the penalty ‖BᵀB − I‖²_F + ‖A·Aᵀ − I‖²_F.
	OrthWeight float64
	rank       RankOptions
	mask       rankMask
}

// NewAdaLoRA returns an AdaLoRA-style adapter of rank r, scale α (0 means α = r), rank
// options and orthogonality weight γ, initialised from the seed.
func NewAdaLoRA(out, in, r int, alpha float64, rank RankOptions, orthWeight float64, seed uint64) (*AdaLoRA, error) {
	if err := checkLowRank("AdaLoRA", out, in, r, alpha); err != nil {
		return nil, err
	}
	if orthWeight < 0 || math.IsNaN(orthWeight) || math.IsInf(orthWeight, 0) {
		return nil, fmt.Errorf("peft: AdaLoRA orthogonality weight %v must be finite and ≥ 0", orthWeight)
	}
	if err := rank.check(r); err != nil {
		return nil, err
	}
	// A, E and B with their gradients.
	if err := checkMemory(fmt.Sprintf("a rank-%d AdaLoRA adapter of %dx%d", r, out, in), 2*8*float64(r)*(float64(out)+float64(in)+1)); err != nil {
		return nil, err
	}
	if alpha == 0 {
		alpha = float64(r)
	}
	a := &AdaLoRA{out: out, in: in, r: r, alpha: alpha, OrthWeight: orthWeight, rank: rank,
		A: nn.NewParam("lora_A", r, in), E: nn.NewParam("lora_E", r), B: nn.NewParam("lora_B", out, r),
		mask: rank.initialMask(r)}
	rng := rand.New(rand.NewPCG(seed, 0x13198a2e03707344))
	for _, p := range []*nn.Param{a.A, a.B} {
		for i := range p.Value {
			p.Value[i] = 0.02 * rng.NormFloat64()
		}
	}
	return a, nil
}

// Method returns MethodAdaLoRA.
func (a *AdaLoRA) Method() Method { return MethodAdaLoRA }

// Dims returns (out, in).
func (a *AdaLoRA) Dims() (out, in int) { return a.out, a.in }

// Rank returns r.
func (a *AdaLoRA) Rank() int { return a.r }

// Alpha returns α.
func (a *AdaLoRA) Alpha() float64 { return a.alpha }

// RankOptions returns the rank mask options.
func (a *AdaLoRA) RankOptions() RankOptions { return a.rank }

// Params returns A, E and B.
func (a *AdaLoRA) Params() []*nn.Param { return []*nn.Param{a.A, a.E, a.B} }

// NumTrainable returns K′·(in + out + 1) for K′ active ranks.
func (a *AdaLoRA) NumTrainable() int {
	kp := a.rank.ActiveRank
	if kp == 0 {
		kp = a.r
	}
	return kp * (a.in + a.out + 1)
}

// Factors writes Pᵀ = Bᵀ, Qᵀ = A and D = (α/r)·E ⊙ mask.
func (a *AdaLoRA) Factors(f *Factors) error {
	factorsBA(f, a.A, a.B, a.out, a.in, a.r)
	s := a.alpha / float64(a.r)
	for j := range f.D {
		f.D[j] = s * a.E.Value[j] * a.mask.weight(j)
	}
	return nil
}

// FactorsVJP adds the gradients of B, A and E.
func (a *AdaLoRA) FactorsVJP(f *Factors, ptbar, qtbar, dbar []float64) error {
	factorsBAVJP(a.A, a.B, ptbar, qtbar, a.out, a.r)
	if a.E.Trainable {
		s := a.alpha / float64(a.r)
		for j, g := range dbar {
			a.E.Grad[j] += s * g * a.mask.weight(j)
		}
	}
	return nil
}

// Regularize adds γ·(‖BᵀB − I‖²_F + ‖A·Aᵀ − I‖²_F) to the loss: it returns the penalty and
// adds its gradient (4γ·B(BᵀB − I) and 4γ·(AAᵀ − I)A) to the Grad of B and A.
func (a *AdaLoRA) Regularize() float64 {
	if a.OrthWeight == 0 {
		return 0
	}
	r := a.r
	// B: out × r, gram = BᵀB (r × r).
	gb := make([]float64, r*r)
	gemm(true, false, r, r, a.out, 1, a.B.Value, a.B.Value, 0, gb)
	// A: r × in, gram = AAᵀ.
	ga := make([]float64, r*r)
	gemm(false, true, r, r, a.in, 1, a.A.Value, a.A.Value, 0, ga)
	var pen float64
	for _, g := range [][]float64{gb, ga} {
		for i := 0; i < r; i++ {
			g[i*r+i] -= 1
		}
		for _, v := range g {
			pen += v * v
		}
	}
	w := 4 * a.OrthWeight
	if a.B.Trainable {
		gemm(false, false, a.out, r, r, w, a.B.Value, gb, 1, a.B.Grad)
	}
	if a.A.Trainable {
		gemm(false, false, r, a.in, r, w, ga, a.A.Value, 1, a.A.Grad)
	}
	return a.OrthWeight * pen
}

// ActiveRanks returns the indices of the active ranks.
func (a *AdaLoRA) ActiveRanks() []int { return activeIdx(a.mask) }

// Prune keeps the kprime active E of largest magnitude and masks the rest.
func (a *AdaLoRA) Prune(kprime int) error { return a.mask.prune(a.E.Value, kprime) }

// OnStep prunes to the configured K′ when step equals the configured PruneStep.
func (a *AdaLoRA) OnStep(step int) error {
	if a.rank.PruneStep > 0 && step == a.rank.PruneStep {
		return a.Prune(a.rank.ActiveRank)
	}
	return nil
}
