package ortho

import (
	"fmt"
	"math/rand/v2"
	"testing"

	qsim "github.com/itsubaki/q"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/peft/ansatz"
)

// oracleColumns simulates the first k columns of a circuit of ry, cry, cz, cx, x, h and swap
// gates with itsubaki/q (an independent simulator). itsubaki's qubit 0 is the most
// significant bit, so our qubit j is its qubit n−1−j and the amplitude indices then agree.
func oracleColumns(t *testing.T, c *circuit.Circuit, theta []float64, k int) []float64 {
	t.Helper()
	n := c.NumQubits
	N := 1 << n
	env := c.Env(theta)
	u := make([]float64, N*k)
	for col := 0; col < k; col++ {
		q := qsim.New()
		qs := q.Zeros(n)
		at := func(j int) qsim.Qubit { return qs[n-1-j] }
		for j := 0; j < n; j++ {
			if col>>j&1 == 1 {
				q.X(at(j))
			}
		}
		for i := range c.Ops {
			op := &c.Ops[i]
			p, err := op.Params(env)
			require.NoError(t, err)
			switch op.Gate.Name {
			case "ry":
				q.RY(p[0], at(op.Qubits[0]))
			case "cz":
				q.CZ(at(op.Qubits[0]), at(op.Qubits[1]))
			case "cx":
				q.CX(at(op.Qubits[0]), at(op.Qubits[1]))
			case "x":
				q.X(at(op.Qubits[0]))
			case "h":
				q.H(at(op.Qubits[0]))
			case "swap":
				q.Swap(at(op.Qubits[0]), at(op.Qubits[1]))
			case "cry":
				// CRY(θ) = RY(θ/2)_t · CX · RY(−θ/2)_t · CX (itsubaki/q has no CRY).
				c, tg := at(op.Qubits[0]), at(op.Qubits[1])
				q.CX(c, tg)
				q.RY(-p[0]/2, tg)
				q.CX(c, tg)
				q.RY(p[0]/2, tg)
			default:
				require.Fail(t, fmt.Sprintf("oracle: gate %s not supported", op.Gate.Name))
			}
		}
		for i, a := range q.Amplitude() {
			require.InDelta(t, 0.0, imag(a), 1e-15, "oracle: complex amplitude %v", a)
			u[i*k+col] = real(a)
		}
	}
	return u
}

// TestPauliAgainstOracle compares lowering-based columns of the Pauli ansatz with itsubaki/q,
// and checks both VJPs against finite differences.
func TestPauliAgainstOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for n := 1; n <= 5; n++ {
		for L := 0; L <= 3; L++ {
			q, err := NewPauli(n, L)
			require.NoError(t, err)
			want, _ := ansatz.PauliParams(n, L)
			require.Equal(t, want, q.NumParams(), "n=%d L=%d: params", n, L)
			require.Equal(t, 1<<n, q.Dim(), "n=%d L=%d: dim", n, L)
			theta := randVec(rng, q.NumParams(), 4)
			k := max(1, (1<<n)/2)
			s := FirstColumns(q, k)
			u := make([]float64, (1<<n)*k)
			require.NoError(t, s.Columns(theta, u))
			assert.LessOrEqual(t, maxAbsDiff(u, oracleColumns(t, q.Circuit(), theta, k)), 1e-12, "n=%d L=%d: columns differ from itsubaki/q by", n, L)
			assert.LessOrEqual(t, Deviation(u, 1<<n, k), 1e-12, "n=%d L=%d: deviation", n, L)
			checkStiefelVJP(t, s, theta, rng, 1e-7)
			checkOrthVJP(t, q, theta, 3, rng)
		}
	}
}

