package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// blockConfigs are cache-blocking settings small enough that circuits of 4 to 10 qubits are
// split into many chunks and sweeps, with and without gathers (pinned runs of 1 to 4 rows)
// and fusion up to 3 qubits; the zero config is gate-by-gate execution.
var blockConfigs = []BlockConfig{
	{},
	{ChunkBytes: 64, PinnedBytes: 8},
	{ChunkBytes: 64, PinnedBytes: 16, FuseQubits: 1},
	{ChunkBytes: 128, PinnedBytes: 8, FuseQubits: 2},
	{ChunkBytes: 256, PinnedBytes: 32, FuseQubits: 2},
	{ChunkBytes: 512, PinnedBytes: 16, FuseQubits: 3},
	{ChunkBytes: 1 << 10, PinnedBytes: 64, FuseQubits: 1},
}

func withBlocking(cfg BlockConfig, f func()) {
	old := Blocking
	defer func() { Blocking = old }()
	Blocking = cfg
	f()
}

func (cfg BlockConfig) String() string {
	if cfg.ChunkBytes == 0 {
		return "unblocked"
	}
	return fmt.Sprintf("chunk=%dB/pinned=%dB/f=%d", cfg.ChunkBytes, cfg.PinnedBytes, cfg.FuseQubits)
}

// TestBlockedMatchesItsubaki: with every blocking configuration (tiny chunks, so that sweeps,
// gathers and fusion all happen on 4 to 10 qubits) and serial and parallel kernels, random
// circuits over every gate itsubaki/q has, with up to two extra controls, agree with
// itsubaki/q (bits reversed) to 1e-12 per amplitude, on the real and the complex path.
func TestBlockedMatchesItsubaki(t *testing.T) {
	perN := 6
	if testing.Short() {
		perN = 2
	}
	pool := itsubakiPool()
	realPool := realOf(pool)
	withThreads(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		worst := 0.0
		for n := 4; n <= 10; n++ {
			for trial := 0; trial < perN; trial++ {
				p := pool
				if trial%2 == 1 {
					p = realPool
				}
				c := randomCircuit(r, n, 6*n+10, p, 2)
				want := runItsubaki(t, c)
				for _, cfg := range blockConfigs {
					for _, complexPath := range []bool{true, false} {
						var res *Result
						var err error
						withBlocking(cfg, func() { res, err = Run(c, Options{Complex: complexPath}) })
						require.NoError(t, err)
						e := maxDiff(res.State.Amplitudes(), want)
						worst = max(worst, e)
						require.LessOrEqual(t, e, 1e-12, "n=%d trial %d %v complex=%v: max amplitude difference\n%s", n, trial, cfg, complexPath, describe(c))
					}
				}
			}
		}
		t.Logf("worst amplitude difference %.3g", worst)
	})
}

// TestGatherSegments: with chunks of 32 KiB and pinned runs of 4 KiB, a 14-qubit state has
// gathered sweeps whose runs are longer than a gather segment (so a run is copied, and
// prefetched, in several segments, on into the next chunk) and whose chunks outnumber the
// goroutines (so they help each other); random circuits agree with itsubaki/q to 1e-12 on
// the real and the complex path, serial and parallel.
func TestGatherSegments(t *testing.T) {
	const n = 14
	cfg := BlockConfig{ChunkBytes: 32 << 10, PinnedBytes: 4 << 10, FuseQubits: 1}
	pool := itsubakiPool()
	realPool := realOf(pool)
	withThreads(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(41, 42))
		for trial, p := range [][]*gates.Gate{pool, realPool} {
			c := randomCircuit(r, n, 8*n, p, 1)
			want := runItsubaki(t, c)
			for _, complexPath := range []bool{true, false} {
				rf := 1
				if complexPath || trial == 0 {
					rf = 2
				}
				steps, err := compile(c, nil)
				require.NoError(t, err)
				sweeps, _ := cfg.plan(gateSteps(steps), n, rf, 8, rf == 2)
				long := 0
				for _, sw := range sweeps {
					if p := sw.lowRun(); !sw.direct && p < len(sw.local) && 8*rf<<p > gatherSegBytes {
						long++
					}
				}
				require.NotZero(t, long, "trial %d complex=%v: no gathered sweep with runs longer than %d B", trial, complexPath, gatherSegBytes)
				var res *Result
				withBlocking(cfg, func() { res, err = Run(c, Options{Complex: complexPath}) })
				require.NoError(t, err)
				require.LessOrEqual(t, maxDiff(res.State.Amplitudes(), want), 1e-12, "trial %d complex=%v: max amplitude difference", trial, complexPath)
			}
		}
	})
}

