package export

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/internal/oracle"
	"github.com/qpeft/qpeft/qasm"
)

const tol = 1e-10

// TestQASMRoundTrip: qasm2 and qasm3 exports of random circuits read back with package qasm
// to the same unitary (qasm3 exactly, with the program's global phase; qasm2 up to a global
// phase, which OpenQASM 2 cannot express).
func TestQASMRoundTrip(t *testing.T) {
	seeds := 16
	if testing.Short() {
		seeds = 6
	}
	for seed := 0; seed < seeds; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 3))
		n := 1 + seed%4
		c := oracle.RandomCircuit(r, n, 20, oracle.Options{Symbolic: true, MaxCtrl: 2})
		env, vals := oracle.Env(r, c)
		want, err := oracle.Unitary(c, env)
		require.NoError(t, err)
		for _, tc := range []struct {
			target, basis string
			bind          bool
		}{
			{QASM3, "", false}, {QASM3, "auto", false}, {QASM3, "heron", false}, {QASM2, "auto", true}, {QASM2, "eagle", true},
		} {
			what := fmt.Sprintf("seed %d %s basis %q", seed, tc.target, tc.basis)
			o := Options{Basis: tc.basis}
			if tc.bind {
				o.Params = vals
			}
			p, err := Export(c, tc.target, o)
			require.NoError(t, err, what)
			back, err := qasm.Parse("export.qasm", p.Text)
			require.NoError(t, err, "%s: reading back\n%s", what, p.Text)
			m := map[string]float64{}
			for _, in := range p.Inputs {
				m[in.Name] = vals[in.Param]
			}
			got, err := oracle.Unitary(back, circuit.MapEnv(m))
			require.NoError(t, err, what)
			if tc.target == QASM2 {
				require.LessOrEqual(t, oracle.PhaseDiff(want, got), tol, "%s: differs up to global phase\n%s", what, p.Text)
				continue
			}
			gamma, err := circuit.Eval(p.GlobalPhase, env)
			require.NoError(t, err)
			require.LessOrEqual(t, oracle.MaxDiff(want, oracle.Scale(got, gamma)), tol, "%s: differs\n%s", what, p.Text)
		}
	}
}

// ionqCircuit rebuilds a circuit from IonQ JSON with the documented gate definitions.
func ionqCircuit(t *testing.T, data []byte) *circuit.Circuit {
	t.Helper()
	var doc IonQCircuit
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Equal(t, "ionq.circuit.v0", doc.Format, "format")
	c := circuit.New(doc.Qubits)
	qis := map[string]string{"x": "x", "cnot": "x", "y": "y", "z": "z", "h": "h", "s": "s", "si": "sdg", "t": "t",
		"ti": "tdg", "v": "sx", "vi": "sxdg", "rx": "rx", "ry": "ry", "rz": "rz", "swap": "swap"}
	for _, g := range doc.Circuit {
		switch {
		case doc.Gateset == "native" && g.Gate == "ms":
			require.False(t, *g.Angle < 0 || *g.Angle > 0.25 || math.Abs(g.Phases[0]) > 1 || math.Abs(g.Phases[1]) > 1, "ms out of range: %+v", g)
			c.MS(2*math.Pi*g.Phases[0], 2*math.Pi*g.Phases[1], 2*math.Pi**g.Angle, g.Targets[0], g.Targets[1])
		case doc.Gateset == "native":
			require.False(t, math.Abs(*g.Phase) > 1, "phase out of range: %+v", g)
			c.Gate(g.Gate, []int{*g.Target}, 2*math.Pi**g.Phase)
		default:
			var ctrl []int
			if g.Control != nil {
				ctrl = []int{*g.Control}
			}
			ctrl = append(ctrl, g.Controls...)
			targets := g.Targets
			if g.Target != nil {
				targets = []int{*g.Target}
			}
			var args []any
			if g.Rotation != nil {
				args = append(args, *g.Rotation)
			}
			c.Ctrl(qis[g.Gate], ctrl, targets, args...)
		}
	}
	return c
}

func TestIonQ(t *testing.T) {
	for seed := 0; seed < 8; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 9))
		n := 1 + seed%4
		c := oracle.RandomCircuit(r, n, 20, oracle.Options{MaxCtrl: 2})
		want, err := oracle.Unitary(c, nil)
		require.NoError(t, err)
		for _, o := range []Options{{Basis: "auto", Gateset: "qis"}, {Basis: "ionq"}, {Basis: "auto", Gateset: "native"}} {
			p, err := Export(c, IonQ, o)
			require.NoError(t, err, "seed %d %+v", seed, o)
			got, err := oracle.Unitary(ionqCircuit(t, p.Text), nil)
			require.NoError(t, err)
			gamma, _ := circuit.Eval(p.GlobalPhase, nil)
			require.LessOrEqual(t, oracle.MaxDiff(want, oracle.Scale(got, gamma)), tol, "seed %d %+v: differs\n%s", seed, o, p.Text)
		}
	}
}

