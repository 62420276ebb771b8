package transpile

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/internal/oracle"
	"github.com/qpeft/qpeft/peft/ansatz"
)

const tol = 1e-10

// testBases covers the presets and custom bases exercising every single-qubit family and
// every entangler.
func testBases(t *testing.T) []Basis {
	t.Helper()
	out := []Basis{Heron(), Eagle(), Rigetti(), IonQ()}
	for _, s := range []string{
		"rz,ry,cx,gphase", "U,cx", "u3,cz", "u,ecr,gphase", "p,sx,cz", "u1,ry,cy", "h,rz,cx", "h,p,cz",
		"rx,ry,rzz", "rz,rx,rxx", "gpi,gpi2,ms,gphase", "rz,sx,x,cz,gphase", "rz,gpi2,ms", "rz,ry,cp",
		"rz,sx,ecr", "rx,ry,cz,gphase",
	} {
		b, err := ParseBasis(s)
		require.NoError(t, err, "ParseBasis(%q)", s)
		out = append(out, b)
	}
	return out
}

// checkInBasis fails unless every gate of c is in b with an allowed angle.
func checkInBasis(t *testing.T, c *circuit.Circuit, b Basis) {
	t.Helper()
	for i := range c.Ops {
		op := &c.Ops[i]
		if op.Kind != circuit.GateOp {
			continue
		}
		require.Zero(t, op.Ctrl, "basis %s: operation %d %s keeps a control modifier", b, i, op.Name())
		vals, ok := opConstArgs(op)
		require.True(t, b.allows(op.Gate.Name, vals, !ok), "basis %s: operation %d is %s%v, not in the basis", b, i, op.Gate.Name, op.Args)
	}
}

// checkEquivalent compares original and translated unitaries, exactly with the returned
// global phase, for the parameter values env.
func checkEquivalent(t *testing.T, what string, orig *circuit.Circuit, res *Result, env circuit.Env) {
	t.Helper()
	u0, err := oracle.Unitary(orig, env)
	require.NoError(t, err)
	u1, err := oracle.Unitary(res.Circuit, env)
	require.NoError(t, err, what)
	gamma, err := circuit.Eval(res.GlobalPhase, env)
	require.NoError(t, err, "%s: global phase", what)
	require.LessOrEqual(t, oracle.MaxDiff(u0, oracle.Scale(u1, gamma)), tol,
		"%s: translated unitary differs (up to global phase: %.3g)\noriginal:\n%s\ntranslated:\n%s",
		what, oracle.PhaseDiff(u0, u1), dump(orig), dump(res.Circuit))
}

func dump(c *circuit.Circuit) string {
	var b strings.Builder
	for i := range c.Ops {
		op := &c.Ops[i]
		fmt.Fprintf(&b, "  %s%v %v\n", op.Name(), op.Args, op.Qubits)
	}
	return b.String()
}

// TestEveryGateEveryBasis translates each gate of the vocabulary, with 0 to 3 extra
// controls, constant and symbolic angles, into every test basis.
func TestEveryGateEveryBasis(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	bases := testBases(t)
	maxCtrl := 3
	if testing.Short() {
		maxCtrl = 2
	}
	for _, g := range gates.All() {
		for ctrl := 0; ctrl <= maxCtrl; ctrl++ {
			if g.Qubits+ctrl == 0 || (ctrl == 3 && g.Qubits > 1) {
				continue // three controls on multi-qubit gates: covered by the rules they reduce to
			}
			for _, symbolic := range []bool{false, true} {
				if symbolic && g.Params == 0 {
					continue
				}
				n := g.Qubits + ctrl
				c := circuit.New(n)
				qs := r.Perm(n)
				args := make([]circuit.Expr, g.Params)
				for i := range args {
					if symbolic {
						args[i] = circuit.Param(fmt.Sprintf("a%d", i))
					} else {
						args[i] = circuit.Num((r.Float64()*2 - 1) * 2 * math.Pi)
					}
				}
				require.NoError(t, c.Append(circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: qs, Args: args}))
				env, _ := oracle.Env(r, c)
				for bi, b := range bases {
					if ctrl >= 2 && bi >= 4 && bi%3 != ctrl%3 {
						continue // deep controls: the presets and a rotating third of the others
					}
					what := fmt.Sprintf("%d×ctrl @ %s (symbolic %v) → %s", ctrl, g.Name, symbolic, b)
					res, err := Translate(c, b)
					require.NoError(t, err, what)
					checkInBasis(t, res.Circuit, b)
					checkEquivalent(t, what, c, res, env)
					if symbolic {
						require.Len(t, res.Circuit.Params, g.Params, what)
					}
				}
			}
		}
	}
}

