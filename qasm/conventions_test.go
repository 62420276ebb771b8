package qasm

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// OpenQASM 3's U and the stdgates.inc gates, under ctrl @, must be exactly the textbook
// controlled matrices |0⟩⟨0|⊗I + |1⟩⟨1|⊗G — relative phase included, since a global phase
// of G becomes a relative one under control.
func TestCtrlMatchesTextbook(t *testing.T) {
	a, b, c := 0.7, -1.3, 2.1
	single := []struct {
		src string
		g   mat2
	}{
		{fmt.Sprintf("U(%v, %v, %v)", a, b, c), tbU(a, b, c)},
		{"U(pi, 0, pi)", tbX},
		{"x", tbX}, {"y", tbY}, {"z", tbZ}, {"h", tbH}, {"s", tbS}, {"sdg", tbS.dag()},
		{"t", tbT}, {"tdg", tbT.dag()}, {"sx", tbSX}, {"id", tbI},
		{fmt.Sprintf("rx(%v)", a), tbRX(a)}, {fmt.Sprintf("ry(%v)", a), tbRY(a)},
		{fmt.Sprintf("rz(%v)", a), tbRZ(a)}, {fmt.Sprintf("p(%v)", a), tbP(a)},
		{fmt.Sprintf("phase(%v)", a), tbP(a)}, {fmt.Sprintf("u1(%v)", a), tbP(a)},
		// u3 and u2 carry stdgates.inc's gphase(−(φ+λ)/2).
		{fmt.Sprintf("u3(%v, %v, %v)", a, b, c), tbU(a, b, c).scale(expi(-(b + c) / 2))},
		{fmt.Sprintf("u2(%v, %v)", b, c), tbU(math.Pi/2, b, c).scale(expi(-(b + c) / 2))},
		{"inv @ s", tbS.dag()}, {"pow(2) @ t", tbS}, {"inv @ pow(3) @ sx", tbSX.dag().mul(tbSX.dag()).mul(tbSX.dag())},
	}
	for _, s := range single {
		t.Run(s.src, func(t *testing.T) {
			p := mustParse(t, "ctrl.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nctrl @ "+s.src+" q[0], q[1];\n")
			checkUnitary(newTB(2).c(s.g, 0, 1).unitary())(t, p.Circuit)
			// negctrl: active when the control is 0.
			p = mustParse(t, "negctrl.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[2] q;\nnegctrl @ "+s.src+" q[1], q[0];\n")
			checkUnitary(newTB(2).apply(s.g, 0, []int{1}, []bool{false}).unitary())(t, p.Circuit)
			// Two controls.
			p = mustParse(t, "ctrl2.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[3] q;\nctrl(2) @ "+s.src+" q[2], q[0], q[1];\n")
			checkUnitary(newTB(3).cc(s.g, 2, 0, 1).unitary())(t, p.Circuit)
		})
	}
	// Global phase: ctrl @ gphase(γ) is the phase gate on the control; two controls make
	// a controlled phase.
	for _, src := range []struct {
		text string
		want []complex128
	}{
		{"ctrl @ gphase(0.9) q[0];", newTB(2).g(tbP(0.9), 0).unitary()},
		{"ctrl(2) @ gphase(0.9) q[1], q[0];", newTB(2).c(tbP(0.9), 1, 0).unitary()},
		// negctrl @ gphase(γ) q = X·P(γ)·X: the phase e^{iγ} when q is 0.
		{"negctrl @ gphase(0.9) q[1];", newTB(2).g(mat2{expi(0.9), 0, 0, 1}, 1).unitary()},
		{"gphase(0.9);", newTB(2).phase(0.9).unitary()},
		{"ctrl @ cx q[2], q[0], q[1];", newTB(3).cc(tbX, 2, 0, 1).unitary()},
		{"ctrl @ swap q[0], q[1], q[2];", newTB(3).cc(tbX, 0, 2, 1).cc(tbX, 0, 1, 2).cc(tbX, 0, 2, 1).unitary()},
		{"ctrl @ cp(0.4) q[0], q[1], q[2];", newTB(3).apply(tbP(0.4), 2, []int{0, 1}, nil).unitary()},
		{"ctrl @ crz(0.4) q[2], q[1], q[0];", newTB(3).apply(tbRZ(0.4), 0, []int{2, 1}, nil).unitary()},
		{"ctrl @ cu(0.1, 0.2, 0.3, 0.4) q[0], q[1], q[2];", newTB(3).apply(tbU(0.1, 0.2, 0.3).scale(expi(0.4)), 2, []int{0, 1}, nil).unitary()},
		{"cu(0.1, 0.2, 0.3, 0) q[0], q[1];", newTB(3).c(tbU(0.1, 0.2, 0.3), 0, 1).unitary()},
	} {
		t.Run(src.text, func(t *testing.T) {
			n := 2
			if len(src.want) == 64 {
				n = 3
			}
			p := mustParse(t, "g.qasm", fmt.Sprintf("OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[%d] q;\n%s\n", n, src.text))
			checkUnitary(src.want)(t, p.Circuit)
		})
	}
}

