package circuit_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// TestNonFiniteAngles checks that every way of evaluating angles (Op.Params and Bind)
// refuses one that is NaN or ±Inf, naming the gate, its position and the values used.
func TestNonFiniteAngles(t *testing.T) {
	pos := circuit.NewPos("a.qasm", 5, 1)
	t1 := circuit.Div(circuit.Num(1), circuit.Param("t"))
	expTheta := circuit.Call{Fn: "exp", Arg: circuit.Param("theta")}
	for _, tc := range []struct {
		name   string
		arg    circuit.Expr
		values map[string]float64
		want   []string // words of the error; nil: no error
	}{
		{"1/t at t=0", t1, map[string]float64{"t": 0}, []string{"a.qasm:5:1", "gate rx", "+Inf", "t = 0"}},
		{"1/t at t=-0", t1, map[string]float64{"t": math.Copysign(0, -1)}, []string{"a.qasm:5:1", "-Inf"}},
		{"NaN value", circuit.Param("t"), map[string]float64{"t": math.NaN()}, []string{"a.qasm:5:1", "gate rx", "NaN", "t = NaN"}},
		{"Inf value", circuit.Param("t"), map[string]float64{"t": math.Inf(1)}, []string{"gate rx", "+Inf"}},
		{"exp overflow", expTheta, map[string]float64{"theta": 1000}, []string{"exp(theta)", "+Inf", "theta = 1000"}},
		{"0*inf", circuit.Mul(circuit.Num(0), circuit.Param("t")), map[string]float64{"t": math.Inf(-1)}, []string{"NaN"}},
		{"finite", t1, map[string]float64{"t": 2}, nil},
		{"exp in range", expTheta, map[string]float64{"theta": 700}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := circuit.New(1)
			require.NoError(t, c.Append(circuit.Op{Kind: circuit.GateOp, Gate: mustGate(t, "rx"), Qubits: []int{0}, Args: []circuit.Expr{tc.arg}, Pos: pos}))
			_, perr := c.Ops[0].Params(circuit.MapEnv(tc.values))
			_, berr := c.Bind(tc.values)
			if tc.want == nil {
				assert.NoError(t, perr)
				assert.NoError(t, berr)
				return
			}
			for _, err := range []error{perr, berr} {
				var nf *circuit.NonFiniteError
				require.ErrorAs(t, err, &nf)
				assert.False(t, circuit.IsFinite(nf.Value))
				assert.Equal(t, pos, nf.Pos)
				for _, w := range tc.want {
					assert.Contains(t, err.Error(), w)
				}
			}
		})
	}
}

// TestBindRefusesNonFiniteValue: a non-finite value is refused even when the expression
// using it stays symbolic or no gate uses the parameter.
func TestBindRefusesNonFiniteValue(t *testing.T) {
	c := circuit.New(1).RX(circuit.Mul(circuit.Param("a"), circuit.Param("b")), 0)
	c.DeclareParam("unused")
	for _, name := range []string{"a", "unused"} {
		_, err := c.Bind(map[string]float64{name: math.NaN()})
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), name+" = NaN is not a finite number")
	}
}

func mustGate(t *testing.T, name string) *gates.Gate {
	t.Helper()
	g, ok := gates.Get(name)
	require.True(t, ok, name)
	return g
}

// ExampleNonFiniteError shows the error Bind returns when an angle becomes infinite.
func ExampleNonFiniteError() {
	c := circuit.New(1).RX(circuit.Div(circuit.Num(1), circuit.Param("t")), 0)
	_, err := c.Bind(map[string]float64{"t": 0})
	var nf *circuit.NonFiniteError
	fmt.Println(errors.As(err, &nf), nf.Gate, nf.Value)
	fmt.Println(err)
	// Output:
	// true rx +Inf
	// gate rx: angle 1 (1.0 / t) is +Inf with t = 0; gate angles must be finite numbers
}
