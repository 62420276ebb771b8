package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/library"
	"github.com/qpeft/qpeft/gates"
)

// outerSteps counts the diagonal steps with outer qubits in the schedule of c on the
// complex path (double precision) under the current Blocking.
func outerSteps(t *testing.T, c *circuit.Circuit) int {
	t.Helper()
	prog, err := prepare(c, nil)
	require.NoError(t, err)
	count := 0
	require.NoError(t, prog.eachGates(func(gs []*step) {
		sweeps, _ := Blocking.plan(gs, c.NumQubits, 2, 8, true)
		for _, sw := range sweeps {
			for k := range sw.steps {
				if sw.steps[k].outer != nil {
					count++
				}
			}
		}
	}))
	return count
}

// diagonalPool is a gate pool rich in diagonal gates (cz, cp, ccz-like controlled phases,
// t, s, rz) between non-diagonal ones (h, rx, ry, cx, swap).
func diagonalPool() []*gates.Gate {
	var pool []*gates.Gate
	for _, name := range []string{"h", "rx", "ry", "cx", "swap", "cz", "cp", "t", "s", "rz", "z"} {
		pool = append(pool, gates.MustGet(name))
	}
	return pool
}

// TestOuterDiagonals: diagonal gates run with qubits outside the chunk (outerdiag.go). On the
// QFT and on random circuits rich in controlled phases, 4 to 10 qubits, every blocking
// configuration with chunks, serial and parallel, the state agrees with itsubaki/q (bits
// reversed) to 1e-12 on the complex and the real path and to 1e-5 in single precision, and
// the schedules do hold outer steps (so the check covers them: it fails with them switched
// off only if they are wrong, and the count fails if the planner stops making them).
func TestOuterDiagonals(t *testing.T) {
	pool := diagonalPool()
	withThreads(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(41, 42))
		worst, outers := 0.0, 0
		for n := 4; n <= 10; n++ {
			qft, err := library.QFT(n)
			require.NoError(t, err)
			circuits := []*circuit.Circuit{qft, randomCircuit(r, n, 8*n, pool, 2), randomCircuit(r, n, 8*n, pool, 1)}
			for ci, c := range circuits {
				want := runItsubaki(t, c)
				for _, cfg := range blockConfigs[1:] {
					withBlocking(cfg, func() {
						outers += outerSteps(t, c)
						for _, prec := range []Precision{Double, Single} {
							for _, complexPath := range []bool{true, false} {
								res, err := Run(c, Options{Complex: complexPath, Precision: prec})
								require.NoError(t, err)
								e := maxDiff(res.State.Amplitudes(), want)
								tol := 1e-12
								if prec == Single {
									tol = 1e-5
								} else {
									worst = max(worst, e)
								}
								require.LessOrEqual(t, e, tol, "n=%d circuit %d %v %v complex=%v\n%s", n, ci, cfg, prec, complexPath, describe(c))
							}
						}
					})
				}
			}
		}
		require.Positive(t, outers, "no schedule held a diagonal step with outer qubits")
		t.Logf("outer steps %d, worst amplitude difference %.3g", outers, worst)
	})
}

// TestOuterDiagonalsSweeps: with the default blocking, the QFT's controlled phases between a
// local and an outer qubit join the sweeps that run anyway — 3 passes over the state at n =
// 22 instead of 10 (counted by hand: the H gates of 8 qubits per sweep at 15 local qubits,
// 7 of them pinned, then the swaps) — and circuits without cheap diagonals keep their
// schedules.
func TestOuterDiagonalsSweeps(t *testing.T) {
	defer func() { outerDiagonals = true }()
	cases := []struct {
		name    string
		c       func() (*circuit.Circuit, error)
		on, off int
	}{
		{"qft 22", func() (*circuit.Circuit, error) { return library.QFT(22) }, 3, 10},
		{"qft 24", func() (*circuit.Circuit, error) { return library.QFT(24) }, 4, 17},
		{"qaoa 22", func() (*circuit.Circuit, error) { return library.QAOARing(22, 4, 1) }, 8, 8},
		{"random 22", func() (*circuit.Circuit, error) { return library.RandomLayered(22, 20, 2) }, 18, 18},
	}
	for _, tc := range cases {
		c, err := tc.c()
		require.NoError(t, err)
		for _, on := range []bool{true, false} {
			outerDiagonals = on
			sc, err := Plan(c, nil, true)
			require.NoError(t, err)
			want := tc.off
			if on {
				want = tc.on
			}
			assert.Equal(t, want, sc.Sweeps, "%s, outer diagonals %v", tc.name, on)
		}
	}
}

// TestOuterDiagonalsBatch: batches of 3 random states (rows of 3 columns, so a chunk's rows
// are wider) through the QFT and diagonal-rich random circuits, every blocking
// configuration with chunks, equal each state run on its own gate by gate, column by column,
// to 1e-12; the batch schedules hold outer steps.
func TestOuterDiagonalsBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	const B = 3
	outers := 0
	for _, n := range []int{5, 7, 9} {
		qft, err := library.QFT(n)
		require.NoError(t, err)
		for ci, c := range []*circuit.Circuit{qft, randomCircuit(r, n, 8*n, diagonalPool(), 2)} {
			prog, err := prepare(c, nil)
			require.NoError(t, err)
			for _, cfg := range blockConfigs[1:] {
				x, cols := randomBatch(r, n, B)
				withBlocking(cfg, func() {
					require.NoError(t, x.ApplyCircuit(c, nil), "%v n=%d", cfg, n)
					require.NoError(t, prog.eachGates(func(gs []*step) {
						sweeps, _ := Blocking.plan(gs, n, 2*B, 8, true)
						for _, sw := range sweeps {
							for k := range sw.steps {
								if sw.steps[k].outer != nil {
									outers++
								}
							}
						}
					}))
				})
				requireColumnsRun(t, x, cols, c, fmt.Sprintf("%v n=%d circuit %d", cfg, n, ci))
			}
		}
	}
	require.Positive(t, outers, "no batch schedule held a diagonal step with outer qubits")
	t.Logf("outer steps %d", outers)
}