// TestFusedMatchesUnfused: on random circuits over every gate (ctrl @ modifiers, multi-qubit
// gates, global phases), blocked and fused execution agrees with gate-by-gate execution to
// 1e-12 per amplitude: states from Run, and the columns of Unitary, Columns and RealColumns.
func TestFusedMatchesUnfused(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	all := gates.All()
	realPool := realGates()
	worst := 0.0
	check := func(what string, got, want []complex128) {
		t.Helper()
		e := maxDiff(got, want)
		worst = max(worst, e)
		require.LessOrEqual(t, e, 1e-12, "%s: max difference", what)
	}
	for n := 3; n <= 9; n++ {
		for trial := 0; trial < 4; trial++ {
			c := randomCircuit(r, n, 8*n, all, 2)
			c.Ops = append(c.Ops, circuit.Op{Kind: circuit.GateOp, Gate: gates.MustGet("gphase"), Args: []circuit.Expr{circuit.Const{V: 0.3}}})
			rc := randomCircuit(r, n, 8*n, realPool, 1)
			var ref *State
			var refU *Batch
			var refC *RealBatch
			withBlocking(BlockConfig{}, func() {
				ref, _ = Statevector(c, nil)
				refU, _ = Unitary(c, nil)
				refC, _ = RealColumns(rc, nil, 3)
			})
			for _, cfg := range blockConfigs[1:] {
				name := fmt.Sprintf("n=%d trial %d %v", n, trial, cfg)
				withBlocking(cfg, func() {
					s, err := Statevector(c, nil)
					require.NoError(t, err, name)
					check(name+" state", s.Amplitudes(), ref.Amplitudes())
					u, err := Unitary(c, nil)
					require.NoError(t, err, name)
					check(name+" unitary", u.Data, refU.Data)
					k, err := RealColumns(rc, nil, 3)
					require.NoError(t, err, name)
					check(name+" real columns", toComplex(k.Data), toComplex(refC.Data))
				})
			}
		}
	}
	t.Logf("worst difference %.3g", worst)
}

// TestPlanSweeps: the sweeps of a blocked run keep every gate exactly once, never put more
// than c qubits in a chunk, always hold the pinned qubits, and never move a gate past an
// earlier gate it shares a qubit with.
func TestPlanSweeps(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for trial := 0; trial < 50; trial++ {
		n := 6 + r.IntN(10)
		c := randomCircuit(r, n, 200, gates.All(), 3)
		steps, err := compile(c, nil)
		require.NoError(t, err)
		gs := gateSteps(steps)
		cq, pin := 3+r.IntN(n-3), r.IntN(3)
		if cq < pin+2 {
			cq = pin + 2
		}
		sweeps := planSweeps(gs, n, cq, pin, 0, costC128, 1)
		// Replay: the order of the ops must be a valid reordering (a gate comes after every
		// earlier gate sharing a qubit with it).
		index := map[*circuit.Op]int{}
		for i, st := range gs {
			index[st.op] = i
		}
		last := make([]int, n) // last original index applied on each qubit
		for q := range last {
			last[q] = -1
		}
		seen := 0
		for _, sw := range sweeps {
			if !sw.direct {
				require.LessOrEqual(t, len(sw.local), cq, "trial %d: local qubits of a sweep", trial)
				for q := 0; q < pin; q++ {
					require.Equal(t, q, sw.local[q], "trial %d: pinned qubit %d not local: %v", trial, q, sw.local)
				}
			}
			for _, st := range sw.steps {
				i := index[st.op]
				g := gs[i]
				for _, q := range append(append([]int(nil), g.controls...), g.targets...) {
					require.LessOrEqual(t, last[q], i, "trial %d: gate %d moved before gate %d on qubit %d", trial, i, last[q], q)
					last[q] = i
				}
				seen++
			}
		}
		require.Equal(t, len(gs), seen, "trial %d: gates planned", trial)
	}
}