// TestRandomCircuits is the acceptance check: random circuits over the whole vocabulary
// (control modifiers, symbolic angles) are unitary-equivalent after translation to every
// basis, to 1e-10, up to the reported global phase.
func TestRandomCircuits(t *testing.T) {
	bases := testBases(t)
	seeds := 12
	if testing.Short() {
		seeds = 4
	}
	for seed := 0; seed < seeds; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		n := 2 + seed%3
		c := oracle.RandomCircuit(r, n, 25, oracle.Options{Symbolic: seed%2 == 1, MaxCtrl: 2})
		env, _ := oracle.Env(r, c)
		for _, b := range bases {
			res, err := Translate(c, b)
			require.NoError(t, err, "seed %d → %s", seed, b)
			checkInBasis(t, res.Circuit, b)
			checkEquivalent(t, fmt.Sprintf("seed %d → %s", seed, b), c, res, env)
		}
	}
}

// TestSymbolicPreserved: the Pauli ansatz translated to each preset keeps its angles as
// expressions of theta_i (one per RY), and binding before or after translation agrees.
func TestSymbolicPreserved(t *testing.T) {
	c, err := ansatz.Pauli(4, 2)
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(3, 3))
	env, vals := oracle.Env(r, c)
	for _, b := range []Basis{Heron(), Eagle(), Rigetti(), IonQ()} {
		res, err := Translate(c, b)
		require.NoError(t, err)
		checkInBasis(t, res.Circuit, b)
		checkEquivalent(t, "pauli → "+b.Name, c, res, env)
		used := map[string]bool{}
		for i := range res.Circuit.Ops {
			for _, a := range res.Circuit.Ops[i].Args {
				for _, s := range circuit.Symbols(a) {
					used[s] = true
				}
			}
		}
		assert.Len(t, used, len(c.Params), "%s: parameters that appear in the translation", b)
		bound, err := c.Bind(vals)
		require.NoError(t, err)
		resB, err := Translate(bound, b)
		require.NoError(t, err)
		checkEquivalent(t, "bound pauli → "+b.Name, bound, resB, nil)
		assert.Empty(t, resB.Circuit.Params, "%s: bound translation has parameters", b)
	}
}

// TestGateCounts pins the cost of the common rules so a regression in the optimiser shows.
func TestGateCounts(t *testing.T) {
	cases := []struct {
		build func() *circuit.Circuit
		basis Basis
		want  map[string]int
	}{
		{func() *circuit.Circuit { return circuit.New(2).CX(0, 1) }, Heron(), map[string]int{"cz": 1, "rz": 4, "sx": 2}},
		{func() *circuit.Circuit { return circuit.New(2).CX(0, 1) }, Eagle(), map[string]int{"ecr": 1, "x": 1, "rz": 3, "sx": 1}},
		{func() *circuit.Circuit { return circuit.New(1).H(0) }, Heron(), map[string]int{"rz": 2, "sx": 1}},
		{func() *circuit.Circuit { return circuit.New(1).RY("t", 0) }, Heron(), map[string]int{"rz": 2, "sx": 2}},
		{func() *circuit.Circuit { return circuit.New(1).RY("t", 0) }, Rigetti(), map[string]int{"rx": 2, "rz": 1}},
		{func() *circuit.Circuit { return circuit.New(1).RY("t", 0) }, IonQ(), map[string]int{"gpi2": 2, "gpi": 2}},
		{func() *circuit.Circuit { return circuit.New(1).X(0) }, Heron(), map[string]int{"x": 1}},
		{func() *circuit.Circuit { return circuit.New(1).RZ(0.3, 0).RZ(-0.3, 0) }, Heron(), map[string]int{}},
		{func() *circuit.Circuit { return circuit.New(2).CZ(0, 1).CZ(1, 0) }, Heron(), map[string]int{}},
		{func() *circuit.Circuit { return circuit.New(2).CX(0, 1) }, IonQ(), map[string]int{"ms": 1, "gpi2": 3, "gpi": 2}},
	}
	for i, tc := range cases {
		c := tc.build()
		res, err := Translate(c, tc.basis)
		require.NoError(t, err)
		checkEquivalent(t, fmt.Sprintf("case %d", i), c, res, circuit.MapEnv(map[string]float64{"t": 0.7}))
		got := res.Circuit.CountOps()
		// fmt.Sprint: a nil map and an empty one print alike (no gates left).
		assert.Equal(t, fmt.Sprint(tc.want), fmt.Sprint(got), "case %d (%s): counts\n%s", i, tc.basis, dump(res.Circuit))
	}
}

