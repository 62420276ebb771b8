package transpile

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

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
		if err != nil {
			t.Fatalf("ParseBasis(%q): %v", s, err)
		}
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
		if op.Ctrl != 0 {
			t.Fatalf("basis %s: operation %d %s keeps a control modifier", b, i, op.Name())
		}
		vals, ok := opConstArgs(op)
		if !b.allows(op.Gate.Name, vals, !ok) {
			t.Fatalf("basis %s: operation %d is %s%v, not in the basis", b, i, op.Gate.Name, op.Args)
		}
	}
}

// checkEquivalent compares original and translated unitaries, exactly with the returned
// global phase, for the parameter values env.
func checkEquivalent(t *testing.T, what string, orig *circuit.Circuit, res *Result, env circuit.Env) {
	t.Helper()
	u0, err := oracle.Unitary(orig, env)
	if err != nil {
		t.Fatal(err)
	}
	u1, err := oracle.Unitary(res.Circuit, env)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	gamma, err := circuit.Eval(res.GlobalPhase, env)
	if err != nil {
		t.Fatalf("%s: global phase: %v", what, err)
	}
	if d := oracle.MaxDiff(u0, oracle.Scale(u1, gamma)); d > tol {
		t.Fatalf("%s: translated unitary differs by %.3g (up to global phase: %.3g)\noriginal:\n%s\ntranslated:\n%s",
			what, d, oracle.PhaseDiff(u0, u1), dump(orig), dump(res.Circuit))
	}
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
				if err := c.Append(circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: qs, Args: args}); err != nil {
					t.Fatal(err)
				}
				env, _ := oracle.Env(r, c)
				for bi, b := range bases {
					if ctrl >= 2 && bi >= 4 && bi%3 != ctrl%3 {
						continue // deep controls: the presets and a rotating third of the others
					}
					what := fmt.Sprintf("%d×ctrl @ %s (symbolic %v) → %s", ctrl, g.Name, symbolic, b)
					res, err := Translate(c, b)
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					checkInBasis(t, res.Circuit, b)
					checkEquivalent(t, what, c, res, env)
					if symbolic && len(res.Circuit.Params) != g.Params {
						t.Fatalf("%s: parameters %v, want %d", what, res.Circuit.Params, g.Params)
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
			if err != nil {
				t.Fatalf("seed %d → %s: %v", seed, b, err)
			}
			checkInBasis(t, res.Circuit, b)
			checkEquivalent(t, fmt.Sprintf("seed %d → %s", seed, b), c, res, env)
		}
	}
}

// TestSymbolicPreserved: the Pauli ansatz translated to each preset keeps its angles as
// expressions of theta_i (one per RY), and binding before or after translation agrees.
func TestSymbolicPreserved(t *testing.T) {
	c, err := ansatz.Pauli(4, 2)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 3))
	env, vals := oracle.Env(r, c)
	for _, b := range []Basis{Heron(), Eagle(), Rigetti(), IonQ()} {
		res, err := Translate(c, b)
		if err != nil {
			t.Fatal(err)
		}
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
		if len(used) != len(c.Params) {
			t.Errorf("%s: %d of %d parameters appear in the translation", b, len(used), len(c.Params))
		}
		bound, err := c.Bind(vals)
		if err != nil {
			t.Fatal(err)
		}
		resB, err := Translate(bound, b)
		if err != nil {
			t.Fatal(err)
		}
		checkEquivalent(t, "bound pauli → "+b.Name, bound, resB, nil)
		if len(resB.Circuit.Params) != 0 {
			t.Errorf("%s: bound translation has parameters %v", b, resB.Circuit.Params)
		}
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
		if err != nil {
			t.Fatal(err)
		}
		checkEquivalent(t, fmt.Sprintf("case %d", i), c, res, circuit.MapEnv(map[string]float64{"t": 0.7}))
		got := res.Circuit.CountOps()
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("case %d (%s): counts %v, want %v\n%s", i, tc.basis, got, tc.want, dump(res.Circuit))
		}
	}
}

func TestNonUnitaryPassThrough(t *testing.T) {
	c := circuit.New(2).H(0).CX(0, 1).Barrier().MeasureAll()
	c.Reset(0)
	c.X(1).If([]int{0}, 1)
	res, err := Translate(c, Heron())
	if err != nil {
		t.Fatal(err)
	}
	counts := res.Circuit.CountOps()
	if counts["measure"] != 2 || counts["reset"] != 1 || counts["barrier"] != 1 {
		t.Fatalf("counts %v", counts)
	}
	last := res.Circuit.Ops[len(res.Circuit.Ops)-1]
	if last.Cond == nil || last.Gate.Name != "x" {
		t.Fatalf("conditioned x lost: %s", dump(res.Circuit))
	}
	// The same with IonQ: the conditioned gate is translated under its condition.
	res, err = Translate(c, IonQ())
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Circuit.Ops {
		op := &res.Circuit.Ops[i]
		if op.Kind == circuit.GateOp && op.Gate.Name == "rz" {
			t.Fatalf("rz left in an IonQ translation:\n%s", dump(res.Circuit))
		}
	}
	if l := res.Circuit.Ops[len(res.Circuit.Ops)-1]; l.Cond == nil {
		t.Fatalf("condition lost:\n%s", dump(res.Circuit))
	}
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
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseBasis(%q) = %v, want %q", tc.basis, err, tc.want)
		}
	}
	// A basis without an entangler works for single-qubit circuits only.
	b := Basis{Name: "1q", Gates: []string{"rz", "sx"}}
	if _, err := Translate(circuit.New(1).H(0), b); err != nil {
		t.Errorf("single-qubit circuit into %s: %v", b, err)
	}
	_, err := Translate(circuit.New(2).H(0).CX(0, 1), b)
	if err == nil || !strings.Contains(err.Error(), "cx") || !strings.Contains(err.Error(), "no two-qubit gate") {
		t.Errorf("cx into %s: %v", b, err)
	}
	c := circuit.New(MaxControls + 2)
	qs := make([]int, MaxControls+2)
	for i := range qs {
		qs[i] = i
	}
	c.Ctrl("x", qs[:MaxControls+1], qs[MaxControls+1:])
	_, err = Translate(c, Heron())
	if err == nil || !strings.Contains(err.Error(), "exceed the limit") {
		t.Errorf("too many controls: %v", err)
	}
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
			if cmplx.Abs(u[k]-e*p[k]) > 1e-13 {
				t.Fatalf("zyz(%v) = %v %v %v %v, product %v", u, alpha, a, b, c, p)
			}
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
		if got != tc.want {
			t.Errorf("lin(%s) = %s, want %s", tc.e, got, tc.want)
		}
		env := circuit.MapEnv(map[string]float64{"theta": 0.37, "phi": -1.1})
		v0, _ := circuit.Eval(tc.e, env)
		v1, _ := circuit.Eval(linOf(tc.e).expr(), env)
		if math.Abs(v0-v1) > 1e-15 {
			t.Errorf("lin(%s) evaluates to %v, want %v", tc.e, v1, v0)
		}
	}
}