// TestApplyCircuitBatch: a batch of random states pushed through a circuit at once equals
// each state run on its own (Run with Initial, gate by gate), column by column, on the
// complex and the float64 path, blocked and not; mismatched sizes and complex gates on a
// real batch are errors.
func TestApplyCircuitBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	for _, cfg := range blockConfigs {
		for _, n := range []int{3, 7, 9} {
			const B = 5
			c := randomCircuit(r, n, 6*n, gates.All(), 2)
			x, cols := randomBatch(r, n, B)
			withBlocking(cfg, func() { require.NoError(t, x.ApplyCircuit(c, nil), "%v n=%d", cfg, n) })
			requireColumnsRun(t, x, cols, c, fmt.Sprintf("%v n=%d", cfg, n))
			rc := randomCircuit(r, n, 6*n, realGates(), 1)
			y, _ := NewRealBatch(n, B)
			for i := range y.Data {
				y.Data[i] = r.NormFloat64()
			}
			y0 := y.Clone()
			withBlocking(cfg, func() { require.NoError(t, y.ApplyCircuit(rc, nil), "%v n=%d real", cfg, n) })
			for b := 0; b < B; b++ {
				col := y0.Column(b)
				var want *Result
				withBlocking(BlockConfig{}, func() {
					init, _ := FromRealAmplitudes(normalizeReal(col))
					want, _ = Run(rc, Options{Initial: init})
				})
				got := y.Column(b)
				scale := norm(col)
				for i := range got {
					got[i] /= scale
				}
				require.LessOrEqual(t, maxDiff(toComplex(got), want.State.Amplitudes()), 1e-12, "%v n=%d real column %d: max difference", cfg, n, b)
			}
		}
	}
	x, _ := NewBatch(3, 2)
	assert.ErrorContains(t, x.ApplyCircuit(circuit.New(4).H(0), nil), "4 qubits", "size mismatch")
	y, _ := NewRealBatch(2, 2)
	assert.ErrorContains(t, y.ApplyCircuit(circuit.New(2).H(0).S(1), nil), "s", "complex gate on a real batch")
}

// randomBatch returns a batch of B random normalised states of n qubits and its columns.
func randomBatch(r *rand.Rand, n, B int) (*Batch, [][]complex128) {
	x, _ := NewBatch(n, B)
	cols := make([][]complex128, B)
	for b := range cols {
		cols[b] = normalize(randComplex(r, 1<<n))
		for i, v := range cols[b] {
			x.Data[i*B+b] = v
		}
	}
	return x, cols
}

