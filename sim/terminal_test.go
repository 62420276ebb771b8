package sim

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
)

// TestTerminalMeasurementsItsubaki: random circuits with each qubit measured right after its
// last gate (interleaved with later gates on other qubits, as Cirq exports QAOA and QPE)
// have, once circuit.RemoveFinalMeasurements drops those measurements, the state itsubaki/q
// computes for the gates alone.
func TestTerminalMeasurementsItsubaki(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	pool := itsubakiPool()
	total := 0
	for _, tc := range []struct {
		n, depth, trials int
	}{{2, 10, 20}, {3, 20, 20}, {5, 30, 10}, {7, 40, 5}} {
		for trial := range tc.trials {
			gatesOnly := randomCircuit(r, tc.n, tc.depth, pool, min(2, tc.n-1))
			// last[q] is the index of the last gate acting on q.
			last := make([]int, tc.n)
			for q := range last {
				last[q] = -1
			}
			for i := range gatesOnly.Ops {
				for _, q := range gatesOnly.Ops[i].Qubits {
					last[q] = i
				}
			}
			withMeas := circuit.New(tc.n)
			withMeas.AddClbits("c", tc.n)
			measure := func(q int) {
				require.NoError(t, withMeas.Append(circuit.NewMeasure([]int{q}, []int{q})))
			}
			for q := range last {
				if last[q] < 0 {
					measure(q) // an idle qubit, measured first
				}
			}
			interleaved := 0
			for i := range gatesOnly.Ops {
				require.NoError(t, withMeas.Append(gatesOnly.Ops[i]))
				for q := range last {
					if last[q] == i {
						measure(q)
						if i < len(gatesOnly.Ops)-1 {
							interleaved++
						}
					}
				}
			}
			total += interleaved
			stripped, err := withMeas.RemoveFinalMeasurements()
			require.NoError(t, err)
			assert.Len(t, stripped.Ops, len(gatesOnly.Ops))
			st, err := Statevector(stripped, nil)
			require.NoError(t, err)
			want := runItsubaki(t, gatesOnly)
			assert.LessOrEqual(t, maxDiff(st.Amplitudes(), want), 1e-12, "n=%d trial %d (%d interleaved measurements)\n%s", tc.n, trial, interleaved, describe(gatesOnly))
		}
	}
	assert.Greater(t, total, 50, "measurements interleaved with later gates")
}
