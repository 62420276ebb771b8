package sim

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/library"
)

// BenchmarkOuterDiagonals times six circuit families on the complex path with and without
// diagonal steps with outer qubits (outerdiag.go), alternating round by round on one
// preallocated state (the allocation is not timed), and prints the passes over the state of
// each schedule and the medians of the per-round ratios (on / off) of wall and process CPU
// time.
//
//	go test ./sim -run '^$' -bench OuterDiagonals -benchtime 5x
func BenchmarkOuterDiagonals(b *testing.B) {
	families := []struct {
		name string
		make func(n int) (*circuit.Circuit, error)
	}{
		{"qft", library.QFT},
		{"pauli", func(n int) (*circuit.Circuit, error) { c, _ := pauliAnsatz(n, 4, 1); return c, nil }},
		{"qaoa", func(n int) (*circuit.Circuit, error) { return library.QAOARing(n, 4, 1) }},
		{"random", func(n int) (*circuit.Circuit, error) { return library.RandomLayered(n, 20, 2) }},
		{"hea", func(n int) (*circuit.Circuit, error) { return library.HardwareEfficient(n, 4, 1) }},
		{"cliffordt", func(n int) (*circuit.Circuit, error) { return library.CliffordT(n, 20, 1) }},
	}
	for _, f := range families {
		for _, n := range []int{20, 22, 24} {
			b.Run(fmt.Sprintf("%s/n=%d", f.name, n), func(b *testing.B) {
				c, err := f.make(n)
				require.NoError(b, err)
				steps, err := compile(c, nil)
				require.NoError(b, err)
				s, err := newState(n, 0, true, Double)
				require.NoError(b, err)
				var sweeps [2]int
				for i, on := range []bool{false, true} {
					outerDiagonals = on
					sc, err := Plan(c, nil, true)
					outerDiagonals = true
					require.NoError(b, err)
					sweeps[i] = sc.Sweeps
				}
				ratios := onOffRatios(b, func(on bool) {
					outerDiagonals = on
					defer func() { outerDiagonals = true }()
					require.NoError(b, runSteps(s, steps, nil, nil))
				})
				fmt.Printf("%s: sweeps %d -> %d; %s\n", b.Name(), sweeps[0], sweeps[1], ratios)
			})
		}
	}
}
