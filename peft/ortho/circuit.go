package ortho

import (
	"fmt"
	"sync"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/lowering"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/sim"
)

// Circuit is an orthogonal factor realised by a real circuit on n qubits (N = 2^n),
// compiled and run by package lowering: Apply, the first K columns and both
// vector-Jacobian products are lowering's, with its adjoint method (memory O(N·m)).
// θ is the circuit's parameter vector in circuit.Params order.
type Circuit struct {
	c    *circuit.Circuit
	prog *lowering.RealProgram

	mu   sync.Mutex
	free []*lowering.RealWorkspace
}

// NewCircuit compiles c as an orthogonal factor. It returns an error naming the gate (and,
// for circuits read from OpenQASM, its file:line:col) if c has a gate with complex entries,
// a measurement, a reset or a condition. c must not be modified afterwards.
func NewCircuit(c *circuit.Circuit) (*Circuit, error) {
	if err := ansatz.Check(c); err != nil {
		return nil, err
	}
	prog, err := lowering.CompileReal(c)
	if err != nil {
		return nil, fmt.Errorf("ortho: compiling the ansatz: %w", err)
	}
	return &Circuit{c: c, prog: prog}, nil
}

// NewPauli returns the Pauli ansatz of package ansatz on n qubits with L layers, compiled.
func NewPauli(n, layers int) (*Circuit, error) {
	c, err := ansatz.Pauli(n, layers)
	if err != nil {
		return nil, err
	}
	return NewCircuit(c)
}

// Dim returns N = 2^n.
func (q *Circuit) Dim() int { return q.prog.Dim() }

// NumParams returns the number of circuit parameters.
func (q *Circuit) NumParams() int { return len(q.c.Params) }

// Circuit returns the circuit (not to be modified).
func (q *Circuit) Circuit() *circuit.Circuit { return q.c }

// Blocks describes the factor as one circuit block.
func (q *Circuit) Blocks() []Block {
	return []Block{{Kind: "circuit", Dim: q.Dim(), Params: q.NumParams(), Circuit: q.c}}
}

func (q *Circuit) get() *lowering.RealWorkspace {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n := len(q.free); n > 0 {
		w := q.free[n-1]
		q.free = q.free[:n-1]
		return w
	}
	return q.prog.NewWorkspace()
}

func (q *Circuit) put(w *lowering.RealWorkspace) {
	q.mu.Lock()
	q.free = append(q.free, w)
	q.mu.Unlock()
}

func (q *Circuit) batch(data []float64, m int) *sim.RealBatch {
	return &sim.RealBatch{Qubits: q.prog.NumQubits(), B: m, Data: data}
}

// Apply sets y = Q(θ)·x (N × m).
func (q *Circuit) Apply(theta, x []float64, m int, y []float64) error {
	checkLen("Circuit.Apply", "theta", len(theta), q.NumParams())
	checkLen("Circuit.Apply", "x", len(x), q.Dim()*m)
	checkLen("Circuit.Apply", "y", len(y), q.Dim()*m)
	w := q.get()
	defer q.put(w)
	if err := w.Bind(theta); err != nil {
		return err
	}
	copy(y, x)
	return w.Apply(q.batch(y, m))
}

// Columns writes the first k columns of Q(θ) into u (N × k).
func (q *Circuit) Columns(theta []float64, k int, u []float64) error {
	checkLen("Circuit.Columns", "theta", len(theta), q.NumParams())
	checkLen("Circuit.Columns", "u", len(u), q.Dim()*k)
	w := q.get()
	defer q.put(w)
	if err := w.Bind(theta); err != nil {
		return err
	}
	return w.Stiefel(q.batch(u, k))
}

// ApplyVJP is the adjoint pass of Apply (see [Orthogonal]).
func (q *Circuit) ApplyVJP(theta []float64, m int, y, ybar, dtheta []float64) error {
	checkLen("Circuit.ApplyVJP", "theta", len(theta), q.NumParams())
	checkLen("Circuit.ApplyVJP", "dtheta", len(dtheta), q.NumParams())
	checkLen("Circuit.ApplyVJP", "y", len(y), q.Dim()*m)
	checkLen("Circuit.ApplyVJP", "ybar", len(ybar), q.Dim()*m)
	w := q.get()
	defer q.put(w)
	if err := w.Bind(theta); err != nil {
		return err
	}
	g := make([]float64, len(dtheta))
	if err := w.VJP(q.batch(y, m), q.batch(ybar, m), g); err != nil {
		return err
	}
	for i, v := range g {
		dtheta[i] += v
	}
	return nil
}

// stiefelVJP adds ∂ℓ/∂θ given u = first k columns and ubar (not modified), through
// lowering's StiefelVJP.
func (q *Circuit) stiefelVJP(theta []float64, k int, u, ubar, dtheta []float64) error {
	w := q.get()
	defer q.put(w)
	if err := w.Bind(theta); err != nil {
		return err
	}
	g := make([]float64, len(dtheta))
	if err := w.StiefelVJP(q.batch(u, k), q.batch(ubar, k), g); err != nil {
		return err
	}
	for i, v := range g {
		dtheta[i] += v
	}
	return nil
}
