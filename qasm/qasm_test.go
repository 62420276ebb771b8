package qasm

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
)

func TestProgramInfo(t *testing.T) {
	src := `OPENQASM 3.0;
include "stdgates.inc";
#pragma qpeft adapter
input float[64] alpha;
input angle[32] beta;
input array[float[64], 3] w;
qubit[2] q;
rx(alpha) q[0];
ry(w[2] * beta) q[1];
`
	p := mustParse(t, "info.qasm", src)
	assert.Equal(t, "3.0", p.Version, "version")
	assert.Equal(t, 3, p.Major, "major version")
	assert.Equal(t, "[alpha beta w[0] w[1] w[2]]", fmt.Sprint(p.Circuit.Params), "params")
	var got []string
	for _, in := range p.Inputs {
		got = append(got, fmt.Sprintf("%s %s %v %s", in.Name, in.Type, in.Params, in.Pos))
	}
	assert.Equal(t, "alpha float[64] [alpha] info.qasm:4:1; beta angle[32] [beta] info.qasm:5:1; w array[float[64], 3] [w[0] w[1] w[2]] info.qasm:6:1", strings.Join(got, "; "), "inputs")
	if assert.Len(t, p.Pragmas, 1, "pragmas") {
		assert.Equal(t, "qpeft adapter", p.Pragmas[0].Text, "pragma text")
		assert.Equal(t, int32(3), p.Pragmas[0].Pos.Line, "pragma line")
	}
	op := p.Circuit.Ops[1]
	assert.Equal(t, "info.qasm:9:1", op.Pos.String(), "op position")
	assert.Equal(t, "w[2] * beta", op.Args[0].String(), "op argument")
}

func TestIncludes(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "lib")
	require.NoError(t, os.Mkdir(sub, 0o755))
	write := func(path, text string) {
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
	write(filepath.Join(sub, "layers.inc"), "include \"more.inc\";\ngate layer(t) a, b { ry(t) a; ry(t) b; cz a, b; }\n")
	write(filepath.Join(sub, "more.inc"), "gate flip a { x a; }\n")
	write(filepath.Join(dir, "main.qasm"), "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninclude \"lib/layers.inc\";\nqubit[2] q;\nlayer(0.5) q[0], q[1];\nflip q[1];\n")
	c, err := ParseFile(filepath.Join(dir, "main.qasm"))
	require.NoError(t, err)
	if assert.Len(t, c.Ops, 4, "ops: %v", c.CountOps()) {
		assert.Equal(t, "x", c.Ops[3].Gate.Name, "ops: %v", c.CountOps())
	}
	// Errors inside an included file name that file.
	write(filepath.Join(sub, "bad.inc"), "gate broken a { nosuch a; }\n")
	write(filepath.Join(dir, "bad.qasm"), "OPENQASM 3.0;\ninclude \"lib/bad.inc\";\n")
	_, err = ParseFile(filepath.Join(dir, "bad.qasm"))
	assert.ErrorContains(t, err, filepath.Join(sub, "bad.inc")+":1:17: unknown gate nosuch", "error in include")
	// OpenQASM 2 includes are read as OpenQASM 2 (where ^ is a power).
	write(filepath.Join(dir, "pow.inc"), "gate sq(a) q { rz(a^2) q; }\n")
	write(filepath.Join(dir, "two.qasm"), "OPENQASM 2.0;\ninclude \"qelib1.inc\";\ninclude \"pow.inc\";\nqreg q[1];\nsq(3) q[0];\n")
	c, err = ParseFile(filepath.Join(dir, "two.qasm"))
	require.NoError(t, err)
	v, _ := circuit.Eval(c.Ops[0].Args[0], nil)
	assert.Equal(t, 9.0, v, "3^2")
	// A custom file system.
	cfg := Config{ReadFile: func(p string) ([]byte, error) {
		if p == "virtual/g.inc" {
			return []byte("gate g a { h a; }"), nil
		}
		return nil, fs.ErrNotExist
	}}
	p, err := cfg.Parse("virtual/main.qasm", []byte("include \"g.inc\";\nqubit q;\ng q;"))
	if assert.NoError(t, err, "virtual include") {
		assert.Len(t, p.Circuit.Ops, 1, "virtual include")
	}
}

