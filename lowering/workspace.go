package lowering

import (
	"fmt"

	"github.com/qpeft/qpeft/sim"
)

// What Program and RealProgram (and their workspaces) share, written once for both batch
// types.

// binder is a workspace: Workspace or RealWorkspace.
type binder interface{ Bind(theta []float64) error }

// batchOf is a batch type: *sim.Batch or *sim.RealBatch.
type batchOf[B any] interface{ Clone() B }

// shape is a batch's shape, for the checks (nil: no batch).
type shape struct {
	isNil                 bool
	qubits, cols, nvalues int
}

func shapeOf(x *sim.Batch) shape {
	if x == nil {
		return shape{isNil: true}
	}
	return shape{qubits: x.Qubits, cols: x.B, nvalues: len(x.Data)}
}

func realShapeOf(x *sim.RealBatch) shape {
	if x == nil {
		return shape{isNil: true}
	}
	return shape{qubits: x.Qubits, cols: x.B, nvalues: len(x.Data)}
}

// check is the check of every workspace method: the parameters are bound and x is a batch
// on the program's qubits.
func (e *engine[T]) check(what string, x shape) error {
	if !e.bound {
		return fmt.Errorf("lowering: %s before Bind", what)
	}
	if x.isNil {
		return fmt.Errorf("lowering: %s: nil batch", what)
	}
	if x.qubits != e.p.n || x.cols < 1 || x.nvalues != x.cols<<x.qubits {
		return fmt.Errorf("lowering: %s: batch of %d qubits × %d columns (%d values) does not fit a program on %d qubits", what, x.qubits, x.cols, x.nvalues, e.p.n)
	}
	return nil
}

// checkColumns checks dst of Columns/Stiefel: at most N columns.
func (e *engine[T]) checkColumns(what string, dst shape) error {
	if err := e.check(what, dst); err != nil {
		return err
	}
	if dst.cols > 1<<dst.qubits {
		return fmt.Errorf("lowering: %s: %d columns exceed N = %d", what, dst.cols, 1<<dst.qubits)
	}
	return nil
}

// checkVJP checks the arguments of a backward pass: the batch (named a) and its cotangent
// (named abar), of equal shapes, and a gradient with one entry per parameter.
func (e *engine[T]) checkVJP(what, a, abar string, u, ubar shape, grad []float64) error {
	if err := e.check(what, u); err != nil {
		return err
	}
	if err := e.check(what, ubar); err != nil {
		return err
	}
	if ubar.cols != u.cols {
		return fmt.Errorf("lowering: %s: %s has %d columns but %s has %d", what, a, u.cols, abar, ubar.cols)
	}
	if len(grad) != len(e.p.params) {
		return fmt.Errorf("lowering: %s: grad has %d entries for %d parameters", what, len(grad), len(e.p.params))
	}
	return nil
}

// scratchPair makes the two scratch batches of a backward pass, n qubits × cols, with
// newBatch unless they already fit.
func scratchPair[B any](x, y *B, fit bool, n, cols int, newBatch func(n, cols int) (B, error)) error {
	if fit {
		return nil
	}
	a, err := newBatch(n, cols)
	if err != nil {
		return fmt.Errorf("lowering: backward pass scratch: %w", err)
	}
	b, err := newBatch(n, cols)
	if err != nil {
		return fmt.Errorf("lowering: backward pass scratch: %w", err)
	}
	*x, *y = a, b
	return nil
}

// columns returns the first k columns of the program's operator from a fresh workspace
// bound to theta: newBatch makes the N × k batch and fill writes it.
func columns[W binder, B any](dim, k int, footprint func(k int) sim.Footprint, ws W, theta []float64, newBatch func() (B, error), fill func(W, B) error) (B, error) {
	var zero B
	if k < 1 || k > dim {
		return zero, fmt.Errorf("lowering: k = %d columns is out of range 1..%d", k, dim)
	}
	fp := footprint(k)
	if err := fp.Check(0); err != nil {
		return zero, fmt.Errorf("lowering: %w", err)
	}
	u, err := newBatch()
	if err != nil {
		return zero, fmt.Errorf("lowering: %w", err)
	}
	if err := ws.Bind(theta); err != nil {
		return zero, err
	}
	if err := fill(ws, u); err != nil {
		return zero, err
	}
	return u, nil
}

// onCopy binds ws to theta and runs f on a copy of x, which it returns.
func onCopy[W binder, B batchOf[B]](ws W, theta []float64, x B, f func(W, B) error) (B, error) {
	if err := ws.Bind(theta); err != nil {
		var zero B
		return zero, err
	}
	y := x.Clone()
	return y, f(ws, y)
}

// gradient binds ws to theta and returns the n-entry gradient f writes.
func gradient[W binder](ws W, theta []float64, n int, f func(W, []float64) error) ([]float64, error) {
	if err := ws.Bind(theta); err != nil {
		return nil, err
	}
	grad := make([]float64, n)
	return grad, f(ws, grad)
}

// vjpCopy binds ws to theta and runs the backward pass f on copies of y and ybar: it
// returns the gradient and X̄.
func vjpCopy[W binder, B batchOf[B]](ws W, theta []float64, n int, y, ybar B, f func(W, B, B, []float64) error) ([]float64, B, error) {
	var zero B
	if err := ws.Bind(theta); err != nil {
		return nil, zero, err
	}
	x, xbar := y.Clone(), ybar.Clone()
	grad := make([]float64, n)
	if err := f(ws, x, xbar, grad); err != nil {
		return nil, zero, err
	}
	return grad, xbar, nil
}