func TestNonUnitaryPassThrough(t *testing.T) {
	c := circuit.New(2).H(0).CX(0, 1).Barrier().MeasureAll()
	c.Reset(0)
	c.X(1).If([]int{0}, 1)
	res, err := Translate(c, Heron())
	require.NoError(t, err)
	counts := res.Circuit.CountOps()
	require.Equal(t, 2, counts["measure"], "counts %v", counts)
	require.Equal(t, 1, counts["reset"], "counts %v", counts)
	require.Equal(t, 1, counts["barrier"], "counts %v", counts)
	last := res.Circuit.Ops[len(res.Circuit.Ops)-1]
	require.NotNil(t, last.Cond, "conditioned x lost: %s", dump(res.Circuit))
	require.Equal(t, "x", last.Gate.Name, "conditioned x lost: %s", dump(res.Circuit))
	// The same with IonQ: the conditioned gate is translated under its condition.
	res, err = Translate(c, IonQ())
	require.NoError(t, err)
	for i := range res.Circuit.Ops {
		op := &res.Circuit.Ops[i]
		require.False(t, op.Kind == circuit.GateOp && op.Gate.Name == "rz", "rz left in an IonQ translation:\n%s", dump(res.Circuit))
	}
	require.NotNil(t, res.Circuit.Ops[len(res.Circuit.Ops)-1].Cond, "condition lost:\n%s", dump(res.Circuit))
}

func TestErrors(t *testing.T) {
	cases := []struct {
		basis string
		want  string
	}{
		{"rz,cz", "cannot express every single-qubit gate"},
		{"bogus,cx", `unknown gate "bogus"`},
		{"", "empty basis"},
		{"rz,sx", "no two-qubit gate"},
	}
	for _, tc := range cases {
		_, err := ParseBasis(tc.basis)
		assert.ErrorContains(t, err, tc.want, "ParseBasis(%q)", tc.basis)
	}
	// A basis without an entangler works for single-qubit circuits only.
	b := Basis{Name: "1q", Gates: []string{"rz", "sx"}}
	_, err := Translate(circuit.New(1).H(0), b)
	assert.NoError(t, err, "single-qubit circuit into %s", b)
	_, err = Translate(circuit.New(2).H(0).CX(0, 1), b)
	if assert.Error(t, err, "cx into %s", b) {
		assert.Contains(t, err.Error(), "cx", "cx into %s", b)
		assert.Contains(t, err.Error(), "no two-qubit gate", "cx into %s", b)
	}
	c := circuit.New(MaxControls + 2)
	qs := make([]int, MaxControls+2)
	for i := range qs {
		qs[i] = i
	}
	c.Ctrl("x", qs[:MaxControls+1], qs[MaxControls+1:])
	_, err = Translate(c, Heron())
	assert.ErrorContains(t, err, "exceed the limit", "too many controls")
}

// TestZYZ checks the Euler decomposition on random unitaries and the degenerate cases.
func TestZYZ(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	us := [][4]complex128{ident2, to2(gates.MustGet("x").Matrix()), to2(gates.MustGet("y").Matrix()),
		to2(gates.MustGet("s").Matrix()), {-1, 0, 0, -1}}
	for i := 0; i < 200; i++ {
		us = append(us, to2(gates.MustGet("U").Matrix(r.Float64()*7-3.5, r.Float64()*7-3.5, r.Float64()*7-3.5)))
	}
	for _, u := range us {
		alpha, a, b, c := zyz(u)
		p := mul2(to2(gates.MustGet("rz").Matrix(a)), mul2(to2(gates.MustGet("ry").Matrix(b)), to2(gates.MustGet("rz").Matrix(c))))
		e := cmplx.Exp(complex(0, alpha))
		for k := range u {
			require.LessOrEqual(t, cmplx.Abs(u[k]-e*p[k]), 1e-13, "zyz(%v) = %v %v %v %v, product %v", u, alpha, a, b, c, p)
		}
	}
}

func TestLin(t *testing.T) {
	th := circuit.Param("theta")
	cases := []struct {
		e    circuit.Expr
		want string
	}{
		{circuit.Add(circuit.Div(th, circuit.Num(2)), circuit.Div(th, circuit.Num(2))), "theta"},
		{circuit.Sub(circuit.Add(th, circuit.Num(math.Pi)), circuit.Num(math.Pi)), "theta"},
		{circuit.Mul(circuit.Num(-0.5), th), "-(theta / 2.0)"},
		{circuit.Add(th, circuit.Num(math.Pi/2)), "theta + pi/2"},
		{circuit.Neg{X: circuit.Sub(th, circuit.Param("phi"))}, "-theta + phi"},
		{circuit.Call{Fn: "sin", Arg: th}, "sin(theta)"},
		{circuit.Num(3), "3.0"},
	}
	for _, tc := range cases {
		got := linOf(tc.e).expr().String()
		assert.Equal(t, tc.want, got, "lin(%s)", tc.e)
		env := circuit.MapEnv(map[string]float64{"theta": 0.37, "phi": -1.1})
		v0, _ := circuit.Eval(tc.e, env)
		v1, _ := circuit.Eval(linOf(tc.e).expr(), env)
		assert.InDelta(t, v0, v1, 1e-15, "lin(%s) evaluates to %v, want %v", tc.e, v1, v0)
	}
}