func TestLimits(t *testing.T) {
	cases := []struct {
		lim  Limits
		src  string
		want string
	}{
		{Limits{MaxSourceBytes: 10}, "OPENQASM 3.0; qubit q;", "limit MaxSourceBytes"},
		{Limits{MaxQubits: 3}, "qubit[4] q;", "limit MaxQubits"},
		{Limits{MaxQubits: 3}, "h $3;", "limit MaxQubits"},
		{Limits{MaxClbits: 3}, "bit[4] c;", "limit MaxClbits"},
		{Limits{MaxParams: 3}, "input array[float[64], 4] t;", "limit MaxParams"},
		{Limits{MaxOps: 10}, "qubit q; for int i in [1:11] { h q; }", "limit MaxOps"},
		{Limits{MaxLoopIterations: 10}, "for int i in [0:10] { }", "limit MaxLoopIterations"},
		{Limits{MaxLoopIterations: 10}, "for int i in [0:5] { for int j in [0:5] { } }", "limit MaxLoopIterations"},
		{Limits{MaxNesting: 5}, "if (true) { if (true) { if (true) { if (true) { if (true) { if (true) { } } } } } }", "limit MaxNesting"},
		{Limits{MaxExprNodes: 20}, "input float[64] x; float[64] y = x; for int i in [0:20] { y = y * x + 1; }", "limit MaxExprNodes"},
		{Limits{MaxExprNodes: 20}, "input float[64] x; float[64] y = x; for int i in [0:60] { y = y + y; }", "limit MaxExprNodes"},
		{Limits{MaxErrors: 3}, "qubit q; a q; b q; c q; d q; e q;", "too many errors"},
		{Limits{}, "qubit q; gate g a { U(0,0,0) a; U(0,0,0) a; U(0,0,0) a; } pow(4000000000000000000) @ g q;", "limit MaxOps"},
		{Limits{}, "qubit q; pow(-9223372036854775807 - 1) @ U(0,0,0) q;", "limit MaxOps"},
		// Evaluation work and symbolic substitution are bounded too, not just operations.
		{Limits{MaxOps: 1000}, "int x = 0; for int i in [0:2000] { x = 1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1; }", "evaluation steps"},
		{Limits{MaxOps: 1000}, "input float[64] x; float[64] y = x; for int i in [0:50] { y = y + x; } gate g(a) q { rz(a) q; } qubit q; for int i in [0:900] { g(y) q; }", "limit MaxOps"},
		{Limits{MaxOps: 1000}, "input float[64] x; float[64] y = x; for int i in [0:50] { y = y + x; } qubit q; for int i in [0:900] { rz(y) q; }", "limit MaxOps"},
	}
	for _, c := range cases {
		cfg := Config{Limits: c.lim}
		_, err := cfg.Parse("lim.qasm", []byte(c.src))
		assert.ErrorContains(t, err, c.want, "%q: want an error naming %s", c.src, c.want)
	}
	// Includes count towards the source limit.
	cfg := Config{Limits: Limits{MaxSourceBytes: 100}, ReadFile: func(string) ([]byte, error) {
		return []byte(strings.Repeat("// padding\n", 20)), nil
	}}
	_, err := cfg.Parse("m.qasm", []byte("include \"big.inc\";"))
	assert.ErrorContains(t, err, "MaxSourceBytes", "include size")
}

func TestParseReader(t *testing.T) {
	var cfg Config
	p, err := cfg.ParseReader("<stdin>", strings.NewReader("qubit q; h q;"))
	if assert.NoError(t, err) && assert.Len(t, p.Circuit.Ops, 1, "%v", p) {
		assert.Equal(t, "<stdin>", p.Circuit.Ops[0].Pos.File())
	}
	cfg.Limits.MaxSourceBytes = 4
	_, err = cfg.ParseReader("<stdin>", strings.NewReader("qubit q;"))
	assert.ErrorContains(t, err, "MaxSourceBytes", "size limit")
	_, err = ParseFile(filepath.Join(t.TempDir(), "missing.qasm"))
	assert.ErrorIs(t, err, fs.ErrNotExist, "missing file")
}

// Values that only the input parameters determine stay symbolic, and evaluate like the
// text says.
func TestSymbolicExpressions(t *testing.T) {
	src := `OPENQASM 3.0;
include "stdgates.inc";
input float[64] a;
input array[angle[32], 2] t;
qubit q;
float[64] b = 2 * a - t[1] / 4;
gate g(x) r { rz(sin(x) ** 2 + log(x)) r; }
rx(b) q;
g(a + t[0]) q;
ry(-t[-1]) q;
for float[64] v in t { rz(v) q; }
`
	p := mustParse(t, "sym.qasm", src)
	a, t0, t1 := 0.7, 0.3, -1.1
	env := circuit.MapEnv(map[string]float64{"a": a, "t[0]": t0, "t[1]": t1})
	want := []float64{2*a - t1/4, math.Pow(math.Sin(a+t0), 2) + math.Log(a+t0), -t1, t0, t1}
	for i, w := range want {
		v, err := circuit.Eval(p.Circuit.Ops[i].Args[0], env)
		if assert.NoError(t, err, "op %d (%v)", i, p.Circuit.Ops[i].Args[0]) {
			assert.InDelta(t, w, v, 1e-15, "op %d (%v)", i, p.Circuit.Ops[i].Args[0])
		}
	}
}

