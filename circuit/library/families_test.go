package library

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
)

// TestHeldOutFamilies: gate counts and gate names of the QAOA ring, the hardware-efficient
// ansatz and Clifford+T circuits, determinism per seed, different circuits for different
// seeds, and errors for bad sizes.
func TestHeldOutFamilies(t *testing.T) {
	type build func(n, k int, seed uint64) (*circuit.Circuit, error)
	cases := []struct {
		name  string
		f     build
		n, k  int
		gates int
		names []string
	}{
		{"qaoa ring n=2", QAOARing, 2, 3, 2 + 3*(1+2), []string{"h", "rzz", "rx"}},
		{"qaoa ring n=6", QAOARing, 6, 2, 6 + 2*(6+6), []string{"h", "rzz", "rx"}},
		{"hea n=1", HardwareEfficient, 1, 3, 4 * 2, []string{"ry", "rz"}},
		{"hea n=5", HardwareEfficient, 5, 3, 4*10 + 3*4, []string{"ry", "rz", "cx"}},
		{"clifford+t n=7", CliffordT, 7, 10, 10 * (7 + 3), []string{"h", "s", "t", "cx"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.f(tc.n, tc.k, 5)
			require.NoError(t, err)
			assert.Len(t, c.Ops, tc.gates)
			seen := map[string]bool{}
			for _, op := range c.Ops {
				seen[op.Gate.Name] = true
				assert.Contains(t, tc.names, op.Gate.Name)
			}
			for _, name := range tc.names {
				assert.True(t, seen[name], "no %s gate", name)
			}
			again, err := tc.f(tc.n, tc.k, 5)
			require.NoError(t, err)
			assert.Equal(t, circuitString(c), circuitString(again), "same seed, different circuits")
			other, err := tc.f(tc.n, tc.k, 6)
			require.NoError(t, err)
			assert.NotEqual(t, circuitString(c), circuitString(other), "seeds 5 and 6 gave the same circuit")
		})
	}
	for name, f := range map[string]build{"qaoa": QAOARing, "hea": HardwareEfficient, "clifford+t": CliffordT} {
		_, err := f(0, 1, 1)
		assert.Error(t, err, "%s on 0 qubits", name)
		_, err = f(4, -1, 1)
		assert.Error(t, err, "%s with negative layers", name)
	}
	_, err := QAOARing(1, 1, 1)
	assert.Error(t, err, "QAOA ring on 1 qubit")
}

// TestQAOARingEdges: every ring edge carries one RZZ per round, with the round's angle.
func TestQAOARingEdges(t *testing.T) {
	c, err := QAOARing(5, 2, 3)
	require.NoError(t, err)
	edges := map[[2]int]int{}
	angles := map[float64]int{}
	for _, op := range c.Ops {
		if op.Gate.Name == "rzz" {
			edges[[2]int{op.Qubits[0], op.Qubits[1]}]++
			a, err := circuit.Eval(op.Args[0], nil)
			require.NoError(t, err)
			angles[a]++
		}
	}
	assert.Equal(t, map[[2]int]int{{0, 1}: 2, {1, 2}: 2, {2, 3}: 2, {3, 4}: 2, {4, 0}: 2}, edges)
	assert.Len(t, angles, 2)
}
