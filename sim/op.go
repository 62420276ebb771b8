package sim

import (
	"errors"
	"fmt"
	"math/cmplx"

	"github.com/qpeft/qpeft/circuit"
)

// How ApplyOp transforms the op's matrix.
type opMode uint8

const (
	modePlain     opMode = iota // G
	modeAdjoint                 // G† (conjugate transpose)
	modeTranspose               // Gᵀ
)

// opBlock resolves a gate operation to its controls, targets and the target block applied
// when every control is 1 (the gate's own controls and ctrl @ modifiers together). A nil
// block with a nil error means the op has no effect on the state (a barrier).
func opBlock(op *circuit.Op, env circuit.Env, mode opMode) (controls, targets []int, m []complex128, err error) {
	switch op.Kind {
	case circuit.Barrier:
		return nil, nil, nil, nil
	case circuit.GateOp:
	default:
		return nil, nil, nil, fmt.Errorf("sim: %s%s is not a gate; apply measurement and reset with Run or State", op.Pos.Prefix(), op.Name())
	}
	if op.Cond != nil {
		return nil, nil, nil, fmt.Errorf("sim: %s%s is classically conditioned; run it with Run or State", op.Pos.Prefix(), op.Name())
	}
	g := op.Gate
	if g == nil || len(op.Qubits) != g.Qubits+int(op.Ctrl) || len(op.Args) != g.Params {
		return nil, nil, nil, fmt.Errorf("sim: %smalformed operation %s (build circuits with circuit.Append, which validates)", op.Pos.Prefix(), op.Name())
	}
	p, err := op.Params(env)
	if nf := (*circuit.NonFiniteError)(nil); errors.As(err, &nf) {
		return nil, nil, nil, fmt.Errorf("sim: %w", err) // it names the op and its position
	} else if err != nil {
		return nil, nil, nil, fmt.Errorf("sim: %s%s: %w", op.Pos.Prefix(), op.Name(), err)
	}
	nc := int(op.Ctrl) + g.Controls
	m = g.TargetMatrix(p...)
	transform(m, 1<<(g.Qubits-g.Controls), mode)
	return op.Qubits[:nc], op.Qubits[nc:], m, nil
}

// transform turns m (D x D, in place) into its adjoint or transpose.
func transform(m []complex128, D int, mode opMode) {
	if mode == modePlain {
		return
	}
	for r := 0; r < D; r++ {
		for c := r + 1; c < D; c++ {
			m[r*D+c], m[c*D+r] = m[c*D+r], m[r*D+c]
		}
	}
	if mode == modeAdjoint {
		for i, v := range m {
			m[i] = cmplx.Conj(v)
		}
	}
}

// derivBlock resolves ∂G/∂wrt for a gate op: the derivative of the target block (the
// chain rule through the op's angle expressions), applied on the controlled subspace; the
// other rows of the derivative are zero.
func derivBlock(op *circuit.Op, env circuit.Env, wrt string) (controls, targets []int, dm []complex128, err error) {
	controls, targets, _, err = opBlock(op, env, modePlain)
	if err != nil || op.Kind != circuit.GateOp {
		return nil, nil, nil, err
	}
	g := op.Gate
	p, err := op.Params(env)
	if err != nil {
		return nil, nil, nil, err
	}
	D := 1 << len(targets)
	dm = make([]complex128, D*D)
	for k, a := range op.Args {
		_, dp, err := circuit.EvalDeriv(a, env, wrt)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("sim: %s%s: %w", op.Pos.Prefix(), op.Name(), err)
		}
		if dp == 0 {
			continue
		}
		full := g.Derivative(k, p...)
		blk := g.TargetBlock(full)
		for i, v := range blk {
			dm[i] += complex(dp, 0) * v
		}
	}
	return controls, targets, dm, nil
}

// notRealError is the error for a gate with complex entries on the float64 path.
func notRealError(op *circuit.Op) error {
	return fmt.Errorf("sim: %sgate %s has complex matrix entries; the real float64 path takes only real gates (ry, cry, cz, cx, x, z, h, ch, swap, ccx, cswap, id) — use the complex Batch or State", op.Pos.Prefix(), op.Name())
}

// ApplyOp applies a gate operation (any gate, ctrl @ modifiers, gphase) to every column.
// Barriers do nothing. Measurement, reset and conditioned operations are errors: they need
// a classical register and a random source (use Run or State). Parameter symbols are looked
// up in env (nil when the circuit is bound).
func (x *Batch) ApplyOp(op *circuit.Op, env circuit.Env) error {
	return x.applyOp(op, env, modePlain)
}

// ApplyOpAdjoint applies the conjugate transpose G† of the op's matrix (its inverse).
func (x *Batch) ApplyOpAdjoint(op *circuit.Op, env circuit.Env) error {
	return x.applyOp(op, env, modeAdjoint)
}

// ApplyOpTranspose applies the transpose Gᵀ of the op's matrix.
func (x *Batch) ApplyOpTranspose(op *circuit.Op, env circuit.Env) error {
	return x.applyOp(op, env, modeTranspose)
}