// The definitions the printer emits for gates outside stdgates.inc are exact, global phase
// included, so that ctrl @ on them is right.
func TestPrinterDefinitionsExact(t *testing.T) {
	names := make([]string, 0, len(oq3Defs))
	for n := range oq3Defs {
		names = append(names, n)
	}
	sort.Strings(names)
	args := []float64{0.37, -1.21, 2.05, 0.6}
	for _, name := range names {
		g := gates.MustGet(name)
		t.Run(name, func(t *testing.T) {
			for ctrl := 0; ctrl <= 1; ctrl++ {
				c := circuit.New(g.Qubits + ctrl)
				qs := make([]int, g.Qubits+ctrl)
				for i := range qs {
					qs[len(qs)-1-i] = i // reversed order, to catch argument-order mistakes
				}
				ex := make([]circuit.Expr, g.Params)
				for i := range ex {
					ex[i] = circuit.Const{V: args[i]}
				}
				require.NoError(t, c.Append(circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: qs, Args: ex}))
				back, text, err := roundTrip(t, c, 3)
				require.NoError(t, err)
				require.True(t, closeVec(dense(t, back, nil), dense(t, c, nil), 1e-12), "ctrl=%d: the definition is not exact:\n%s", ctrl, text)
			}
			// The OpenQASM 2 definitions agree up to a global phase.
			if _, ok := oq2Defs[name]; ok {
				c := circuit.New(g.Qubits)
				ex := make([]any, g.Params)
				for i := range ex {
					ex[i] = args[i]
				}
				qs := make([]int, g.Qubits)
				for i := range qs {
					qs[len(qs)-1-i] = i
				}
				require.NoError(t, c.Gate(name, qs, ex...))
				back, text, err := roundTrip(t, c, 2)
				require.NoError(t, err)
				require.True(t, equalUpToPhase(dense(t, back, nil), dense(t, c, nil), 1e-12), "OpenQASM 2 definition differs:\n%s", text)
			}
		})
	}
}

// Every vocabulary gate under a control that OpenQASM 2 can name round-trips exactly up to
// global phase; the others are refused with a message that says what to do.
func TestOQ2Controls(t *testing.T) {
	for _, g := range gates.All() {
		for ctrl := 1; ctrl <= 2; ctrl++ {
			if g.Qubits+ctrl > 5 {
				continue
			}
			c := circuit.New(g.Qubits + ctrl)
			ex := make([]circuit.Expr, g.Params)
			for i := range ex {
				ex[i] = circuit.Const{V: 0.3 * float64(i+1)}
			}
			qs := make([]int, g.Qubits+ctrl)
			for i := range qs {
				qs[i] = (i + 1) % len(qs)
			}
			require.NoError(t, c.Append(circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: qs, Args: ex}))
			back, text, err := roundTrip(t, c, 2)
			if err != nil {
				assert.True(t, oq2Inexpressible(err), "ctrl(%d) @ %s: unexpected error %v", ctrl, g.Name, err)
				continue
			}
			// Controlled gates keep relative phases: only a global phase may differ.
			assert.True(t, equalUpToPhase(dense(t, back, nil), dense(t, c, nil), 1e-12), "ctrl(%d) @ %s printed as\n%s\nis not the same gate", ctrl, g.Name, text)
		}
	}
}

// qelib1.inc's multi-controlled gates, written there as cu1/h constructions, are exactly
// the ctrl @ forms qpeft uses. (c3sqrtx is Qiskit's C3SXGate, whose construction starts
// with cu1(+π/8); the first qelib1.inc had the signs the other way round, which makes
// controlled-√X†.)
func TestQelib1MultiControlled(t *testing.T) {
	build := func(angle string) string {
		k := "pi/4"
		if angle == "sqrt" {
			k = "(-pi/8)"
		}
		return strings.NewReplacer("K", k).Replace(`
h d; cu1(-K) a,d; h d;
cx a,b;
h d; cu1(K) b,d; h d;
cx a,b;
h d; cu1(-K) b,d; h d;
cx b,c;
h d; cu1(K) c,d; h d;
cx a,c;
h d; cu1(-K) c,d; h d;
cx b,c;
h d; cu1(K) c,d; h d;
cx a,c;
h d; cu1(-K) c,d; h d;`)
	}
	for _, tc := range []struct{ name, body, use string }{
		{"c3x", build("x"), "c3x q[0],q[1],q[2],q[3];"},
		{"c3sqrtx", build("sqrt"), "c3sqrtx q[0],q[1],q[2],q[3];"},
	} {
		ref := mustParse(t, "ref.qasm", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\ngate ref a,b,c,d {"+tc.body+"}\nqreg q[4];\nref q[0],q[1],q[2],q[3];\n")
		got := mustParse(t, "got.qasm", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[4];\n"+tc.use+"\n")
		assert.True(t, equalUpToPhase(dense(t, got.Circuit, nil), dense(t, ref.Circuit, nil), 1e-12), "%s differs from its qelib1.inc construction", tc.name)
	}
}
