package sim

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// withWindows runs f with windows of w operations and a small cache-blocking chunk, so that
// circuits of a few hundred gates on 6 qubits cross many windows and are blocked into sweeps.
func withWindows(t *testing.T, w int, f func()) {
	t.Helper()
	oldW, oldB := windowOps, Blocking
	windowOps = w
	Blocking = BlockConfig{ChunkBytes: 64, PinnedBytes: 16, FuseQubits: 1}
	defer func() { windowOps, Blocking = oldW, oldB }()
	f()
}

// TestWindows: a circuit longer than a window is checked whole, then compiled and run a
// window at a time; states, unitaries, schedules and errors agree with the independent
// oracles (itsubaki/q with bits reversed, dense products) for windows of every size.
func TestWindows(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	pool := itsubakiPool()
	realPool := realOf(pool)
	// A real circuit with a complex gate in a later window: the state turns complex there.
	promote := randomCircuit(r, 6, 120, realPool, 1)
	require.NoError(t, promote.Append(circuit.Op{Kind: circuit.GateOp, Gate: gates.MustGet("s"), Qubits: []int{2}}))
	require.NoError(t, promote.Compose(randomCircuit(r, 6, 80, realPool, 1), nil, nil))
	tests := []struct {
		name string
		c    *circuit.Circuit
	}{
		{"complex gates", randomCircuit(r, 6, 300, pool, 2)},
		{"real gates", randomCircuit(r, 6, 300, realPool, 1)},
		{"real then complex", promote},
		{"gates without arguments", func() *circuit.Circuit {
			c := circuit.New(6)
			for i := range 400 {
				c.X(i%6).H((i+1)%6).CX(i%6, (i+3)%6).S(i % 6)
			}
			return c
		}()},
	}
	for _, tc := range tests {
		want := runItsubaki(t, tc.c)
		for _, w := range []int{1, 7, 64, 1 << 14} {
			withWindows(t, w, func() {
				res, err := Run(tc.c, Options{})
				require.NoError(t, err)
				assert.Less(t, maxDiff(res.State.Amplitudes(), want), 1e-12, "%s, windows of %d", tc.name, w)
				sc, err := Plan(tc.c, nil, false)
				require.NoError(t, err)
				assert.Equal(t, len(tc.c.Ops), sc.Gates, "%s, windows of %d", tc.name, w)
			})
		}
	}

	// Unitaries: a circuit of 3 qubits against the dense product of its gates.
	c := randomCircuit(r, 3, 200, pool, 1)
	dense := denseCircuit(t, c, nil)
	rc := randomCircuit(r, 3, 200, realPool, 1)
	rdense := denseCircuit(t, rc, nil)
	withWindows(t, 9, func() {
		u, err := Unitary(c, nil)
		require.NoError(t, err)
		assert.Less(t, maxDiff(u.Data, dense), 1e-12)
		ru, err := RealUnitary(rc, nil)
		require.NoError(t, err)
		got := make([]complex128, len(ru.Data))
		for i, v := range ru.Data {
			got[i] = complex(v, 0)
		}
		assert.Less(t, maxDiff(got, rdense), 1e-12)
		x, err := NewBatch(3, 8)
		require.NoError(t, err)
		x.SetIdentity()
		require.NoError(t, x.ApplyCircuit(c, nil))
		assert.Less(t, maxDiff(x.Data, dense), 1e-12)
	})
}

// TestWindowErrors: an operation that cannot run, in the last window, is reported before
// anything is simulated, with its index; a complex gate in a later window is refused by the
// real paths before they apply anything.
func TestWindowErrors(t *testing.T) {
	c := circuit.New(2)
	for range 50 {
		c.H(0).CX(0, 1)
	}
	c.RX(circuit.Param("t"), 1)
	withWindows(t, 8, func() {
		_, err := Run(c, Options{Params: map[string]float64{"t": 0}, MemoryLimit: 1})
		var me *MemoryError
		assert.ErrorAs(t, err, &me, "the memory check comes after every operation was checked")
		_, err = Run(c, Options{})
		assert.ErrorContains(t, err, "(operation 100)")
		_, err = RunFootprint(c, Options{})
		assert.ErrorContains(t, err, "(operation 100)")

		_, err = RealUnitary(c, circuit.MapEnv(map[string]float64{"t": 0.5}))
		assert.ErrorContains(t, err, "(operation 100)")
		x, err := NewRealBatch(2, 4)
		require.NoError(t, err)
		x.SetIdentity()
		before := append([]float64(nil), x.Data...)
		assert.ErrorContains(t, x.ApplyCircuit(c, circuit.MapEnv(map[string]float64{"t": 0.5})), "complex matrix entries")
		assert.Equal(t, before, x.Data, "nothing applied")
	})
}

// TestWindowShots: the unitary prefix runs a window at a time, the measurements after it
// once: the counts of a GHZ preparation longer than a window are only all-zeros and
// all-ones.
func TestWindowShots(t *testing.T) {
	c := circuit.New(3)
	for range 20 { // an even number of X on each qubit: the identity
		c.X(0).X(1).X(2)
	}
	c.H(0).CX(0, 1).CX(1, 2)
	for q := range 3 {
		c.Measure(q, q)
	}
	withWindows(t, 5, func() {
		res, err := Run(c, Options{Shots: 1000, Seed: 3})
		require.NoError(t, err)
		assert.Equal(t, 1000, res.Counts["000"]+res.Counts["111"])
		assert.Len(t, res.Counts, 2)
	})
}
