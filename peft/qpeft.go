package peft

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft/ortho"
)

// Options are the settings of a Quantum-PEFT adapter beyond its two orthogonal factors.
type Options struct {
	// Alpha scales the update: ΔW = (Alpha/K)·U·diag(λ)·Vᵀ. 0 means Alpha = K (scale 1).
	Alpha float64
	// Rank holds the intrinsic-rank mask options (K′ and the pruning step).
	Rank RankOptions
	// QuantBits, when positive, quantises every angle to this many bits over [−2π, 2π) in the
	// forward pass, with a straight-through estimator in the backward pass. 0 disables it.
	QuantBits int
	// InitScale is the half-width of the uniform initialisation of the angles (θ ~ U(±s)).
	// 0 means 0.02; a negative value initialises every angle to 0.
	InitScale float64
	// Seed seeds the initialisation.
	Seed uint64
}

// QuantumPEFT is the Quantum-PEFT adapter: ΔW = (α/K)·U(θ_U)·diag(λ ⊙ mask)·V(θ_V)ᵀ with U
// (out × K) and V (in × K) the first K columns of orthogonal factors. λ starts at zero, so
// ΔW = 0 at initialisation; the angles start small and random.
//
// U and V are rebuilt in Factors only when the (quantised) angles changed since the last
// call, so they are built at most once per training step.
type QuantumPEFT struct {
	out, in, k int
	fu, fv     ortho.Stiefel
	// ThetaU, ThetaV and Lambda are the trainable parameters.
	ThetaU, ThetaV, Lambda *nn.Param
	opts                   Options
	scale                  float64
	mask                   rankMask
	quant                  *AngleQuantizer

	// Cache of the last factors, keyed by the effective angles.
	effU, effV []float64
	u, v       []float64 // U (out × K) and V (in × K), row-major
	ubar, vbar []float64
	have       bool
}

// NewQuantumPEFT returns a Quantum-PEFT adapter for an out × in weight with the factors u
// (dimension out) and v (dimension in) of equal rank K. It returns an error if the shapes or
// options do not fit.
func NewQuantumPEFT(u, v ortho.Stiefel, opts Options) (*QuantumPEFT, error) {
	k := u.Rank()
	if v.Rank() != k {
		return nil, fmt.Errorf("peft: U has rank %d but V has rank %d", k, v.Rank())
	}
	if err := opts.Rank.check(k); err != nil {
		return nil, err
	}
	if opts.Alpha < 0 || math.IsNaN(opts.Alpha) || math.IsInf(opts.Alpha, 0) {
		return nil, fmt.Errorf("peft: scale α = %v must be finite and ≥ 0", opts.Alpha)
	}
	// U, V, their transposes, their cotangents and the block scratch: about 6 copies.
	if err := checkMemory(fmt.Sprintf("a rank-%d Quantum-PEFT adapter of %dx%d", k, u.Dim(), v.Dim()),
		6*8*float64(k)*float64(u.Dim()+v.Dim())); err != nil {
		return nil, err
	}
	a := &QuantumPEFT{out: u.Dim(), in: v.Dim(), k: k, fu: u, fv: v, opts: opts,
		ThetaU: nn.NewParam("theta_U", u.NumParams()),
		ThetaV: nn.NewParam("theta_V", v.NumParams()),
		Lambda: nn.NewParam("lambda", k),
		mask:   opts.Rank.initialMask(k),
	}
	alpha := opts.Alpha
	if alpha == 0 {
		alpha = float64(k)
	}
	a.scale = alpha / float64(k)
	if opts.QuantBits != 0 {
		q, err := NewAngleQuantizer(opts.QuantBits)
		if err != nil {
			return nil, err
		}
		a.quant = &q
	}
	s := opts.InitScale
	if s == 0 {
		s = 0.02
	}
	if s > 0 {
		rng := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
		for _, p := range []*nn.Param{a.ThetaU, a.ThetaV} {
			for i := range p.Value {
				p.Value[i] = (2*rng.Float64() - 1) * s
			}
		}
	}
	return a, nil
}

// Method returns MethodQuantumPEFT.
func (a *QuantumPEFT) Method() Method { return MethodQuantumPEFT }

// Dims returns (out, in).
func (a *QuantumPEFT) Dims() (out, in int) { return a.out, a.in }

// Rank returns K.
func (a *QuantumPEFT) Rank() int { return a.k }

// Factor returns the orthogonal factor of U ("U") or V ("V").
func (a *QuantumPEFT) Factor(which string) ortho.Stiefel {
	if which == "V" {
		return a.fv
	}
	return a.fu
}

// Options returns the adapter's options.
func (a *QuantumPEFT) Options() Options { return a.opts }

// Scale returns α/K.
func (a *QuantumPEFT) Scale() float64 { return a.scale }

// Params returns θ_U, θ_V and λ.
func (a *QuantumPEFT) Params() []*nn.Param { return []*nn.Param{a.ThetaU, a.ThetaV, a.Lambda} }

// NumTrainable returns |θ_U| + |θ_V| + K′ (the active scales).
func (a *QuantumPEFT) NumTrainable() int {
	kp := a.opts.Rank.ActiveRank
	if kp == 0 {
		kp = a.k
	}
	return a.ThetaU.Len() + a.ThetaV.Len() + kp
}

// effective returns the angles used by the forward pass (quantised if enabled) into dst.
func (a *QuantumPEFT) effective(dst, theta []float64, name string) ([]float64, error) {
	dst = grow(dst, len(theta))
	for i, v := range theta {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return dst, fmt.Errorf("%s[%d] = %v: the angles diverged", name, i, v)
		}
	}
	if a.quant != nil {
		a.quant.QuantizeAll(dst, theta)
	} else {
		copy(dst, theta)
	}
	return dst, nil
}

