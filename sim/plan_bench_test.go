package sim

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit/library"
	"github.com/qpeft/qpeft/internal/cputime"
)

// BenchmarkPlanChoices times the random circuit (depth 20) with and without the planner's
// deferral of lone 1-qubit gates and dense 4x4 transpositions on low qubits, alternating
// round by round, and prints the medians of the per-round ratios (on / off) of wall and
// process CPU time (the CPU time is the steadier figure on a shared machine).
//
//	go test ./sim -run '^$' -bench PlanChoices -benchtime 7x
func BenchmarkPlanChoices(b *testing.B) {
	for _, n := range []int{20, 22, 24} {
		c, err := library.RandomLayered(n, 20, 1)
		require.NoError(b, err)
		for _, prec := range []Precision{Double, Single} {
			b.Run(fmt.Sprintf("n=%d/%v", n, prec), func(b *testing.B) {
				fmt.Printf("%s: %s\n", b.Name(), onOffRatios(b, func(on bool) {
					deferGates, denseSwaps = on, on
					defer func() { deferGates, denseSwaps = true, true }()
					_, err := Run(c, Options{Complex: true, Precision: prec})
					require.NoError(b, err)
				}))
			})
		}
	}
}

// onOffRatios times run(true) and run(false) alternately, b.N rounds after one warm-up run
// of each setting's first, and returns the medians (and ranges) of the per-round ratios
// on / off of wall and process CPU time, as text.
func onOffRatios(b *testing.B, run func(on bool)) string {
	b.Helper()
	timed := func(on bool) (time.Duration, time.Duration) {
		c0, t0 := cputime.Process(), time.Now()
		run(on)
		return time.Since(t0), cputime.Process() - c0
	}
	timed(true)
	var wall, cpu []float64
	for i := 0; i < b.N; i++ {
		w1, c1 := timed(true)
		w0, c0 := timed(false)
		wall = append(wall, float64(w1)/float64(w0))
		cpu = append(cpu, float64(c1)/float64(c0))
	}
	slices.Sort(wall)
	slices.Sort(cpu)
	return fmt.Sprintf("on/off wall median %.3f (%.3f-%.3f), cpu median %.3f (%.3f-%.3f)",
		wall[len(wall)/2], wall[0], wall[len(wall)-1], cpu[len(cpu)/2], cpu[0], cpu[len(cpu)-1])
}
