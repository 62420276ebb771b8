// Package lowering compiles a parameterised quantum circuit into the matrices a classical
// training loop needs, and back-propagates through them.
//
// A circuit is compiled once into a short program of stages (see StageKind): layers of
// single-qubit gates fused per qubit into one 2×2 factor each (a Kronecker product of 2×2
// factors), diagonal stages (CZ, CP, RZ, … fused into one diagonal), permutation stages
// (X, CX, SWAP, … fused into one permutation of basis states) and, for any other gate, small
// dense blocks with the gates on the same qubits merged in. The program is then run on
// batches laid out as sim's N × B row-major matrices (N = 2^n), with sim's kernels, so that
//
//   - Dense: the full 2^n × 2^n unitary is the program applied to the identity columns (never
//     a product of per-gate 2^n × 2^n matrices), O(stages·N²);
//   - Stiefel (real) / Columns (complex): the first K columns Q·[e_0 … e_{K−1}] cost
//     O(gates·N·K) — the U and V of a Quantum-PEFT adapter;
//   - Apply: the program acts on a batch of activations X (N × B) in O(B·N·gates), with no
//     N × N matrix anywhere — O(B·N·log N) for a log-depth ansatz — and ApplyTranspose /
//     ApplyInverse undo it.
//
// Every form has a vector-Jacobian product: given ∂ℓ/∂(output) it returns ∂ℓ/∂θ for every
// circuit parameter (circuit.Params order; the chain rule runs through angle expressions such
// as 2*theta + pi/4, and a symbol used by several gates collects all their contributions)
// and, for Apply, ∂ℓ/∂(input). The backward pass is the adjoint method with reversible
// recomputation: every stage is unitary, so the state before a stage is recovered by applying
// its inverse to the state after it, and memory stays O(N·B) whatever the depth.
//
// # Real and complex programs
//
// CompileReal accepts only real gates (ry, cry, cz, cx, x, z, h, ch, swap, ccx, cswap, id):
// the program is orthogonal and runs on float64 (sim.RealBatch); a gate with complex entries
// is a *circuit.NotRealError naming the gate and its position. Compile accepts any unitary
// circuit and runs on complex128 (sim.Batch).
//
// Gradient convention for complex programs: ℓ is real, the cotangent of a complex output Y is
// Ȳ = ∂ℓ/∂Re Y + i·∂ℓ/∂Im Y (PyTorch's convention), and the first-order change of ℓ is
// dℓ = Re⟨Ȳ, dY⟩ with ⟨A, B⟩ = Σ conj(A_ij)·B_ij. So ∂ℓ/∂θ = Re⟨Ȳ, (∂Q/∂θ)·X⟩ and the input
// cotangent is X̄ = Q†·Ȳ. For real programs this is the ordinary gradient.
//
// # Concurrency and allocation
//
// Programs are immutable after compilation and safe for concurrent use; their methods
// allocate what they return. A Workspace (NewWorkspace) holds the bound parameters and the
// scratch of the backward pass, so that a training step (Bind, Stiefel, StiefelVJP) does not
// allocate per step; a Workspace is for one goroutine at a time.
package lowering

import (
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/sim"
)

// StageInfo describes one stage of a compiled program.
type StageInfo struct {
	// Kind is the stage kind.
	Kind StageKind
	// Qubits: for KronStage the qubits with a factor (in first-use order); for DiagStage and
	// PermStage the qubits the stage depends on (ascending); for BlockStage the controls
	// (the first Controls entries) then the targets.
	Qubits []int
	// Controls is the number of control qubits of a BlockStage.
	Controls int
	// Ops are the indices into the circuit's Ops of the gates in the stage, in application
	// order (for KronStage, grouped by qubit in the order of Qubits).
	Ops []int
	// Parametric reports that some gate of the stage has a symbolic angle.
	Parametric bool
}

func stageInfos(p *plan) []StageInfo {
	out := make([]StageInfo, len(p.stages))
	for i, st := range p.stages {
		si := StageInfo{Kind: st.kind, Qubits: append([]int(nil), st.support...), Controls: st.controls, Parametric: st.params}
		if st.kind == KronStage {
			for _, f := range st.factors {
				for _, r := range f {
					si.Ops = append(si.Ops, r.index)
				}
			}
		} else {
			for _, r := range st.ops {
				si.Ops = append(si.Ops, r.index)
			}
		}
		out[i] = si
	}
	return out
}

// RealProgram is a real circuit compiled for the float64 path: an orthogonal N×N operator
// Q(θ), N = 2^n.
type RealProgram struct{ p *plan }

// CompileReal validates that c is a unitary circuit of real gates and compiles it. A gate
// with complex entries is reported as a *circuit.NotRealError (wrapped) naming the gate and
// its position; measurement, reset and conditioned gates are errors too. The circuit must
// not change afterwards.
func CompileReal(c *circuit.Circuit) (*RealProgram, error) {
	p, err := compilePlan(c, true)
	if err != nil {
		return nil, err
	}
	return &RealProgram{p: p}, nil
}

// NumQubits is n.
func (p *RealProgram) NumQubits() int { return p.p.n }

// Dim is N = 2^n.
func (p *RealProgram) Dim() int { return 1 << p.p.n }

// Params are the circuit's parameter names: θ vectors are in this order.
func (p *RealProgram) Params() []string { return append([]string(nil), p.p.params...) }

// Stages describes the compiled stages.
func (p *RealProgram) Stages() []StageInfo { return stageInfos(p.p) }

// String is a readable listing of the stages.
func (p *RealProgram) String() string {
	var b strings.Builder
	p.p.describe(&b)
	return b.String()
}

