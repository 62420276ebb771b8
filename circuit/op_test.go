package circuit_test

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
)

// TestOpSize keeps an Op small: a program of a million operations holds a million of them
// (qasm's reader bounds its peak memory by 20x the source, and `x q[0];` is 8 bytes).
func TestOpSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are checked on 64-bit machines")
	}
	assert.LessOrEqual(t, unsafe.Sizeof(circuit.Op{}), uintptr(96))
	assert.LessOrEqual(t, unsafe.Sizeof(circuit.Pos{}), uintptr(16))
}

func TestClbits(t *testing.T) {
	tests := []struct {
		name   string
		op     circuit.Op
		clbits []int
	}{
		{"measure", circuit.NewMeasure([]int{0, 2}, []int{1, 0}), []int{1, 0}},
		{"gate", circuit.Op{Kind: circuit.GateOp, Qubits: []int{0}}, nil},
		{"reset", circuit.Op{Kind: circuit.Reset, Qubits: []int{1}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.clbits, tc.op.Clbits())
		})
	}

	// SetClbits on a copy leaves the original's bits alone; Clone and Compose copy them.
	m := circuit.NewMeasure([]int{0}, []int{1})
	cp := m
	cp.SetClbits([]int{0})
	assert.Equal(t, []int{1}, m.Clbits())
	assert.Equal(t, []int{0}, cp.Clbits())
	cp.SetClbits(nil)
	assert.Nil(t, cp.Clbits())

	c := circuit.New(2)
	c.AddClbits("c", 2)
	require.NoError(t, c.Append(m))
	d := c.Clone()
	d.Ops[0].Clbits()[0] = 0
	assert.Equal(t, []int{1}, c.Ops[0].Clbits(), "Clone copies the bits")

	e := circuit.New(2)
	e.AddClbits("c", 2)
	require.NoError(t, e.Compose(c, []int{1, 0}, []int{1, 0}))
	assert.Equal(t, []int{1}, e.Ops[0].Qubits)
	assert.Equal(t, []int{0}, e.Ops[0].Clbits(), "Compose maps the bits")
	assert.Equal(t, []int{1}, c.Ops[0].Clbits(), "and leaves the source alone")

	bad := circuit.NewMeasure([]int{0, 1}, []int{0})
	assert.ErrorContains(t, c.Append(bad), "2 qubits but 1 classical bits")
}

func ExampleNewMeasure() {
	c := circuit.New(2).H(0).CX(0, 1)
	c.AddClbits("c", 2)
	if err := c.Append(circuit.NewMeasure([]int{0, 1}, []int{0, 1})); err != nil {
		panic(err)
	}
	op := &c.Ops[2]
	fmt.Println(op.Name(), op.Qubits, op.Clbits())
	// Output: measure [0 1] [0 1]
}

func TestPos(t *testing.T) {
	tests := []struct {
		name      string
		pos       circuit.Pos
		file, str string
		valid     bool
	}{
		{"file line col", circuit.NewPos("a.qasm", 3, 5), "a.qasm", "a.qasm:3:5", true},
		{"no file", circuit.NewPos("", 4, 1), "", "<input>:4:1", true},
		{"zero", circuit.Pos{}, "", "", false},
		{"saturated", circuit.NewPos("b.qasm", 1<<40, 7), "b.qasm", "b.qasm:2147483647:7", true},
		{"moved in its file", circuit.NewPos("c.qasm", 1, 1).At(9, 2), "c.qasm", "c.qasm:9:2", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.file, tc.pos.File())
			assert.Equal(t, tc.str, tc.pos.String())
			assert.Equal(t, tc.valid, tc.pos.IsValid())
		})
	}
	assert.Equal(t, circuit.NewPos("a.qasm", 3, 5), circuit.NewPos("a.qasm", 3, 5), "positions compare by file name")
}
