package circuit

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/gates"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExprEvalAndDerivative(t *testing.T) {
	env := MapEnv(map[string]float64{"x": 0.7, "y": -1.3})
	x, y := Param("x"), Param("y")
	cases := []struct {
		e    Expr
		want float64
		text string
	}{
		{Add(Mul(Num(2), x), Div(Num(math.Pi), Num(4))), 2*0.7 + math.Pi/4, "2.0 * x + pi / 4.0"},
		{Sub(x, Sub(y, Num(1))), 0.7 - (-1.3 - 1), "x - (y - 1.0)"},
		{Div(x, Mul(y, Num(3))), 0.7 / (-1.3 * 3), "x / (y * 3.0)"},
		{Neg{Add(x, y)}, -(0.7 - 1.3), "-(x + y)"},
		{Binary{'^', x, Num(2)}, 0.49, "x ** 2.0"},
		{Binary{'^', Num(-2), Num(2)}, 4, "(-2.0) ** 2.0"},
		{Call{"sin", Mul(x, y)}, math.Sin(0.7 * -1.3), "sin(x * y)"},
		{Call{"sqrt", Call{"exp", x}}, math.Sqrt(math.Exp(0.7)), "sqrt(exp(x))"},
		{Call{"ln", Neg{y}}, math.Log(1.3), "ln(-y)"},
		{Num(-math.Pi / 2), -math.Pi / 2, "-pi/2"},
		{Num(3 * math.Pi / 4), 3 * math.Pi / 4, "3*pi/4"},
		{Num(0.1), 0.1, "0.1"},
	}
	const h = 1e-6
	for _, c := range cases {
		v, err := Eval(c.e, env)
		if err != nil || math.Abs(v-c.want) > 1e-15 {
			t.Errorf("%s = %v (%v), want %v", c.text, v, err, c.want)
		}
		if c.e.String() != c.text {
			t.Errorf("String() = %q, want %q", c.e.String(), c.text)
		}
		for _, s := range []string{"x", "y"} {
			_, d, err := EvalDeriv(c.e, env, s)
			require.NoError(t, err)
			shift := func(dv float64) float64 {
				m := map[string]float64{"x": 0.7, "y": -1.3}
				m[s] += dv
				v, _ := Eval(c.e, MapEnv(m))
				return v
			}
			fd := (shift(h) - shift(-h)) / (2 * h)
			assert.InDelta(t, fd, d, 1e-7*math.Max(1, math.Abs(fd)), "∂(%s)/∂%s = %v, finite differences %v", c.text, s, d, fd)
		}
	}
	_, err := Eval(Param("zz"), env)
	var ue *UnboundError
	if !errors.As(err, &ue) || ue.Name != "zz" || !strings.Contains(err.Error(), "--param zz=") {
		t.Errorf("unbound symbol error = %v", err)
	}
}

func TestFormatAngleRoundTrips(t *testing.T) {
	for _, v := range []float64{math.Pi, -math.Pi, math.Pi / 2, 3 * math.Pi / 4, -math.Pi / 8, 2 * math.Pi, 0.1, 1e-300, -0, 12345.678} {
		s := FormatAngle(v)
		// Evaluate the printed text with the same arithmetic a parser would use.
		var got float64
		switch {
		case strings.Contains(s, "pi"):
			k, d := 1.0, 1.0
			body := s
			neg := strings.HasPrefix(body, "-")
			body = strings.TrimPrefix(body, "-")
			if i := strings.Index(body, "/"); i >= 0 {
				fmt.Sscan(body[i+1:], &d)
				body = body[:i]
			}
			if i := strings.Index(body, "*"); i >= 0 {
				fmt.Sscan(body[:i], &k)
			}
			got = math.Pi
			if k != 1 {
				got = k * math.Pi
			}
			if d != 1 {
				got /= d
			}
			if neg {
				got = -got
			}
		default:
			fmt.Sscan(s, &got)
		}
		if got != v {
			t.Errorf("FormatAngle(%v) = %q reads back as %v", v, s, got)
		}
	}
}