// TestIonQMSRange: every ms angle, negative or beyond π/2, comes out in IonQ's [0, 0.25]
// turns and the program is still exact.
func TestIonQMSRange(t *testing.T) {
	for _, th := range []float64{0, 0.3, -0.3, math.Pi / 2, 2, -2, math.Pi, 3 * math.Pi, -5} {
		c := circuit.New(2).H(0).MS(0.4, -1.1, th, 0, 1)
		want, _ := oracle.Unitary(c, nil)
		p, err := Export(c, IonQ, Options{Gateset: "native", Basis: "auto"})
		require.NoError(t, err)
		got, _ := oracle.Unitary(ionqCircuit(t, p.Text), nil)
		gamma, _ := circuit.Eval(p.GlobalPhase, nil)
		require.LessOrEqual(t, oracle.MaxDiff(want, oracle.Scale(got, gamma)), tol, "θ = %v: differs\n%s", th, p.Text)
	}
}

func TestErrors(t *testing.T) {
	sym := circuit.New(2).H(0).CX(0, 1).RY("theta", 1)
	cu3 := circuit.New(2)
	require.NoError(t, cu3.Gate("cu3", []int{0, 1}, 0.1, 0.2, 0.3))
	cu3.Ops[0].Pos = circuit.NewPos("a.qasm", 4, 1)
	big := circuit.New(40).H(39)
	mid := circuit.New(1).H(0).Measure(0, 0).X(0)
	cases := []struct {
		c      *circuit.Circuit
		target string
		o      Options
		want   string
	}{
		{sym, QASM2, Options{}, `parameter "theta" cannot stay unbound in target qasm2`},
		{sym, IonQ, Options{}, `parameter "theta" cannot stay unbound in target ionq`},
		{cu3, IonQ, Options{}, `gate "cu3" (operation 0, a.qasm:4:1) cannot be exported to ionq`},
		{cu3, Quil, Options{}, `gate "cu3" (operation 0, a.qasm:4:1) cannot be exported to quil`},
		{cu3, Braket, Options{}, `gate "cu3" (operation 0, a.qasm:4:1) cannot be exported to braket`},
		{cu3, IonQ, Options{Gateset: "native"}, `cannot be exported to ionq: the IonQ native gateset has only gpi, gpi2 and ms`},
		{big, IonQ, Options{Device: "ionq_aria"}, "the circuit has 40 qubits but device ionq_aria (target ionq) has 25"},
		{big, QASM3, Options{Device: "ibm_heron"}, ""},
		{mid, IonQ, Options{}, "qubit 0 is used after it was measured"},
		{sym, Quil, Options{Memory: "ro"}, "not a usable memory name"},
		{sym, "pdf", Options{}, `unknown export target "pdf"`},
		{sym, QASM3, Options{Basis: "rz"}, "cannot express every single-qubit gate"},
		{sym, QASM3, Options{Params: map[string]float64{"phi": 1}}, `no parameter "phi"`},
		{circuit.New(1).RZ(circuit.Call{Fn: "ln", Arg: circuit.Param("a")}, 0), Quil, Options{}, "function ln is not available in Quil"},
	}
	for _, tc := range cases {
		_, err := Export(tc.c, tc.target, tc.o)
		if tc.want == "" {
			assert.NoError(t, err, "%s %+v", tc.target, tc.o)
			continue
		}
		assert.ErrorContains(t, err, tc.want, "%s %+v", tc.target, tc.o)
	}
	var ue *UnsupportedError
	_, err := Export(cu3, IonQ, Options{})
	if assert.ErrorAs(t, err, &ue, "UnsupportedError not returned") {
		assert.Equal(t, "cu3", ue.Op)
		assert.Equal(t, IonQ, ue.Target)
	}
}

// TestQuilText pins the Quil rendering of parameters, modifiers and phases.
func TestQuilText(t *testing.T) {
	c := circuit.New(3).H(0).RY(circuit.Add(circuit.Mul(circuit.Num(2), circuit.Param("b")), circuit.Num(math.Pi/2)), 1)
	c.Ctrl("rx", []int{0}, []int{2}, "a").Sdg(1).CCX(0, 1, 2).SX(0)
	c.Measure(2, 0)
	p, err := Export(c, Quil, Options{})
	require.NoError(t, err)
	want := `DECLARE theta REAL[2]
# theta[0] = b
# theta[1] = a
DECLARE ro BIT[1]
H 0
RY((2.0*theta[0])+(pi/2)) 1
CONTROLLED RX(theta[1]) 0 2
DAGGER S 1
CCNOT 0 1 2
RX(pi/2) 0
MEASURE 2 ro[0]
`
	assert.Equal(t, want, string(p.Text))
	g, _ := circuit.Eval(p.GlobalPhase, nil)
	assert.InDelta(t, math.Pi/4, g, 1e-15, "global phase, want π/4 (sx = e^{iπ/4}·rx(π/2))")
}

// TestEveryGateHasATarget: with basis auto, every gate of the vocabulary exports to every
// target.
func TestEveryGateHasATarget(t *testing.T) {
	for _, g := range gates.All() {
		n := max(g.Qubits, 1)
		c := circuit.New(n)
		args := make([]circuit.Expr, g.Params)
		for i := range args {
			args[i] = circuit.Num(0.3 + float64(i))
		}
		qs := make([]int, g.Qubits)
		for i := range qs {
			qs[i] = i
		}
		require.NoError(t, c.Append(circuit.Op{Kind: circuit.GateOp, Gate: g, Qubits: qs, Args: args}))
		for _, target := range Targets() {
			_, err := Export(c, target, Options{Basis: "auto"})
			assert.NoError(t, err, "%s → %s", g.Name, target)
		}
	}
}