// OpenQASM 2 reads every number as real; OpenQASM 3 divides integers.
func TestIntegerSemantics(t *testing.T) {
	p2 := mustParse(t, "a.qasm", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\nrx(1/2) q[0];\n")
	p3 := mustParse(t, "b.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit q;\nrx(1/2) q;\nrx(1.0/2) q;\nrx(7 % 4) q;\n")
	v2, _ := circuit.Eval(p2.Circuit.Ops[0].Args[0], nil)
	var v3 []float64
	for _, op := range p3.Circuit.Ops {
		v, _ := circuit.Eval(op.Args[0], nil)
		v3 = append(v3, v)
	}
	assert.Equal(t, 0.5, v2, "OpenQASM 2")
	assert.Equal(t, "[0 0.5 3]", fmt.Sprint(v3), "OpenQASM 3")
}

func TestPrintErrors(t *testing.T) {
	c := circuit.New(2).RY("theta", 0)
	_, err := Print(c, PrintOptions{Version: 2})
	assert.ErrorContains(t, err, "unbound parameters theta", "unbound in OpenQASM 2")
	c = circuit.New(3).Ctrl("rz", []int{0, 1}, []int{2}, 0.5)
	_, err = Print(c, PrintOptions{Version: 2})
	assert.ErrorContains(t, err, "OpenQASM 2 cannot express ctrl(2) @ rz", "ctrl in OpenQASM 2")
	c = circuit.New(1).RX(math.Inf(1), 0)
	_, err = Print(c, PrintOptions{})
	assert.ErrorContains(t, err, "not a finite number", "infinite angle")
	c = circuit.New(1).RX("bad name", 0)
	_, err = Print(c, PrintOptions{})
	assert.ErrorContains(t, err, "not a valid OpenQASM identifier", "bad parameter name")
	_, err = Print(circuit.New(1), PrintOptions{Version: 4})
	assert.Error(t, err, "version 4 printed")
	// Register names that clash with parameters or keywords are replaced.
	c = circuit.New(2).RX("q", 0)
	c.QRegs = []circuit.Register{{Name: "for", Start: 0, Size: 2}}
	out, err := Print(c, PrintOptions{})
	if assert.NoError(t, err, "renamed register") {
		assert.Contains(t, string(out), "qubit[2] q0;", "renamed register")
	}
}

// The printed forms of some circuits, exactly.
func TestPrintGolden(t *testing.T) {
	c := circuit.New(3)
	c.AddClbits("c", 2)
	c.H(0).CX(0, 1).Ctrl("ry", []int{0, 1}, []int{2}, circuit.Div(circuit.Param("t[1]"), circuit.Num(2)))
	c.RZZ(circuit.Param("theta"), 1, 2).Measure(0, 0).X(2).If([]int{0}, 1).GPhase(math.Pi / 4)
	got, err := Print(c, PrintOptions{})
	require.NoError(t, err)
	want := `OPENQASM 3.0;
include "stdgates.inc";
gate rzz(theta) a, b { cx a, b; rz(theta) b; cx a, b; }
input array[float[64], 2] t;
input float[64] theta;
qubit[3] q;
bit[2] c;
h q[0];
cx q[0], q[1];
ctrl(2) @ ry(t[1] / 2.0) q[0], q[1], q[2];
rzz(theta) q[1], q[2];
c[0] = measure q[0];
if (c[0] == 1) x q[2];
gphase(pi/4);
`
	assert.Equal(t, want, string(got))
	b, _ := c.Bind(map[string]float64{"t[1]": 1e21, "theta": -0.5})
	got, err = Print(b, PrintOptions{Version: 2})
	assert.Error(t, err, "OpenQASM 2 printed a partial condition:\n%s", got)
	b.Ops[5].Cond.Clbits = []int{0, 1}
	got, err = Print(b, PrintOptions{Version: 2})
	assert.Error(t, err, "OpenQASM 2 printed ctrl(2) @ ry:\n%s", got)
	b.Ops[2].Ctrl, b.Ops[2].Qubits = 1, []int{1, 2}
	got, err = Print(b, PrintOptions{Version: 2})
	require.NoError(t, err)
	want = `OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[2];
h q[0];
cx q[0], q[1];
cry(5.0e+20) q[1], q[2];
rzz(-0.5) q[1], q[2];
measure q[0] -> c[0];
if(c==1) x q[2];
// gphase(pi/4) omitted: a global phase is unobservable and OpenQASM 2 cannot express it
`
	assert.Equal(t, want, string(got))
}