func TestBind(t *testing.T) {
	c := New(2).RY("a", 0).RY(Add(Param("a"), Param("b")), 1).CZ(0, 1)
	if got := strings.Join(c.Params, ","); got != "a,b" {
		t.Fatalf("params = %s", got)
	}
	b, err := c.Bind(map[string]float64{"a": 0.5})
	require.NoError(t, err)
	if len(b.Params) != 1 || b.Params[0] != "b" {
		t.Fatalf("after binding a, params = %v", b.Params)
	}
	if _, ok := b.Ops[0].Args[0].(Const); !ok {
		t.Fatalf("a was not substituted: %v", b.Ops[0].Args[0])
	}
	if _, err := c.Bind(map[string]float64{"nope": 1}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := c.BindVector([]float64{1}); err == nil || !strings.Contains(err.Error(), "2 parameters") {
		t.Errorf("short vector: %v", err)
	}
	full, err := c.BindVector([]float64{0.5, 0.25})
	if err != nil || !full.IsBound() {
		t.Fatal(err)
	}
	v, _ := Eval(full.Ops[1].Args[0], nil)
	if v != 0.75 {
		t.Errorf("bound a+b = %v", v)
	}
	// The original is untouched.
	if _, ok := c.Ops[0].Args[0].(Sym); !ok {
		t.Errorf("Bind modified its receiver")
	}
}

func TestAppendErrors(t *testing.T) {
	c := New(2)
	c.AddClbits("c", 1)
	cases := []struct {
		op   Op
		want string
	}{
		{Op{Kind: GateOp, Gate: gates.MustGet("cx"), Qubits: []int{0}}, "cx takes 2 qubits, got 1"},
		{Op{Kind: GateOp, Gate: gates.MustGet("cx"), Qubits: []int{0, 0}}, "qubit 0 used twice"},
		{Op{Kind: GateOp, Gate: gates.MustGet("h"), Qubits: []int{5}}, "qubit 5 out of range (the circuit has 2 qubits)"},
		{Op{Kind: GateOp, Gate: gates.MustGet("rx"), Qubits: []int{0}}, "rx takes 1 parameters, got 0"},
		{NewMeasure([]int{0}, []int{3}), "classical bit 3 out of range"},
		{Op{Kind: GateOp, Gate: gates.MustGet("x"), Qubits: []int{0}, Cond: &Cond{Clbits: []int{7}}}, "condition bit 7 out of range"},
		{Op{Kind: GateOp, Gate: gates.MustGet("x"), Qubits: []int{0}, Pos: NewPos("a.qasm", 3, 5)}, ""},
		{Op{Kind: GateOp, Gate: gates.MustGet("x"), Qubits: []int{9}, Pos: NewPos("a.qasm", 3, 5)}, "a.qasm:3:5: x: qubit 9"},
	}
	for _, tc := range cases {
		err := c.Append(tc.op)
		if tc.want == "" {
			assert.NoError(t, err, "unexpected error")
			continue
		}
		assert.ErrorContains(t, err, tc.want)
	}
	if err := c.Gate("rzx", []int{0, 1}, 1.0); err == nil || !strings.Contains(err.Error(), `"rzx"`) {
		t.Errorf("unknown gate: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("fluent builder with a bad qubit did not panic")
		}
	}()
	New(1).CX(0, 1)
}

func TestCheckReal(t *testing.T) {
	ok := New(3).RY("t0", 0).CZ(0, 1).CX(1, 2).H(2).Swap(0, 2).Ctrl("ry", []int{0}, []int{1}, 0.2)
	assert.NoError(t, ok.CheckReal(), "real circuit rejected")
	bad := New(2).RY(0.1, 0)
	bad.Ops = append(bad.Ops, Op{Kind: GateOp, Gate: gates.MustGet("rz"), Qubits: []int{1}, Args: []Expr{Num(1)}, Pos: NewPos("ansatz.qasm", 4, 1)})
	err := bad.CheckReal()
	var nr *NotRealError
	if !errors.As(err, &nr) || nr.Gate != "rz" || nr.Index != 1 || !strings.Contains(err.Error(), "ansatz.qasm:4:1") {
		t.Errorf("CheckReal = %v", err)
	}
	if err := New(1).H(0).Measure(0, 0).CheckReal(); err == nil {
		t.Errorf("measurement accepted in an orthogonal map")
	}
}

func TestDepthAndCounts(t *testing.T) {
	c := New(3).H(0).CX(0, 1).CX(1, 2).X(0).Barrier().H(2)
	if d := c.Depth(); d != 4 {
		t.Errorf("depth = %d, want 4", d)
	}
	if n := c.CountOps()["cx"]; n != 2 {
		t.Errorf("cx count = %d", n)
	}
}

func ExampleCircuit_RY() {
	// A two-qubit real ansatz with one shared parameter.
	c := New(2).RY("theta", 0).RY("theta", 1).CZ(0, 1)
	fmt.Println(c.Params, len(c.Ops), c.IsReal())
	b, _ := c.Bind(map[string]float64{"theta": math.Pi / 2})
	fmt.Println(b.Ops[0].Args[0])
	// Output:
	// [theta] 3 true
	// pi/2
}

func TestParamIndexSurvivesDirectEdits(t *testing.T) {
	c := New(1)
	for i := 0; i < 5000; i++ {
		c.DeclareParam(fmt.Sprintf("p%d", i))
	}
	if c.ParamIndex("p4999") != 4999 || c.ParamIndex("nope") != -1 {
		t.Fatal("index lookup wrong")
	}
	c.Params = []string{"a", "b"} // replaced wholesale, shorter
	if !c.HasParam("b") || c.HasParam("p3") {
		t.Fatal("stale index after shrinking Params")
	}
	c.Params = []string{"x", "y"} // same length, other names
	if !c.HasParam("y") || c.HasParam("a") {
		t.Fatal("stale index after replacing Params")
	}
	c.DeclareParam("y")
	c.DeclareParam("z")
	if strings.Join(c.Params, ",") != "x,y,z" {
		t.Fatalf("params = %v", c.Params)
	}
}
