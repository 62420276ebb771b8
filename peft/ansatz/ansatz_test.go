package ansatz

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPauliParamCount checks the acceptance criterion: the Pauli ansatz has exactly
// (2L+1)·n − 2L angles for n = 1..16 and L = 0..6, counted three independent ways (the
// formula, the circuit's declared parameters, and the number of RY operations).
func TestPauliParamCount(t *testing.T) {
	for n := 1; n <= 16; n++ {
		for L := 0; L <= 6; L++ {
			want := (2*L+1)*n - 2*L
			got, err := PauliParams(n, L)
			if err != nil || got != want {
				t.Fatalf("PauliParams(%d,%d) = %d, %v; want %d", n, L, got, err, want)
			}
			c, err := Pauli(n, L)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Params) != want {
				t.Errorf("n=%d L=%d: %d parameters, want %d", n, L, len(c.Params), want)
			}
			ops := c.CountOps()
			if ops["ry"] != want {
				t.Errorf("n=%d L=%d: %d RY gates, want %d", n, L, ops["ry"], want)
			}
			if ops["cz"] != L*(n-1) {
				t.Errorf("n=%d L=%d: %d CZ gates, want %d", n, L, ops["cz"], L*(n-1))
			}
			if len(ops) > 2 || (L == 0 || n == 1) && ops["cz"] != 0 {
				t.Errorf("n=%d L=%d: unexpected gates %v", n, L, ops)
			}
			if err := Check(c); err != nil {
				t.Errorf("n=%d L=%d: %v", n, L, err)
			}
		}
	}
}

// TestPauliLayout compares the gate sequence with the hand-written canonical order.
func TestPauliLayout(t *testing.T) {
	cases := []struct {
		n, L int
		want string
	}{
		{1, 2, "ry(0)q0"},
		{2, 1, "ry(0)q0 ry(1)q1 cz q0,q1 ry(2)q0 ry(3)q1"},
		{3, 1, "ry(0)q0 ry(1)q1 ry(2)q2 cz q0,q1 ry(3)q0 ry(4)q1 cz q1,q2 ry(5)q1 ry(6)q2"},
		{4, 1, "ry(0)q0 ry(1)q1 ry(2)q2 ry(3)q3 cz q0,q1 ry(4)q0 ry(5)q1 cz q2,q3 ry(6)q2 ry(7)q3 cz q1,q2 ry(8)q1 ry(9)q2"},
		{3, 2, "ry(0)q0 ry(1)q1 ry(2)q2 cz q0,q1 ry(3)q0 ry(4)q1 cz q1,q2 ry(5)q1 ry(6)q2 cz q0,q1 ry(7)q0 ry(8)q1 cz q1,q2 ry(9)q1 ry(10)q2"},
	}
	for _, tc := range cases {
		c, err := Pauli(tc.n, tc.L)
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, op := range c.Ops {
			switch op.Gate.Name {
			case "ry":
				s := op.Args[0].(circuit.Sym).Name
				parts = append(parts, fmt.Sprintf("ry(%s)q%d", strings.TrimSuffix(strings.TrimPrefix(s, "theta["), "]"), op.Qubits[0]))
			default:
				parts = append(parts, fmt.Sprintf("%s q%d,q%d", op.Gate.Name, op.Qubits[0], op.Qubits[1]))
			}
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("Pauli(%d,%d):\n got %s\nwant %s", tc.n, tc.L, got, tc.want)
		}
		for i, p := range c.Params {
			if p != ParamName(i) {
				t.Errorf("Pauli(%d,%d): parameter %d is %q", tc.n, tc.L, i, p)
			}
		}
	}
}

func TestPauliErrors(t *testing.T) {
	for _, tc := range []struct{ n, L int }{{0, 1}, {-1, 0}, {3, -1}, {MaxQubits + 1, 1}} {
		if _, err := Pauli(tc.n, tc.L); err == nil {
			t.Errorf("Pauli(%d,%d): no error", tc.n, tc.L)
		}
	}
}

func TestCheck(t *testing.T) {
	good := circuit.New(2).H(0).CX(0, 1).RY("a", 1).CZ(0, 1).Swap(0, 1).X(1).Z(0).CRY("b", 0, 1)
	if err := Check(good); err != nil {
		t.Errorf("real circuit rejected: %v", err)
	}
	rz := circuit.New(2).RY("a", 0)
	if err := rz.Append(circuit.Op{Kind: circuit.GateOp, Gate: gates.MustGet("rz"), Qubits: []int{1},
		Args: []circuit.Expr{circuit.Param("b")}, Pos: circuit.NewPos("a.qasm", 4, 1)}); err != nil {
		t.Fatal(err)
	}
	err := Check(rz)
	var nr *circuit.NotRealError
	if !errors.As(err, &nr) || nr.Gate != "rz" || !strings.Contains(err.Error(), "a.qasm:4:1") {
		t.Errorf("rz: got %v", err)
	}
	if err := Check(circuit.New(1).RY("a", 0).Measure(0, 0)); err == nil || !strings.Contains(err.Error(), "not unitary") {
		t.Errorf("measure: got %v", err)
	}
	if err := Check(circuit.New(0)); err == nil {
		t.Error("0 qubits accepted")
	}
	if err := Check(nil); err == nil {
		t.Error("nil accepted")
	}
}

func TestPauliCircuitBeyondAdapterLimit(t *testing.T) {
	c, err := PauliCircuit(MaxQubits+1, 1)
	require.NoError(t, err)
	p, err := PauliParams(MaxQubits+1, 1)
	require.NoError(t, err)
	assert.Equal(t, MaxQubits+1, c.NumQubits)
	assert.Len(t, c.Params, p)
	small, err := Pauli(4, 2)
	require.NoError(t, err)
	same, err := PauliCircuit(4, 2)
	require.NoError(t, err)
	assert.Equal(t, small.Ops, same.Ops)
	_, err = PauliCircuit(0, 1)
	assert.Error(t, err)
}