// requireColumnsRun checks that column b of x equals cols[b] run through c on its own, gate
// by gate (the unblocked oracle), to 1e-12 per amplitude.
func requireColumnsRun(t *testing.T, x *Batch, cols [][]complex128, c *circuit.Circuit, what string) {
	t.Helper()
	for b := range cols {
		init, _ := FromAmplitudes(cols[b])
		var want *Result
		withBlocking(BlockConfig{}, func() { want, _ = Run(c, Options{Initial: init}) })
		require.LessOrEqual(t, maxDiff(x.Column(b), want.State.Amplitudes()), 1e-12, "%s column %d: max difference", what, b)
	}
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

func normalizeReal(v []float64) []float64 {
	out := make([]float64, len(v))
	s := norm(v)
	for i, x := range v {
		out[i] = x / s
	}
	return out
}

// TestBlockedDynamicCircuits: circuits that interleave random gates with mid-circuit
// measurements, resets, conditioned gates and barriers give, with every blocking
// configuration, the same outcomes (same seed) and the same final state to 1e-12 as gate-by-
// gate execution, for single runs and for trajectories of shots.
func TestBlockedDynamicCircuits(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	all := gates.All()
	for trial := 0; trial < 12; trial++ {
		n := 5 + r.IntN(5)
		c := circuit.New(n)
		for seg := 0; seg < 4; seg++ {
			body := randomCircuit(r, n, 5*n, all, 2)
			for _, op := range body.Ops {
				require.NoError(t, c.Append(op))
			}
			q := r.IntN(n)
			switch seg {
			case 0:
				c.Measure(q, 0)
			case 1:
				c.RY(0.7, (q+1)%n).If([]int{0}, 1)
				c.Barrier()
			case 2:
				c.Reset(q)
			default:
				c.Measure(q, 1)
				c.H((q+2)%n).If([]int{0, 1}, 2)
			}
		}
		var ref *Result
		var refShots *Result
		withBlocking(BlockConfig{}, func() {
			var err error
			ref, err = Run(c, Options{Seed: uint64(trial)})
			require.NoError(t, err)
			refShots, err = Run(c, Options{Seed: uint64(trial), Shots: 20, Memory: true})
			require.NoError(t, err)
		})
		for _, cfg := range blockConfigs[1:] {
			withBlocking(cfg, func() {
				got, err := Run(c, Options{Seed: uint64(trial)})
				require.NoError(t, err)
				require.Equal(t, ref.Bits(), got.Bits(), "trial %d %v: outcome, gate by gate first", trial, cfg)
				require.LessOrEqual(t, maxDiff(got.State.Amplitudes(), ref.State.Amplitudes()), 1e-12, "trial %d %v: final state differs", trial, cfg)
				shots, err := Run(c, Options{Seed: uint64(trial), Shots: 20, Memory: true})
				require.NoError(t, err)
				require.Equal(t, refShots.Memory, shots.Memory, "trial %d %v: shots, gate by gate first", trial, cfg)
			})
		}
	}
}

// TestPlanHandCounted: schedules worked out by hand for the default configuration on 20
// qubits (chunks of 2^16 float64 / 2^15 complex128 amplitudes; the lowest 7 / 6 qubits
// pinned): RY on qubits 0..19 is one in-place sweep for RY 0..15 and one gathered sweep for
// the other four; RY on 0..17 leaves two gates, too few to gather, applied directly; the
// complex path holds one qubit fewer per chunk; a complex gate after the RYs is planned on
// the complex path by itself; with blocking off every gate is a pass.
func TestPlanHandCounted(t *testing.T) {
	ry := func(m int) *circuit.Circuit {
		c := circuit.New(20)
		for q := 0; q < m; q++ {
			c.RY(0.1*float64(q+1), q)
		}
		return c
	}
	withS := ry(20)
	withS.S(3)
	cases := []struct {
		name    string
		c       *circuit.Circuit
		complex bool
		cfg     BlockConfig
		want    Schedule
	}{
		{"ry 0..19 float64", ry(20), false, Blocking, Schedule{Gates: 20, Steps: 20, Sweeps: 2, ChunkQubits: 16}},
		{"ry 0..17 float64", ry(18), false, Blocking, Schedule{Gates: 18, Steps: 18, Sweeps: 3, ChunkQubits: 16}},
		{"ry 0..19 complex128", ry(20), true, Blocking, Schedule{Gates: 20, Steps: 20, Sweeps: 2, ChunkQubits: 15}},
		{"ry then s", withS, false, Blocking, Schedule{Gates: 21, Steps: 21, Sweeps: 3, ChunkQubits: 16}},
		{"blocking off", ry(20), false, BlockConfig{}, Schedule{Gates: 20, Steps: 20, Sweeps: 20}},
	}
	for _, c := range cases {
		var got Schedule
		var err error
		withBlocking(c.cfg, func() { got, err = Plan(c.c, nil, c.complex) })
		require.NoError(t, err, c.name)
		steps := 0
		for _, k := range got.SweepSteps {
			steps += max(k, 1)
		}
		assert.Len(t, got.SweepSteps, got.Sweeps, "%s: SweepSteps %v do not add up to %d sweeps", c.name, got.SweepSteps, got.Sweeps)
		assert.Equal(t, got.Steps, steps, "%s: SweepSteps %v do not add up to %d steps", c.name, got.SweepSteps, got.Steps)
		if c.name != "ry then s" && c.name != "blocking off" {
			// Every step is one full 2x2 real pass: the passes' kernel work adds up to
			// the steps run in cache.
			inCache, work := 0, 0.0
			for i, k := range got.SweepSteps {
				inCache += k
				work += got.SweepKernels[i][KernelPairReal]
			}
			assert.Equal(t, float64(inCache), work, "%s: kernel work in 2x2 real passes", c.name)
		}
		got.SweepSteps, got.SweepKernels = nil, nil
		assert.Equal(t, c.want, got, c.name)
	}
}

// TestMemoryFloor: a positive time for both element types, and the memory check before any
// allocation, naming the bytes.
func TestMemoryFloor(t *testing.T) {
	for _, cx := range []bool{false, true} {
		d, err := MemoryFloor(12, cx, 2, 0)
		assert.NoError(t, err, "complex=%v", cx)
		assert.Positive(t, d, "complex=%v", cx)
	}
	_, err := MemoryFloor(20, true, 1, 1<<20)
	assert.ErrorContains(t, err, "16 MiB", "over the limit")
}
