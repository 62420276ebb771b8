package lowering

import (
	"fmt"
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
	if k < 1 || k > p.Dim() {
		return nil, fmt.Errorf("lowering: k = %d columns is out of range 1..%d", k, p.Dim())
	}
	fp := p.Footprint(k)
	if err := fp.Check(0); err != nil {
		return nil, fmt.Errorf("lowering: %w", err)
	}
	u, err := sim.NewBatch(p.p.n, k)
	if err != nil {
		return nil, fmt.Errorf("lowering: %w", err)
	}
	ws := p.NewWorkspace()
	if err := ws.Bind(theta); err != nil {
		return nil, err
	}
	return u, ws.Columns(u)
}

// Apply returns U(θ)·X (X is not changed).
func (p *Program) Apply(theta []float64, x *sim.Batch) (*sim.Batch, error) {
	ws := p.NewWorkspace()
	if err := ws.Bind(theta); err != nil {
		return nil, err
	}
	y := x.Clone()
	return y, ws.Apply(y)
}

// ApplyInverse returns U(θ)†·X = U(θ)⁻¹·X.
func (p *Program) ApplyInverse(theta []float64, x *sim.Batch) (*sim.Batch, error) {
	ws := p.NewWorkspace()
	if err := ws.Bind(theta); err != nil {
		return nil, err
	}
	y := x.Clone()
	return y, ws.ApplyInverse(y)
}

// ApplyTranspose returns U(θ)ᵀ·X (no conjugation).
func (p *Program) ApplyTranspose(theta []float64, x *sim.Batch) (*sim.Batch, error) {
	ws := p.NewWorkspace()
	if err := ws.Bind(theta); err != nil {
		return nil, err
	}
	y := x.Clone()
	return y, ws.ApplyTranspose(y)
}

// ColumnsVJP returns ∂ℓ/∂θ given U = Columns(θ, k) and Ū = ∂ℓ/∂U (see the package
// documentation for the complex convention). It also serves Dense (k = N).
func (p *Program) ColumnsVJP(theta []float64, u, ubar *sim.Batch) ([]float64, error) {
	ws := p.NewWorkspace()
	if err := ws.Bind(theta); err != nil {
		return nil, err
	}
	grad := make([]float64, len(p.p.params))
	return grad, ws.ColumnsVJP(u, ubar, grad)
}

// VJP returns ∂ℓ/∂θ and X̄ = U†·Ȳ given Y = U(θ)·X and Ȳ = ∂ℓ/∂Y (not changed).
func (p *Program) VJP(theta []float64, y, ybar *sim.Batch) ([]float64, *sim.Batch, error) {
	ws := p.NewWorkspace()
	if err := ws.Bind(theta); err != nil {
		return nil, nil, err
	}
	x, xbar := y.Clone(), ybar.Clone()
	grad := make([]float64, len(p.p.params))
	if err := ws.VJP(x, xbar, grad); err != nil {
		return nil, nil, err
	}
	return grad, xbar, nil
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

func (w *Workspace) check(what string, x *sim.Batch) error {
	if !w.e.bound {
		return fmt.Errorf("lowering: %s before Bind", what)
	}
	if x == nil {
		return fmt.Errorf("lowering: %s: nil batch", what)
	}
	if x.Qubits != w.e.p.n || x.B < 1 || len(x.Data) != x.B<<x.Qubits {
		return fmt.Errorf("lowering: %s: batch of %d qubits × %d columns (%d values) does not fit a program on %d qubits", what, x.Qubits, x.B, len(x.Data), w.e.p.n)
	}
	return nil
}

// Columns overwrites dst (N × k) with the first k = dst.B columns of U(θ).
func (w *Workspace) Columns(dst *sim.Batch) error {
	if err := w.check("Columns", dst); err != nil {
		return err
	}
	if dst.B > 1<<dst.Qubits {
		return fmt.Errorf("lowering: Columns: %d columns exceed N = %d", dst.B, 1<<dst.Qubits)
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
	if err := w.check("ColumnsVJP", u); err != nil {
		return err
	}
	if err := w.check("ColumnsVJP", ubar); err != nil {
		return err
	}
	if ubar.B != u.B {
		return fmt.Errorf("lowering: ColumnsVJP: U has %d columns but Ū has %d", u.B, ubar.B)
	}
	if len(grad) != len(w.e.p.params) {
		return fmt.Errorf("lowering: ColumnsVJP: grad has %d entries for %d parameters", len(grad), len(w.e.p.params))
	}
	if w.x == nil || w.x.B != u.B {
		x, err := sim.NewBatch(u.Qubits, u.B)
		if err != nil {
			return fmt.Errorf("lowering: backward pass scratch: %w", err)
		}
		y, err := sim.NewBatch(u.Qubits, u.B)
		if err != nil {
			return fmt.Errorf("lowering: backward pass scratch: %w", err)
		}
		w.x, w.y = x, y
	}
	copy(w.x.Data, u.Data)
	copy(w.y.Data, ubar.Data)
	return w.e.vjp(w.x, w.y, w.x.Data, w.y.Data, u.B, grad)
}

// VJP runs the backward pass in place: y holds Y = U(θ)·X and becomes X; ybar holds Ȳ and
// becomes X̄ = U†·Ȳ; grad receives ∂ℓ/∂θ.
func (w *Workspace) VJP(y, ybar *sim.Batch, grad []float64) error {
	if err := w.check("VJP", y); err != nil {
		return err
	}
	if err := w.check("VJP", ybar); err != nil {
		return err
	}
	if ybar.B != y.B {
		return fmt.Errorf("lowering: VJP: Y has %d columns but Ȳ has %d", y.B, ybar.B)
	}
	if len(grad) != len(w.e.p.params) {
		return fmt.Errorf("lowering: VJP: grad has %d entries for %d parameters", len(grad), len(w.e.p.params))
	}
	return w.e.vjp(y, ybar, y.Data, ybar.Data, y.B, grad)
}
