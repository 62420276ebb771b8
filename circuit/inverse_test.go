package circuit_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
	"github.com/qpeft/qpeft/internal/oracle"
)

// These tests check Inverse against internal/oracle's brute-force unitaries; they are an
// external test package because the oracle imports circuit.

func randomCircuit(t *testing.T, r *rand.Rand, n, depth int, symbolic bool) *circuit.Circuit {
	c := circuit.New(n)
	all := gates.All()
	for len(c.Ops) < depth {
		g := all[r.IntN(len(all))]
		if g.Qubits > n {
			continue
		}
		qs := r.Perm(n)[:g.Qubits]
		args := make([]any, g.Params)
		for i := range args {
			switch {
			case symbolic && r.IntN(3) == 0:
				args[i] = circuit.Add(circuit.Mul(circuit.Num(2), circuit.Param("a")), circuit.Num(math.Pi/4))
			case symbolic && r.IntN(3) == 0:
				args[i] = circuit.Call{Fn: "sin", Arg: circuit.Param("b")}
			default:
				args[i] = r.Float64()*4 - 2
			}
		}
		require.NoError(t, c.Gate(g.Name, qs, args...))
	}
	return c
}

func TestInverseGivesIdentity(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	env := circuit.MapEnv(map[string]float64{"a": 0.3, "b": -1.1})
	for trial := 0; trial < 30; trial++ {
		n := 1 + r.IntN(4)
		c := randomCircuit(t, r, n, 12, true)
		inv, err := c.Inverse()
		require.NoError(t, err)
		both := c.Clone()
		require.NoError(t, both.Compose(inv, nil, nil))
		u, err := oracle.Product(both, env)
		require.NoError(t, err)
		require.LessOrEqual(t, oracle.MaxDiff(u, oracle.Identity(1<<n)), 1e-12, "trial %d: ‖C⁻¹C − I‖ (global phase included)", trial)
	}
}

func TestCtrlInverse(t *testing.T) {
	c := circuit.New(3)
	c.Ctrl("u3", []int{0, 1}, []int{2}, 0.4, "a", -0.2)
	c.Ctrl("gphase", []int{1}, nil, 0.7)
	inv, err := c.Inverse()
	require.NoError(t, err)
	env := circuit.MapEnv(map[string]float64{"a": 1.3})
	u, err := oracle.Product(c, env)
	require.NoError(t, err)
	v, err := oracle.Product(inv, env)
	require.NoError(t, err)
	require.LessOrEqual(t, oracle.MaxDiff(oracle.MatMul(v, u, 8, 8, 8), oracle.Identity(8)), 1e-14, "controlled inverse off")
}