// TestUserCircuit uses a hand-written real circuit with shared and expression angles.
func TestUserCircuit(t *testing.T) {
	c := circuit.New(3).H(0).RY("a", 0).CX(0, 1).RY("b", 2).Swap(1, 2).CZ(0, 2).
		RY(circuit.Add(circuit.Mul(circuit.Num(2), circuit.Param("a")), circuit.Num(0.25)), 1).X(2).RY("c", 2)
	q, err := NewCircuit(c)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(33, 34))
	theta := randVec(rng, q.NumParams(), 3)
	s, err := New(8, 5, Spec{Kind: KindCircuit, Circuit: c})
	require.NoError(t, err)
	u := make([]float64, 40)
	require.NoError(t, s.Columns(theta, u))
	assert.LessOrEqual(t, maxAbsDiff(u, oracleColumns(t, c, theta, 5)), 1e-12, "user circuit differs from itsubaki/q by")
	checkStiefelVJP(t, s, theta, rng, 1e-7)
	_, err = New(16, 2, Spec{Kind: KindCircuit, Circuit: c})
	assert.ErrorContains(t, err, "acts on 3 qubits", "dimension mismatch")
}

func TestComplexGateRejected(t *testing.T) {
	c := circuit.New(2).RY("a", 0)
	require.NoError(t, c.Append(circuit.Op{Kind: circuit.GateOp, Gate: mustGate("rz"), Qubits: []int{1},
		Args: []circuit.Expr{circuit.Param("b")}, Pos: circuit.NewPos("u.qasm", 3, 5)}))
	_, err := NewCircuit(c)
	var nr *circuit.NotRealError
	assert.ErrorAs(t, err, &nr)
	assert.ErrorContains(t, err, "u.qasm:3:5")
	_, err = New(4, 2, Spec{Kind: KindCircuit, Circuit: c})
	assert.Error(t, err, "complex circuit accepted by New")
}

// TestAnyDimension builds the default (Pauli + block cosine–sine) factor for the dimensions
// of real models and checks UᵀU = I to 1e-12 and the parameter count against CountParams.
func TestAnyDimension(t *testing.T) {
	dims := []int{384, 768, 1000, 1536, 3072, 11008, 1024, 4096, 3, 5, 7}
	rng := rand.New(rand.NewPCG(35, 36))
	for _, n := range dims {
		for _, spec := range []Spec{{Layers: 2}, {Layers: 1, CS: CSFull}, {Kind: KindTaylor, Order: 30}} {
			if testing.Short() && n > 4096 && spec.Kind == KindTaylor {
				continue
			}
			k := min(8, n)
			s, err := New(n, k, spec)
			require.NoError(t, err)
			want, err := CountParams(n, k, spec)
			assert.NoError(t, err, "N=%d %+v: CountParams", n, spec)
			assert.Equal(t, want, s.NumParams(), "N=%d %+v: params vs CountParams", n, spec)
			scale := 1.0
			if spec.Kind == KindTaylor {
				scale = 0.02
			}
			theta := randVec(rng, s.NumParams(), scale)
			u := make([]float64, n*k)
			require.NoError(t, s.Columns(theta, u))
			assert.LessOrEqual(t, Deviation(u, n, k), 1e-12, "N=%d %+v: ‖UᵀU − I‖", n, spec)
		}
	}
}

// TestBlockCSPauliGradient checks the gradient of non-power-of-two Pauli factors.
func TestBlockCSPauliGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	for _, tc := range []struct{ n, k int }{{3, 2}, {6, 3}, {12, 5}, {12, 10}, {24, 4}, {40, 6}} {
		for _, mode := range []CSMode{CSWalsh, CSFull} {
			s, err := New(tc.n, tc.k, Spec{Layers: 2, CS: mode})
			require.NoError(t, err)
			checkStiefelVJP(t, s, randVec(rng, s.NumParams(), 3), rng, 1e-7)
		}
	}
}

func TestSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		n, k int
		s    Spec
		want string
	}{
		{8, 0, Spec{}, "rank K"},
		{8, 9, Spec{}, "rank K"},
		{0, 1, Spec{}, "dimension 0"},
		{8, 2, Spec{Layers: -1}, "layers"},
		{8, 2, Spec{Kind: "qudit"}, "unknown parameterisation"},
		{8, 2, Spec{Kind: KindTaylor, Order: 99}, "Taylor order"},
		{8, 2, Spec{Kind: KindCircuit}, "needs a circuit"},
	} {
		_, err := New(tc.n, tc.k, tc.s)
		assert.ErrorContains(t, err, tc.want, "New(%d,%d,%+v)", tc.n, tc.k, tc.s)
	}
}
