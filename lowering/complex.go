package lowering

import (
	"math/cmplx"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/sim"
)

// Program is a unitary circuit compiled for the complex128 path: a unitary N×N operator
// U(θ), N = 2^n. Real circuits compile too (with complex arithmetic); CompileReal is the
// float64 fast path for them.
type Program struct{ p *plan }

// Compile validates that c is unitary (gates and barriers only) and compiles it. The circuit
// must not change afterwards.
func Compile(c *circuit.Circuit) (*Program, error) {
	p, err := compilePlan(c, false)
	if err != nil {
		return nil, err
	}
	return &Program{p: p}, nil
}

// NumQubits is n.
func (p *Program) NumQubits() int { return p.p.n }

// Dim is N = 2^n.
func (p *Program) Dim() int { return 1 << p.p.n }

// Params are the circuit's parameter names: θ vectors are in this order.
func (p *Program) Params() []string { return append([]string(nil), p.p.params...) }

// Stages describes the compiled stages.
func (p *Program) Stages() []StageInfo { return stageInfos(p.p) }

// String is a readable listing of the stages.
func (p *Program) String() string {
	var b strings.Builder
	p.p.describe(&b)
	return b.String()
}

// NewWorkspace returns a workspace for running the program without per-call allocation.
func (p *Program) NewWorkspace() *Workspace {
	return &Workspace{p: p, e: newEngine[complex128](p.p)}
}

// Dense returns the N × N unitary U(θ) (row i is basis state |i⟩).
func (p *Program) Dense(theta []float64) (*sim.Batch, error) { return p.Columns(theta, p.Dim()) }

// Columns returns the first k columns of U(θ), U·[e_0 … e_{k−1}], as an N × k batch.
func (p *Program) Columns(theta []float64, k int) (*sim.Batch, error) {
	return columns(p.Dim(), k, p.Footprint, p.NewWorkspace(), theta,
		func() (*sim.Batch, error) { return sim.NewBatch(p.p.n, k) }, (*Workspace).Columns)
}

// Apply returns U(θ)·X (X is not changed).
func (p *Program) Apply(theta []float64, x *sim.Batch) (*sim.Batch, error) {
	return onCopy(p.NewWorkspace(), theta, x, (*Workspace).Apply)
}

// ApplyInverse returns U(θ)†·X = U(θ)⁻¹·X.
func (p *Program) ApplyInverse(theta []float64, x *sim.Batch) (*sim.Batch, error) {
	return onCopy(p.NewWorkspace(), theta, x, (*Workspace).ApplyInverse)
}

// ApplyTranspose returns U(θ)ᵀ·X (no conjugation).
func (p *Program) ApplyTranspose(theta []float64, x *sim.Batch) (*sim.Batch, error) {
	return onCopy(p.NewWorkspace(), theta, x, (*Workspace).ApplyTranspose)
}

// ColumnsVJP returns ∂ℓ/∂θ given U = Columns(θ, k) and Ū = ∂ℓ/∂U (see the package
// documentation for the complex convention). It also serves Dense (k = N).
func (p *Program) ColumnsVJP(theta []float64, u, ubar *sim.Batch) ([]float64, error) {
	return gradient(p.NewWorkspace(), theta, len(p.p.params), func(w *Workspace, grad []float64) error {
		return w.ColumnsVJP(u, ubar, grad)
	})
}

// VJP returns ∂ℓ/∂θ and X̄ = U†·Ȳ given Y = U(θ)·X and Ȳ = ∂ℓ/∂Y (not changed).
func (p *Program) VJP(theta []float64, y, ybar *sim.Batch) ([]float64, *sim.Batch, error) {
	return vjpCopy(p.NewWorkspace(), theta, len(p.p.params), y, ybar, (*Workspace).VJP)
}

// Workspace runs a Program at bound parameters, reusing its buffers (see RealWorkspace).
// Not safe for concurrent use.
type Workspace struct {
	p    *Program
	e    *engine[complex128]
	x, y *sim.Batch
}

// Bind sets the parameters θ (in Params order). Binding the same values again is free.
func (w *Workspace) Bind(theta []float64) error { return w.e.bind(theta) }

func (w *Workspace) check(what string, x *sim.Batch) error { return w.e.check(what, shapeOf(x)) }

// Columns overwrites dst (N × k) with the first k = dst.B columns of U(θ).
func (w *Workspace) Columns(dst *sim.Batch) error {
	if err := w.e.checkColumns("Columns", shapeOf(dst)); err != nil {
		return err
	}
	dst.SetIdentity()
	w.e.apply(dst, dst.Data, dst.B)
	return nil
}

// Apply replaces X by U(θ)·X.
func (w *Workspace) Apply(x *sim.Batch) error {
	if err := w.check("Apply", x); err != nil {
		return err
	}
	w.e.apply(x, x.Data, x.B)
	return nil
}

// ApplyInverse replaces X by U(θ)†·X.
func (w *Workspace) ApplyInverse(x *sim.Batch) error {
	if err := w.check("ApplyInverse", x); err != nil {
		return err
	}
	w.e.applyInverse(x, x.Data, x.B)
	return nil
}

// ApplyTranspose replaces X by U(θ)ᵀ·X = conj(U†·conj(X)).
func (w *Workspace) ApplyTranspose(x *sim.Batch) error {
	if err := w.check("ApplyTranspose", x); err != nil {
		return err
	}
	conjAll(x.Data)
	w.e.applyInverse(x, x.Data, x.B)
	conjAll(x.Data)
	return nil
}

func conjAll(d []complex128) {
	for i, v := range d {
		d[i] = cmplx.Conj(v)
	}
}

// ColumnsVJP writes ∂ℓ/∂θ into grad given U = Columns(θ) and Ū = ∂ℓ/∂U (not changed).
func (w *Workspace) ColumnsVJP(u, ubar *sim.Batch, grad []float64) error {
	if err := w.e.checkVJP("ColumnsVJP", "U", "Ū", shapeOf(u), shapeOf(ubar), grad); err != nil {
		return err
	}
	if err := scratchPair(&w.x, &w.y, w.x != nil && w.x.B == u.B, u.Qubits, u.B, sim.NewBatch); err != nil {
		return err
	}
	copy(w.x.Data, u.Data)
	copy(w.y.Data, ubar.Data)
	return w.e.vjp(w.x, w.y, w.x.Data, w.y.Data, u.B, grad)
}

// VJP runs the backward pass in place: y holds Y = U(θ)·X and becomes X; ybar holds Ȳ and
// becomes X̄ = U†·Ȳ; grad receives ∂ℓ/∂θ.
func (w *Workspace) VJP(y, ybar *sim.Batch, grad []float64) error {
	if err := w.e.checkVJP("VJP", "Y", "Ȳ", shapeOf(y), shapeOf(ybar), grad); err != nil {
		return err
	}
	return w.e.vjp(y, ybar, y.Data, ybar.Data, y.B, grad)
}