// NewWorkspace returns a workspace for running the program without per-call allocation.
func (p *RealProgram) NewWorkspace() *RealWorkspace {
	return &RealWorkspace{p: p, e: newEngine[float64](p.p)}
}

// Dense returns the N × N matrix Q(θ) (row i is basis state |i⟩).
func (p *RealProgram) Dense(theta []float64) (*sim.RealBatch, error) {
	return p.Stiefel(theta, p.Dim())
}

// Stiefel returns the first k columns of Q(θ) as an N × k batch: Q·[e_0 … e_{k−1}], with
// orthonormal columns. 1 ≤ k ≤ N.
func (p *RealProgram) Stiefel(theta []float64, k int) (*sim.RealBatch, error) {
	return columns(p.Dim(), k, p.Footprint, p.NewWorkspace(), theta,
		func() (*sim.RealBatch, error) { return sim.NewRealBatch(p.p.n, k) }, (*RealWorkspace).Stiefel)
}

// Apply returns Q(θ)·X for a batch X of n qubits (X is not changed).
func (p *RealProgram) Apply(theta []float64, x *sim.RealBatch) (*sim.RealBatch, error) {
	return onCopy(p.NewWorkspace(), theta, x, (*RealWorkspace).Apply)
}

// ApplyTranspose returns Q(θ)ᵀ·X = Q(θ)⁻¹·X.
func (p *RealProgram) ApplyTranspose(theta []float64, x *sim.RealBatch) (*sim.RealBatch, error) {
	return onCopy(p.NewWorkspace(), theta, x, (*RealWorkspace).ApplyTranspose)
}

// StiefelVJP returns ∂ℓ/∂θ given U = Stiefel(θ, k) and Ū = ∂ℓ/∂U (both N × k; not changed).
// It also serves Dense (k = N).
func (p *RealProgram) StiefelVJP(theta []float64, u, ubar *sim.RealBatch) ([]float64, error) {
	return gradient(p.NewWorkspace(), theta, len(p.p.params), func(w *RealWorkspace, grad []float64) error {
		return w.StiefelVJP(u, ubar, grad)
	})
}

// VJP returns ∂ℓ/∂θ and X̄ = ∂ℓ/∂X = Qᵀ·Ȳ given Y = Q(θ)·X and Ȳ = ∂ℓ/∂Y (not changed).
func (p *RealProgram) VJP(theta []float64, y, ybar *sim.RealBatch) ([]float64, *sim.RealBatch, error) {
	return vjpCopy(p.NewWorkspace(), theta, len(p.p.params), y, ybar, (*RealWorkspace).VJP)
}

// RealWorkspace runs a RealProgram at bound parameters, reusing its buffers: after the first
// call of each shape, Bind, Stiefel, Apply, ApplyTranspose, StiefelVJP and VJP do not allocate
// (apart from gates outside ry/rx/rz whose parameters change, and the goroutines of sim's
// parallel kernels). Not safe for concurrent use.
type RealWorkspace struct {
	p    *RealProgram
	e    *engine[float64]
	x, y *sim.RealBatch
}

// Bind sets the parameters θ (in Params order). Binding the same values again is free.
func (w *RealWorkspace) Bind(theta []float64) error { return w.e.bind(theta) }

func (w *RealWorkspace) check(what string, x *sim.RealBatch) error {
	return w.e.check(what, realShapeOf(x))
}

// Stiefel overwrites dst (N × k) with the first k = dst.B columns of Q(θ).
func (w *RealWorkspace) Stiefel(dst *sim.RealBatch) error {
	if err := w.e.checkColumns("Stiefel", realShapeOf(dst)); err != nil {
		return err
	}
	dst.SetIdentity()
	w.e.apply(dst, dst.Data, dst.B)
	return nil
}

// Apply replaces X by Q(θ)·X.
func (w *RealWorkspace) Apply(x *sim.RealBatch) error {
	if err := w.check("Apply", x); err != nil {
		return err
	}
	w.e.apply(x, x.Data, x.B)
	return nil
}

// ApplyTranspose replaces X by Q(θ)ᵀ·X.
func (w *RealWorkspace) ApplyTranspose(x *sim.RealBatch) error {
	if err := w.check("ApplyTranspose", x); err != nil {
		return err
	}
	w.e.applyInverse(x, x.Data, x.B)
	return nil
}

// StiefelVJP writes ∂ℓ/∂θ into grad (len = number of parameters) given U = Stiefel(θ) and
// Ū = ∂ℓ/∂U (same shape; neither is changed). Memory: two N × k scratch batches, kept.
func (w *RealWorkspace) StiefelVJP(u, ubar *sim.RealBatch, grad []float64) error {
	if err := w.e.checkVJP("StiefelVJP", "U", "Ū", realShapeOf(u), realShapeOf(ubar), grad); err != nil {
		return err
	}
	if err := scratchPair(&w.x, &w.y, w.x != nil && w.x.B == u.B, u.Qubits, u.B, sim.NewRealBatch); err != nil {
		return err
	}
	copy(w.x.Data, u.Data)
	copy(w.y.Data, ubar.Data)
	return w.e.vjp(w.x, w.y, w.x.Data, w.y.Data, u.B, grad)
}

// VJP runs the backward pass in place: y holds Y = Q(θ)·X and is turned back into X; ybar
// holds Ȳ = ∂ℓ/∂Y and becomes X̄ = Qᵀ·Ȳ; grad (len = number of parameters) receives ∂ℓ/∂θ.
func (w *RealWorkspace) VJP(y, ybar *sim.RealBatch, grad []float64) error {
	if err := w.e.checkVJP("VJP", "Y", "Ȳ", realShapeOf(y), realShapeOf(ybar), grad); err != nil {
		return err
	}
	return w.e.vjp(y, ybar, y.Data, ybar.Data, y.B, grad)
}
