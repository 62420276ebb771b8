package circuit

import "fmt"

// RemoveFinalMeasurements returns a copy of c without its terminal measurements, as
// Qiskit's QuantumCircuit.remove_final_measurements does: a measurement is terminal when
// its outcome feeds nothing, that is, no later gate or reset acts on its qubit and no later
// condition tests its bit. Measurements may be interleaved with gates on other qubits
// (Cirq's OpenQASM exports of QAOA and QPE measure each qubit as soon as it is done). The
// state the result prepares is the state before the terminal measurements, so its
// probabilities are the outcome distribution of the measurements.
//
// A measurement that is not terminal is a *MidCircuitError naming it, the operation that
// uses its outcome, and their positions. Resets and conditions that do not depend on a
// measurement are kept (the result is not unitary then).
func (c *Circuit) RemoveFinalMeasurements() (*Circuit, error) {
	later := make(map[int]int)    // qubit → index of the nearest later gate or reset on it
	laterBit := make(map[int]int) // bit → index of the nearest later op whose condition tests it
	remove := make([]bool, len(c.Ops))
	for i := len(c.Ops) - 1; i >= 0; i-- {
		op := &c.Ops[i]
		if op.Kind == Measure && op.Cond == nil {
			for k, q := range op.Qubits {
				if j, ok := later[q]; ok {
					return nil, &MidCircuitError{Measure: i, User: j, Qubit: q, Bit: -1, c: c}
				}
				if k < len(op.Clbits()) {
					if j, ok := laterBit[op.Clbits()[k]]; ok {
						return nil, &MidCircuitError{Measure: i, User: j, Qubit: q, Bit: op.Clbits()[k], c: c}
					}
				}
			}
			remove[i] = true
			continue
		}
		if op.Cond != nil {
			for _, b := range op.Cond.Clbits {
				laterBit[b] = i
			}
		}
		if op.Kind == GateOp || op.Kind == Reset || op.Kind == Measure {
			for _, q := range op.Qubits {
				later[q] = i
			}
		}
	}
	d := *c
	d.Ops = make([]Op, 0, len(c.Ops))
	for i := range c.Ops {
		if !remove[i] {
			d.Ops = append(d.Ops, c.Ops[i].clone())
		}
	}
	d.QRegs = append([]Register(nil), c.QRegs...)
	d.CRegs = append([]Register(nil), c.CRegs...)
	d.Params = append([]string(nil), c.Params...)
	d.paramIdx = nil
	return &d, nil
}

// MidCircuitError reports a measurement whose outcome feeds a later operation: a gate or
// reset on the measured qubit, or a condition on the bit it wrote. Such a program has no
// single state before measurement; sample it instead (qpeft run --shots).
type MidCircuitError struct {
	// Measure and User are indices in Ops: the measurement and the operation after it.
	Measure, User int
	// Qubit is the measured qubit; Bit is the bit the condition tests, or −1 when the later
	// operation acts on the qubit.
	Qubit, Bit int
	c          *Circuit
}

// Error names both operations and their positions.
func (e *MidCircuitError) Error() string {
	m, u := &e.c.Ops[e.Measure], &e.c.Ops[e.User]
	user := u.Name()
	if u.Pos.IsValid() {
		user += " at " + u.Pos.String()
	}
	user += fmt.Sprintf(" (operation %d)", e.User)
	why := user + " acts on the qubit after it"
	if e.Bit >= 0 {
		why = fmt.Sprintf("the condition of %s tests its outcome (bit %d)", user, e.Bit)
	}
	return fmt.Sprintf("%sthe measurement of qubit %d (operation %d) is not final: %s", m.Pos.Prefix(), e.Qubit, e.Measure, why)
}