func (x *Batch) applyOp(op *circuit.Op, env circuit.Env, mode opMode) error {
	controls, targets, m, err := opBlock(op, env, mode)
	if err != nil || m == nil {
		return err
	}
	if err := checkOpQubits(op, x.Qubits); err != nil {
		return err
	}
	x.ApplyControlled(controls, targets, m)
	return nil
}

// ApplyOpDerivative replaces every column v by (∂G/∂wrt)·v, G the op's matrix and wrt a
// parameter symbol (the chain rule runs through the op's angle expression). On the rows
// where a control is 0 the derivative is zero; an op that does not depend on wrt zeroes the
// batch, and so does a barrier. It is the building block of adjoint (backward) differentiation.
func (x *Batch) ApplyOpDerivative(op *circuit.Op, env circuit.Env, wrt string) error {
	controls, targets, dm, err := derivOp(x.Data, op, env, wrt, x.Qubits)
	if err != nil || dm == nil {
		return err
	}
	x.ApplyControlled(controls, targets, dm)
	if len(controls) > 0 {
		x.ApplyDiag(controls, controlsSet[complex128](len(controls)))
	}
	return nil
}

// derivOp is the start of ApplyOpDerivative on a batch of n qubits holding data: the
// controls, targets and ∂G/∂wrt of op (checked against the qubits), or a nil matrix when
// there is nothing to apply. A barrier's derivative is zero: it clears data.
func derivOp[T float64 | complex128](data []T, op *circuit.Op, env circuit.Env, wrt string, n int) (controls, targets []int, dm []complex128, err error) {
	if op.Kind == circuit.Barrier {
		clear(data)
		return nil, nil, nil, nil
	}
	controls, targets, dm, err = derivBlock(op, env, wrt)
	if err != nil || dm == nil {
		return nil, nil, nil, err
	}
	if err := checkOpQubits(op, n); err != nil {
		return nil, nil, nil, err
	}
	return controls, targets, dm, nil
}

// controlsSet returns the diagonal of k control qubits that keeps the rows where every
// control is 1 and zeroes the others.
func controlsSet[T float64 | complex128](k int) []T {
	proj := make([]T, 1<<k)
	proj[len(proj)-1] = 1
	return proj
}

// ApplyOp applies a real gate operation to every column. A gate with complex entries (rz,
// rx, s, gphase, ...) is an error naming the gate and its position; measurement, reset and
// conditions are errors as for Batch.ApplyOp.
func (x *RealBatch) ApplyOp(op *circuit.Op, env circuit.Env) error {
	return x.applyOp(op, env, modePlain)
}

// ApplyOpTranspose applies the transpose Gᵀ of a real op's matrix: its inverse, since a real
// unitary is orthogonal. The adjoint backward pass uses it to walk the circuit in reverse.
func (x *RealBatch) ApplyOpTranspose(op *circuit.Op, env circuit.Env) error {
	return x.applyOp(op, env, modeTranspose)
}

func (x *RealBatch) applyOp(op *circuit.Op, env circuit.Env, mode opMode) error {
	if op.Kind == circuit.GateOp && op.Gate != nil && !op.Gate.Real {
		return notRealError(op)
	}
	controls, targets, m, err := opBlock(op, env, mode)
	if err != nil || m == nil {
		return err
	}
	if err := checkOpQubits(op, x.Qubits); err != nil {
		return err
	}
	var fb [64]float64
	fm, _ := realCoefs(m, fb[:0])
	if fm == nil { // cannot happen for gates flagged Real; be safe
		return notRealError(op)
	}
	x.ApplyControlled(controls, targets, fm)
	return nil
}

// ApplyOpDerivative replaces every column v by (∂G/∂wrt)·v for a real op (see
// Batch.ApplyOpDerivative).
func (x *RealBatch) ApplyOpDerivative(op *circuit.Op, env circuit.Env, wrt string) error {
	if op.Kind == circuit.GateOp && op.Gate != nil && !op.Gate.Real {
		return notRealError(op)
	}
	controls, targets, dm, err := derivOp(x.Data, op, env, wrt, x.Qubits)
	if err != nil || dm == nil {
		return err
	}
	fm, ok := realCoefs(dm, nil)
	if !ok {
		return notRealError(op)
	}
	x.ApplyControlled(controls, targets, fm)
	if len(controls) > 0 {
		x.ApplyDiag(controls, controlsSet[float64](len(controls)))
	}
	return nil
}

// checkOpQubits turns what would be a kernel panic into an error for ops from user input.
func checkOpQubits(op *circuit.Op, n int) error {
	var seen uint64
	for _, q := range op.Qubits {
		if q < 0 || q >= n {
			return fmt.Errorf("sim: %s%s: qubit %d out of range for %d qubits", op.Pos.Prefix(), op.Name(), q, n)
		}
		if seen&(1<<q) != 0 {
			return fmt.Errorf("sim: %s%s: qubit %d used twice", op.Pos.Prefix(), op.Name(), q)
		}
		seen |= 1 << q
	}
	return nil
}
