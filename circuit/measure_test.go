package circuit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
)

func TestRemoveFinalMeasurements(t *testing.T) {
	at := func(line int) circuit.Pos { return circuit.NewPos("p.qasm", line, 1) }
	meas := func(q, b, line int) circuit.Op {
		op := circuit.NewMeasure([]int{q}, []int{b})
		op.Pos = at(line)
		return op
	}
	gate := func(name string, line int, qs ...int) circuit.Op {
		return circuit.Op{Kind: circuit.GateOp, Gate: mustGate(t, name), Qubits: qs, Pos: at(line)}
	}
	cond := func(op circuit.Op, bits ...int) circuit.Op {
		op.Cond = &circuit.Cond{Clbits: bits, Value: 1}
		return op
	}
	reset := func(q, line int) circuit.Op {
		return circuit.Op{Kind: circuit.Reset, Qubits: []int{q}, Pos: at(line)}
	}
	barrier := circuit.Op{Kind: circuit.Barrier, Qubits: []int{0, 1, 2}}
	for _, tc := range []struct {
		name string
		ops  []circuit.Op
		keep []string // names of the ops left
		want string   // error words; "" for success
	}{
		{"all at the end", []circuit.Op{gate("h", 1, 0), gate("cx", 2, 0, 1), meas(0, 0, 3), meas(1, 1, 4)}, []string{"h", "cx"}, ""},
		{"interleaved, each terminal", []circuit.Op{gate("h", 1, 0), meas(0, 0, 2), gate("h", 3, 1), gate("cx", 4, 1, 2), meas(1, 1, 5), gate("x", 6, 2), meas(2, 2, 7)}, []string{"h", "h", "cx", "x"}, ""},
		{"interleaved with barrier", []circuit.Op{gate("h", 1, 0), meas(0, 0, 2), gate("cx", 3, 1, 2), barrier, meas(1, 1, 5), meas(2, 2, 6)}, []string{"h", "cx", "barrier"}, ""},
		{"measured twice", []circuit.Op{gate("h", 1, 0), meas(0, 0, 2), meas(0, 1, 3), gate("x", 4, 1)}, []string{"h", "x"}, ""},
		{"no measurement", []circuit.Op{gate("h", 1, 0)}, []string{"h"}, ""},
		{"reset not after a measurement is kept", []circuit.Op{reset(1, 1), gate("h", 2, 0), meas(0, 0, 3)}, []string{"reset", "h"}, ""},
		{"condition on an unmeasured bit is kept", []circuit.Op{cond(gate("x", 1, 1), 2), meas(0, 0, 2)}, []string{"x"}, ""},
		{"gate after measurement", []circuit.Op{gate("h", 1, 0), meas(0, 0, 2), gate("h", 3, 0)},
			nil, "p.qasm:2:1: the measurement of qubit 0 (operation 1) is not final: h at p.qasm:3:1 (operation 2) acts on the qubit after it"},
		{"controlled gate after measurement", []circuit.Op{meas(0, 0, 1), gate("cx", 2, 0, 1)}, nil, "cx at p.qasm:2:1 (operation 1) acts on the qubit"},
		{"reset after measurement", []circuit.Op{meas(1, 0, 1), reset(1, 2)}, nil, "reset at p.qasm:2:1"},
		{"condition on its bit", []circuit.Op{gate("h", 1, 0), meas(0, 0, 2), cond(gate("x", 3, 1), 0)},
			nil, "p.qasm:2:1: the measurement of qubit 0 (operation 1) is not final: the condition of x at p.qasm:3:1 (operation 2) tests its outcome (bit 0)"},
		{"condition on a wider register", []circuit.Op{meas(0, 1, 1), cond(gate("x", 2, 2), 0, 1, 2)}, nil, "tests its outcome (bit 1)"},
		{"conditional measurement of the qubit", []circuit.Op{meas(0, 0, 1), cond(meas(0, 1, 2), 2)}, nil, "measure at p.qasm:2:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := circuit.New(3)
			c.AddClbits("c", 3)
			for _, op := range tc.ops {
				require.NoError(t, c.Append(op))
			}
			before := len(c.Ops)
			d, err := c.RemoveFinalMeasurements()
			assert.Len(t, c.Ops, before, "the circuit itself is not changed")
			if tc.want != "" {
				var mc *circuit.MidCircuitError
				require.ErrorAs(t, err, &mc)
				assert.Contains(t, err.Error(), tc.want)
				return
			}
			require.NoError(t, err)
			var names []string
			for i := range d.Ops {
				names = append(names, d.Ops[i].Name())
			}
			assert.Equal(t, tc.keep, names)
			assert.Equal(t, c.NumClbits, d.NumClbits)
		})
	}
}