// Factors writes Pᵀ = Uᵀ, Qᵀ = Vᵀ and D = (α/K)·λ ⊙ mask.
func (a *QuantumPEFT) Factors(f *Factors) error {
	var eu, ev []float64
	var err error
	if eu, err = a.effective(nil, a.ThetaU.Value, "theta_U"); err != nil {
		return err
	}
	if ev, err = a.effective(nil, a.ThetaV.Value, "theta_V"); err != nil {
		return err
	}
	if !a.have || !slices.Equal(eu, a.effU) || !slices.Equal(ev, a.effV) {
		a.have = false
		a.u = grow(a.u, a.out*a.k)
		a.v = grow(a.v, a.in*a.k)
		if err := a.fu.Columns(eu, a.u); err != nil {
			return fmt.Errorf("building U: %w", err)
		}
		if err := a.fv.Columns(ev, a.v); err != nil {
			return fmt.Errorf("building V: %w", err)
		}
		a.effU, a.effV, a.have = eu, ev, true
	}
	f.alloc(a.out, a.in, a.k)
	transpose(f.PT, a.u, a.out, a.k)
	transpose(f.QT, a.v, a.in, a.k)
	for j := range f.D {
		f.D[j] = a.scale * a.Lambda.Value[j] * a.mask.weight(j)
	}
	return nil
}

// FactorsVJP maps ∂ℓ/∂U and ∂ℓ/∂V to the angles through the factors' vector-Jacobian
// products (straight through the quantiser, if any) and ∂ℓ/∂D to λ.
func (a *QuantumPEFT) FactorsVJP(f *Factors, ptbar, qtbar, dbar []float64) error {
	if !a.have {
		return fmt.Errorf("FactorsVJP before Factors")
	}
	if a.ThetaU.Trainable && len(a.effU) > 0 {
		a.ubar = grow(a.ubar, a.out*a.k)
		transpose(a.ubar, ptbar, a.k, a.out)
		if err := a.fu.ColumnsVJP(a.effU, a.u, a.ubar, a.ThetaU.Grad); err != nil {
			return fmt.Errorf("∂ℓ/∂θ_U: %w", err)
		}
	}
	if a.ThetaV.Trainable && len(a.effV) > 0 {
		a.vbar = grow(a.vbar, a.in*a.k)
		transpose(a.vbar, qtbar, a.k, a.in)
		if err := a.fv.ColumnsVJP(a.effV, a.v, a.vbar, a.ThetaV.Grad); err != nil {
			return fmt.Errorf("∂ℓ/∂θ_V: %w", err)
		}
	}
	if a.Lambda.Trainable {
		for j, g := range dbar {
			a.Lambda.Grad[j] += a.scale * g * a.mask.weight(j)
		}
	}
	return nil
}

// ActiveRanks returns the indices of the active scales.
func (a *QuantumPEFT) ActiveRanks() []int { return activeIdx(a.mask) }

// Prune keeps the kprime active λ of largest magnitude and masks the rest (their λ is set to
// zero).
func (a *QuantumPEFT) Prune(kprime int) error { return a.mask.prune(a.Lambda.Value, kprime) }

// OnStep prunes to the configured K′ when step equals the configured PruneStep.
func (a *QuantumPEFT) OnStep(step int) error {
	if a.opts.Rank.PruneStep > 0 && step == a.opts.Rank.PruneStep {
		return a.Prune(a.opts.Rank.ActiveRank)
	}
	return nil
}

// Quantizer returns the angle quantiser, or nil when quantisation is off.
func (a *QuantumPEFT) Quantizer() *AngleQuantizer { return a.quant }

// AngleCodes returns the quantised codes of θ_U and θ_V; it returns an error when
// quantisation is off.
func (a *QuantumPEFT) AngleCodes() (cu, cv []uint32, err error) {
	if a.quant == nil {
		return nil, nil, fmt.Errorf("peft: angle quantisation is off")
	}
	cu = make([]uint32, a.ThetaU.Len())
	for i, v := range a.ThetaU.Value {
		cu[i] = a.quant.Code(v)
	}
	cv = make([]uint32, a.ThetaV.Len())
	for i, v := range a.ThetaV.Value {
		cv[i] = a.quant.Code(v)
	}
	return cu, cv, nil
}

// StorageBytes returns the bytes a deployed adapter needs: the angles at QuantBits bits
// each (8 bytes each without quantisation) plus the active λ as float32.
func (a *QuantumPEFT) StorageBytes() int {
	n := a.ThetaU.Len() + a.ThetaV.Len()
	kp := len(a.ActiveRanks())
	if a.quant != nil {
		return a.quant.StorageBytes(n) + 4*kp
	}
	return 8*n + 4*kp
}

// Orthogonality returns ‖UᵀU − I‖_F and ‖VᵀV − I‖_F at the current angles: zero up to
// rounding for circuits and block maps, the truncation error for the Taylor map.
func (a *QuantumPEFT) Orthogonality() (du, dv float64, err error) {
	if err := a.Factors(&Factors{}); err != nil {
		return 0, 0, err
	}
	return ortho.Deviation(a.u, a.out, a.k), ortho.Deviation(a.v, a.in, a.k), nil
}

func activeIdx(m rankMask) []int {
	var out []int
	for j, on := range m.active {
		if on {
			out = append(out, j)
		}
	}
	return out
}
