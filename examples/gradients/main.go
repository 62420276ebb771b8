// Command gradients differentiates a circuit's output with respect to its angles three ways
// and checks that they agree:
//
//   - the adjoint method (package lowering): one forward pass, one backward pass that
//     recomputes each earlier state by undoing a gate, whatever the number of angles;
//
//   - the parameter-shift rule, what a quantum computer can do: two extra circuit runs per
//     angle, exact for rotation gates;
//
//   - central finite differences: two runs per angle, accurate to about h².
//
//     go run ./examples/gradients -qubits 8 -layers 3
//
// Lesson: for an expectation value f(θ) = ⟨ψ(θ)|H|ψ(θ)⟩ and a gate RY(θ_i),
// ∂f/∂θ_i = [f(θ + (π/2)e_i) − f(θ − (π/2)e_i)] / 2 exactly. For a quantity linear in the
// circuit's matrix (such as the columns U an adapter uses), ∂RY(θ)/∂θ = ½·RY(θ + π) gives
// ∂f/∂θ_i = [f(θ + π e_i) − f(θ − π e_i)] / 4. The adjoint method gets every ∂f/∂θ_i for the
// price of about two circuit evaluations, which is what makes training affordable.
package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qpeft/qpeft/examples/internal/lesson"
	"github.com/qpeft/qpeft/lowering"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/sim"
)

func main() {
	n := lesson.Int("qubits", 6, 4, "qubits n")
	layers := lesson.Int("layers", 2, 1, "entangling layers L of the Pauli ansatz")
	lesson.Parse()
	c := lesson.Must(ansatz.Pauli(*n, *layers))
	p := lesson.Must(lowering.CompileReal(c))
	N, P := p.Dim(), len(c.Params)
	rng := rand.New(rand.NewPCG(5, 6))
	theta := lesson.RandomAngles(rng, P)
	// The observable: H = Σ_k w_k Z_k + Z_0 Z_1, diagonal in the computational basis.
	w := make([]float64, *n)
	for k := range w {
		w[k] = rng.Float64() - 0.5
	}
	h := make([]float64, N)
	for i := range N {
		for k := range *n {
			h[i] += w[k] * zsign(i, k)
		}
		h[i] += zsign(i, 0) * zsign(i, 1)
	}

	// f(θ) = ⟨ψ|H|ψ⟩ with ψ = Q(θ)|0…0⟩ (real: the ansatz is orthogonal).
	zero := lesson.Must(sim.NewRealBatch(*n, 1))
	zero.Data[0] = 1
	evals := 0
	f := func(t []float64) float64 {
		evals++
		psi := lesson.Must(p.Apply(t, zero))
		s := 0.0
		for i, a := range psi.Data {
			s += h[i] * a * a
		}
		return s
	}

	// 1. Adjoint: forward to ψ, seed the backward pass with ∂f/∂ψ = 2Hψ, and let VJP walk the
	//    stages backwards.
	evals = 0
	psi := lesson.Must(p.Apply(theta, zero))
	psibar := lesson.Must(sim.NewRealBatch(*n, 1))
	for i, a := range psi.Data {
		psibar.Data[i] = 2 * h[i] * a
	}
	adj, _, err := p.VJP(theta, psi, psibar)
	lesson.Check(err)

	// 2. Parameter shift: two runs per angle, shifts ±π/2.
	shift := symmetricDifference(f, theta, math.Pi/2, 2)
	shiftEvals := evals

	// 3. Central finite differences, step 1e-6 (error ~1e-12 from truncation, ~1e-10 from
	//    rounding).
	evals = 0
	const step = 1e-6
	fd := symmetricDifference(f, theta, step, 2*step)

	fmt.Printf("Pauli ansatz, %d qubits, L = %d: %d angles; f(θ) = ⟨ψ|H|ψ⟩ = %.6f\n", *n, *layers, P, f(theta))
	fmt.Printf("%6s %14s %14s %14s\n", "angle", "adjoint", "param. shift", "finite diff.")
	for i := range min(P, 8) {
		fmt.Printf("%6d %14.10f %14.10f %14.10f\n", i, adj[i], shift[i], fd[i])
	}
	if P > 8 {
		fmt.Printf("%6s (%d more)\n", "…", P-8)
	}
	fmt.Printf("max |adjoint − parameter shift| = %.1e (%d circuit runs for the shift rule, 2 passes for the adjoint)\n",
		maxDiff(adj, shift), shiftEvals)
	fmt.Printf("max |adjoint − finite differences| = %.1e\n", maxDiff(adj, fd))
	fmt.Printf("agreement ≤ 1e-6: %v\n", maxDiff(adj, shift) <= 1e-6 && maxDiff(adj, fd) <= 1e-6)

	// 4. A loss linear in the first K columns, ℓ(θ) = Σ G ⊙ U(θ), as in adapter training:
	//    StiefelVJP gives ∂ℓ/∂θ; the π-shift rule with factor 1/4 checks it.
	k := min(4, N)
	g := make([]float64, N*k)
	for i := range g {
		g[i] = rng.NormFloat64()
	}
	lin := func(t []float64) float64 {
		u := lesson.Must(p.Stiefel(t, k))
		s := 0.0
		for i, v := range u.Data {
			s += g[i] * v
		}
		return s
	}
	u := lesson.Must(p.Stiefel(theta, k))
	ubar := &sim.RealBatch{Qubits: *n, B: k, Data: g}
	sadj := lesson.Must(p.StiefelVJP(theta, u, ubar))
	pi := symmetricDifference(lin, theta, math.Pi, 4)
	fmt.Printf("\nLinear loss on the first %d columns: max |StiefelVJP − π-shift/4| = %.1e\n", k, maxDiff(sadj, pi))
}

// symmetricDifference returns [f(θ + s·e_i) − f(θ − s·e_i)] / d for every angle i: the
// parameter-shift rules (s = π/2, d = 2 and s = π, d = 4) and central finite differences
// (s = h, d = 2h) all have this form.
func symmetricDifference(f func([]float64) float64, theta []float64, s, d float64) []float64 {
	out := make([]float64, len(theta))
	t := append([]float64(nil), theta...)
	for i := range theta {
		t[i] = theta[i] + s
		fp := f(t)
		t[i] = theta[i] - s
		fm := f(t)
		t[i] = theta[i]
		out[i] = (fp - fm) / d
	}
	return out
}

// zsign is the eigenvalue of Z on qubit k for basis state i: +1 for bit 0, −1 for bit 1.
func zsign(i, k int) float64 {
	if i>>k&1 == 1 {
		return -1
	}
	return 1
}

func maxDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}
