package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/itsubaki/q"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/library"
)

// pauliAnsatz builds the canonical Pauli ansatz (method.md §2) with bound random angles: RY
// on every qubit, then L times CZ on the even pairs each followed by RY on both qubits, then
// CZ on the odd pairs each followed by RY on both.
func pauliAnsatz(n, L int, seed uint64) (*circuit.Circuit, []float64) {
	r := rand.New(rand.NewPCG(seed, 7))
	c := circuit.New(n)
	var angles []float64
	ry := func(q int) {
		a := (r.Float64()*2 - 1) * 3
		angles = append(angles, a)
		c.RY(a, q)
	}
	for q := 0; q < n; q++ {
		ry(q)
	}
	for l := 0; l < L; l++ {
		for start := 0; start < 2; start++ {
			for a := start; a+1 < n; a += 2 {
				c.CZ(a, a+1)
				ry(a)
				ry(a + 1)
			}
		}
	}
	return c, angles
}

// itsubakiAnsatz runs the same ansatz on itsubaki/q (big-endian: our qubit k is its n−1−k).
func itsubakiAnsatz(c *circuit.Circuit) *q.Q {
	n := c.NumQubits
	sim := q.New()
	qb := sim.Zeros(n)
	for i := range c.Ops {
		op := &c.Ops[i]
		switch op.Gate.Name {
		case "ry":
			a, _ := circuit.Eval(op.Args[0], nil)
			sim.RY(a, qb[n-1-op.Qubits[0]])
		case "cz":
			sim.CZ(qb[n-1-op.Qubits[0]], qb[n-1-op.Qubits[1]])
		default:
			panic(op.Name())
		}
	}
	return sim
}

var benchSizes = []int{16, 20, 24}

// timeSteps times compiled steps run from |0…0⟩ on one preallocated state (the allocation is
// not timed), reporting ns per gate (work = gates × amplitudes) per amplitude.
func timeSteps(b *testing.B, steps []step, n int, complexPath bool, work float64) {
	b.Helper()
	s, err := newState(n, 0, complexPath, Double)
	require.NoError(b, err)
	f, _ := s.floats()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(f)
		f[0] = 1
		require.NoError(b, runSteps(s, steps, nil, nil))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/work, "ns/amp-gate")
}

// BenchmarkAnsatz times one run of the 4-layer Pauli ansatz from |0…0⟩: our complex128 and
// float64 paths and itsubaki/q, side by side. ns/amp-gate is the time per gate per amplitude.
//
//	go test ./sim -run XXX -bench Ansatz -benchtime 2x
func BenchmarkAnsatz(b *testing.B) {
	for _, n := range benchSizes {
		if testing.Short() && n > 20 {
			continue
		}
		c, _ := pauliAnsatz(n, 4, 1)
		work := float64(len(c.Ops)) * float64(int(1)<<n)
		for _, path := range []struct {
			name    string
			complex bool
		}{{"complex", true}, {"real", false}} {
			b.Run(fmt.Sprintf("n=%d/%s", n, path.name), func(b *testing.B) {
				steps, err := compile(c, nil)
				require.NoError(b, err)
				timeSteps(b, steps, n, path.complex, work)
			})
		}
		b.Run(fmt.Sprintf("n=%d/itsubaki", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				itsubakiAnsatz(c)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/work, "ns/amp-gate")
		})
	}
}

// BenchmarkBandwidth is the memory floor: one read+write sweep (x *= s) over a 2^24-element
// float64 and complex128 array, on all threads, in ns per element.
func BenchmarkBandwidth(b *testing.B) {
	const n = 24
	b.Run("float64", func(b *testing.B) {
		x, _ := NewRealBatch(n, 1)
		x.Scale(1) // fault the pages in before timing
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			x.Scale(0.999)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x.Data)), "ns/amp")
	})
	b.Run("complex128", func(b *testing.B) {
		x, _ := NewBatch(n, 1)
		x.Scale(1) // fault the pages in before timing
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			x.Scale(0.999)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x.Data)), "ns/amp")
	})
}

// BenchmarkKernel times single kernels on states of 2^20 amplitudes (cache-resident on the
// development machine) and 2^24 (in DRAM), in ns per amplitude: the 2x2 (ry), diagonal (cz), transposition (cx)
// and dense 4x4 kernels on low and high qubits.
//
//	go test ./sim -run XXX -bench Kernel -cpu 1,2
func BenchmarkKernel(b *testing.B) {
	for _, n := range []int{20, 24} {
		benchKernels(b, n)
	}
}

func benchKernels(b *testing.B, n int) {
	ry := [4]float64{0.8, -0.6, 0.6, 0.8}
	dense := []float64{0.5, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, -0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.5, -0.5, 0.5}
	for _, q := range []int{0, 1, 4, 12, n - 1} {
		q2 := (q + 1) % n
		for _, k := range []struct {
			name string
			f    func(x *RealBatch)
		}{
			{"ry", func(x *RealBatch) { x.Apply1(q, ry) }},
			{"cz", func(x *RealBatch) { x.ApplyDiag([]int{q, q2}, []float64{1, 1, 1, -1}) }},
			{"cx", func(x *RealBatch) { x.ApplyControlled([]int{q2}, []int{q}, []float64{0, 1, 1, 0}) }},
			{"dense4", func(x *RealBatch) { x.ApplyMatrix([]int{q, q2}, dense) }},
		} {
			b.Run(fmt.Sprintf("n=%d/real/%s/q=%d", n, k.name, q), func(b *testing.B) {
				x, _ := NewRealBatch(n, 1)
				x.Data[0] = 1
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					k.f(x)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x.Data)), "ns/amp")
			})
		}
		for _, k := range []struct {
			name string
			f    func(x *Batch)
		}{
			{"ry", func(x *Batch) { x.Apply1(q, [4]complex128{0.8, -0.6, 0.6, 0.8}) }},
			{"u", func(x *Batch) { x.Apply1(q, [4]complex128{0.8, -0.6i, 0.6i, 0.8}) }},
			{"cz", func(x *Batch) { x.ApplyDiag([]int{q, q2}, []complex128{1, 1, 1, -1}) }},
			{"cp", func(x *Batch) { x.ApplyDiag([]int{q, q2}, []complex128{1, 1, 1, 1i}) }},
		} {
			b.Run(fmt.Sprintf("n=%d/complex/%s/q=%d", n, k.name, q), func(b *testing.B) {
				x, _ := NewBatch(n, 1)
				x.Data[0] = 1
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					k.f(x)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x.Data)), "ns/amp")
			})
		}
	}
}

// BenchmarkThreshold finds where splitting a kernel between goroutines starts to pay: one RY
// and one CZ sweep over 2^n amplitudes, serial and on every core, for n = 8..16. The
// crossover sets ParallelThreshold.
//
//	go test ./sim -run XXX -bench Threshold
func BenchmarkThreshold(b *testing.B) {
	oldT, oldP := Threads, ParallelThreshold
	defer func() { Threads, ParallelThreshold = oldT, oldP }()
	ry := [4]float64{0.8, -0.6, 0.6, 0.8}
	for n := 8; n <= 16; n += 2 {
		for _, par := range []bool{false, true} {
			name := fmt.Sprintf("n=%d/serial", n)
			if par {
				name = fmt.Sprintf("n=%d/parallel", n)
			}
			b.Run(name, func(b *testing.B) {
				Threads, ParallelThreshold = 1, 1<<62
				if par {
					Threads, ParallelThreshold = 0, 0
				}
				x, _ := NewRealBatch(n, 1)
				x.Data[0] = 1
				cz := []int{n / 2, n/2 + 1}
				dg := []float64{1, 1, 1, -1}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					x.Apply1(n/2, ry)
					x.ApplyDiag(cz, dg)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(2*len(x.Data)), "ns/amp-gate")
			})
		}
	}
}

// BenchmarkDiagSweep compares the two diagonal strategies (skip the rows whose entry is 1,
// or sweep every run in memory order) on CZ(q, q+1).
//
//	go test ./sim -run XXX -bench DiagSweep -cpu 1
func BenchmarkDiagSweep(b *testing.B) {
	defer func() { sweepDiag = true }()
	for _, n := range []int{20, 24} {
		for _, q := range []int{2, 3, 4, 6, 8, 9} {
			for _, sw := range []bool{false, true} {
				b.Run(fmt.Sprintf("n=%d/q=%d/sweep=%v", n, q, sw), func(b *testing.B) {
					sweepDiag = sw
					x, _ := NewRealBatch(n, 1)
					x.Scale(1)
					qs, dg := []int{q, q + 1}, []float64{1, 1, 1, -1}
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						x.ApplyDiag(qs, dg)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x.Data)), "ns/amp")
				})
			}
		}
	}
}

// BenchmarkCZLadder times CZ(a, a+1) for every a on a 2^24-amplitude state, as the Pauli
// ansatz applies them, in ns per amplitude.
func BenchmarkCZLadder(b *testing.B) {
	const n = 24
	for _, cx := range []bool{false, true} {
		for a := 0; a+1 < n; a += 2 {
			name := fmt.Sprintf("real/a=%d", a)
			if cx {
				name = fmt.Sprintf("complex/a=%d", a)
			}
			b.Run(name, func(b *testing.B) {
				var f func()
				var amps int
				if cx {
					x, _ := NewBatch(n, 1)
					x.Scale(1)
					amps = len(x.Data)
					f = func() { x.ApplyControlled([]int{a}, []int{a + 1}, []complex128{1, 0, 0, -1}) }
				} else {
					x, _ := NewRealBatch(n, 1)
					x.Scale(1)
					amps = len(x.Data)
					f = func() { x.ApplyControlled([]int{a}, []int{a + 1}, []float64{1, 0, 0, -1}) }
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					f()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(amps), "ns/amp")
			})
		}
	}
}

// BenchmarkControlledGap times CX with the control below and above the target on a 2^24
// float64 state, with and without reading the skipped gaps (touchCursors), in ns per
// amplitude.
//
//	go test ./sim -run XXX -bench ControlledGap -cpu 1
func BenchmarkControlledGap(b *testing.B) {
	defer func() { touchGaps = true }()
	const n = 24
	for _, c := range []int{0, 1, 3, 4, 5, 7, 9} {
		for _, t := range []int{c + 3, max(c-3, 0) + (c+1)%2*0} {
			if t == c {
				continue
			}
			for _, touch := range []bool{false, true} {
				b.Run(fmt.Sprintf("c=%d/t=%d/touch=%v", c, t, touch), func(b *testing.B) {
					touchGaps = touch
					x, _ := NewRealBatch(n, 1)
					x.Scale(1)
					ctl, tgt := []int{c}, []int{t}
					m := []float64{0, 1, 1, 0}
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						x.ApplyControlled(ctl, tgt, m)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x.Data)), "ns/amp")
				})
			}
		}
	}
}

// BenchmarkBlocking compares execution strategies of the 4-layer Pauli ansatz at n = 20 and
// 24: gate by gate (unblocked), cache-blocked sweeps without fusion, and with fusion into
// blocks of up to f qubits; ns/amp-gate counts the circuit's original gates.
//
//	go test ./sim -run XXX -bench Blocking -benchtime 2x
func BenchmarkBlocking(b *testing.B) {
	old := Blocking
	defer func() { Blocking = old }()
	for _, n := range []int{20, 24} {
		if testing.Short() && n > 20 {
			continue
		}
		c, _ := pauliAnsatz(n, 4, 1)
		work := float64(len(c.Ops)) * float64(int(1)<<n)
		steps, err := compile(c, nil)
		require.NoError(b, err)
		for _, path := range []string{"real", "complex"} {
			for _, mode := range []struct {
				name string
				cfg  BlockConfig
			}{
				{"unblocked", BlockConfig{}},
				{"f=0", BlockConfig{ChunkBytes: old.ChunkBytes, PinnedBytes: old.PinnedBytes}},
				{"f=1", BlockConfig{ChunkBytes: old.ChunkBytes, PinnedBytes: old.PinnedBytes, FuseQubits: 1}},
				{"f=2", BlockConfig{ChunkBytes: old.ChunkBytes, PinnedBytes: old.PinnedBytes, FuseQubits: 2}},
				{"f=3", BlockConfig{ChunkBytes: old.ChunkBytes, PinnedBytes: old.PinnedBytes, FuseQubits: 3}},
			} {
				b.Run(fmt.Sprintf("n=%d/%s/%s", n, path, mode.name), func(b *testing.B) {
					Blocking = mode.cfg
					defer func() { Blocking = old }()
					timeSteps(b, steps, n, path == "complex", work)
				})
			}
		}
	}
}

// itsubakiRun simulates a circuit of the benchmark gate set (rx, ry, rz, h, cx, cz, cp,
// swap) on itsubaki/q with its native methods. The qubit labels are the same; itsubaki/q is
// big-endian, which changes only where amplitudes are stored, not the work.
func itsubakiRun(c *circuit.Circuit) *q.Q {
	s := q.New()
	qb := s.Zeros(c.NumQubits)
	for i := range c.Ops {
		op := &c.Ops[i]
		var a float64
		if len(op.Args) > 0 {
			a, _ = circuit.Eval(op.Args[0], nil)
		}
		qs := op.Qubits
		switch op.Gate.Name {
		case "rx":
			s.RX(a, qb[qs[0]])
		case "ry":
			s.RY(a, qb[qs[0]])
		case "rz":
			s.RZ(a, qb[qs[0]])
		case "h":
			s.H(qb[qs[0]])
		case "cx":
			s.CNOT(qb[qs[0]], qb[qs[1]])
		case "cz":
			s.CZ(qb[qs[0]], qb[qs[1]])
		case "cp":
			s.CR(a, qb[qs[0]], qb[qs[1]])
		case "swap":
			s.Swap(qb[qs[0]], qb[qs[1]])
		default:
			panic("itsubakiRun: no native form for " + op.Name())
		}
	}
	return s
}

// BenchmarkCircuits times the three workloads of issue 8 — the Pauli ansatz (L = 4, random
// angles), a random-layered circuit (20 layers of RX/RY/RZ then CX on disjoint pairs) and the
// QFT — for n = 12 to 26: our automatic path (float64 for the ansatz), our complex128 path,
// and itsubaki/q (up to n = 24; 26 with QPEFT_BENCH_ITSUBAKI=26, about a minute per run).
// ns/amp-gate counts the circuit's gates; sweeps is the number of passes over the state
// (sim.Plan) for the memory-floor comparison. -short stops at n = 20.
//
//	go test ./sim -run '^$' -bench Circuits -benchtime 1x
func BenchmarkCircuits(b *testing.B) {
	itsMax := 24
	if v, err := strconv.Atoi(os.Getenv("QPEFT_BENCH_ITSUBAKI")); err == nil {
		itsMax = v
	}
	for _, kind := range []string{"pauli", "random", "qft"} {
		for _, n := range []int{12, 16, 20, 24, 26} {
			if testing.Short() && n > 20 {
				continue
			}
			var c *circuit.Circuit
			switch kind {
			case "pauli":
				c, _ = pauliAnsatz(n, 4, 1)
			case "random":
				c, _ = library.RandomLayered(n, 20, 2)
			default:
				c, _ = library.QFT(n)
			}
			work := float64(len(c.Ops)) * float64(int(1)<<n)
			paths := []string{"complex"}
			if c.IsReal() {
				paths = []string{"real", "complex"}
			}
			for _, path := range paths {
				b.Run(fmt.Sprintf("%s/n=%d/%s", kind, n, path), func(b *testing.B) {
					sc, err := Plan(c, nil, path == "complex")
					require.NoError(b, err)
					for i := 0; i < b.N; i++ {
						_, err := Run(c, Options{Complex: path == "complex"})
						require.NoError(b, err)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/work, "ns/amp-gate")
					b.ReportMetric(float64(sc.Sweeps), "sweeps")
				})
			}
			if n <= itsMax {
				b.Run(fmt.Sprintf("%s/n=%d/itsubaki", kind, n), func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						itsubakiRun(c)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/work, "ns/amp-gate")
				})
			}
		}
	}
}

// BenchmarkSweep measures what one cache-blocked sweep costs over a 2^24-amplitude state
// against the memory floor (one read+write pass, x *= s, on all threads): a sweep carrying
// a single RY, in place (local qubits 0..c−1, contiguous chunks) and gathered (the pinned
// low qubits plus the highest ones, so every chunk is collected from 2^(c−pin) runs), and
// the gathered sweep without its gate (gather-move: the data movement alone), on the float64
// and complex128 paths. The floor and the sweep are timed alternately, b.N
// times each, so that both see the same state of a shared machine (memory bandwidth here
// drifts by ±30 % within a minute); "x-floor" is the fastest sweep over the fastest floor
// pass and "x-floor-median" the median of the b.N paired ratios. ns/amp is per amplitude
// per sweep (the fastest).
//
//	go test ./sim -run '^$' -bench Sweep -benchtime 20x
func BenchmarkSweep(b *testing.B) {
	const n = 24
	for _, complexPath := range []bool{false, true} {
		path, rf := "float64", 1
		if complexPath {
			path, rf = "complex128", 2
		}
		var a amps
		if complexPath {
			x, _ := NewBatch(n, 1)
			a = amps{f: x.floats(), c: x.Data, n: n, B: 1}
		} else {
			x, _ := NewRealBatch(n, 1)
			a = amps{f: x.Data, n: n, B: 1}
		}
		kScale(a.f, 1, 0, len(a.f)) // fault the pages in
		c, pin, _ := Blocking.chunkQubits(n, rf, 8)
		ry := step{targets: []int{0}, mr: []float64{0.8, -0.6, 0.6, 0.8}, m: []complex128{0.8, -0.6, 0.6, 0.8}}
		for _, layout := range []string{"inplace", "gather", "gather-move"} {
			sw := sweep{steps: []step{ry}}
			if layout == "gather-move" {
				sw.steps = nil
			}
			for q := 0; q < c; q++ {
				sw.local = append(sw.local, q)
			}
			if layout != "inplace" {
				sw.local = sw.local[:pin]
				for q := n - (c - pin); q < n; q++ {
					sw.local = append(sw.local, q)
				}
			}
			b.Run(fmt.Sprintf("%s/%s", path, layout), func(b *testing.B) {
				w := workers(len(a.f))
				bufs := make([][]float64, w)
				a.runSweep(&sw, w, bufs) // allocate the buffers
				b.ResetTimer()
				floor, bests, median := timeAgainstFloor(b.N, func() { drvScale(a.f, 0.999, w) }, func() { a.runSweep(&sw, w, bufs) })
				best := bests[0]
				b.ReportMetric(float64(best.Nanoseconds())/float64(int(1)<<n), "ns/amp")
				b.ReportMetric(float64(floor.Nanoseconds())/float64(int(1)<<n), "floor-ns/amp")
				b.ReportMetric(float64(best)/float64(floor), "x-floor")
				b.ReportMetric(median, "x-floor-median")
			})
		}
	}
}

// BenchmarkCircuitSweeps times every sweep of the fused, cache-blocked schedule of the
// three issue-8 circuits at n = 24 on its own, against the memory floor (x *= s over the
// same state) timed alternately with it (see BenchmarkSweep), the fastest of b.N rounds
// each. For a gathered sweep it also times the sweep with its gates removed: the data
// movement alone (gather, scatter). A sweep of many gates is bound by their arithmetic in
// cache rather than by memory, so each sweep is also set against its own bound,
// max(memory floor, steps × cache pass), where a cache pass is one read+write pass (x *= s)
// over a cache-resident chunk per goroutine scaled to the whole state (measured here too):
// no schedule of these steps can beat either term. Reported per circuit:
// "sweep-x-floor-min/median/max" (each sweep's time over the memory floor),
// "move-x-floor-max" (the worst gathered sweep's movement over the floor),
// "sweep-x-bound-median/max" (each sweep over its bound), "circuit-x-floor" (the sum of the
// sweep times over floor × sweeps) and "circuit-x-bound"; every sweep is listed on stdout.
//
//	go test ./sim -run '^$' -bench CircuitSweeps -benchtime 5x
func BenchmarkCircuitSweeps(b *testing.B) {
	const n = 24
	if testing.Short() {
		b.Skip("2^24 amplitudes")
	}
	pauli, _ := pauliAnsatz(n, 4, 1)
	random, _ := library.RandomLayered(n, 20, 2)
	qft, _ := library.QFT(n)
	for _, tc := range []struct {
		name string
		c    *circuit.Circuit
		rf   int
	}{{"pauli/float64", pauli, 1}, {"pauli/complex128", pauli, 2}, {"random/complex128", random, 2}, {"qft/complex128", qft, 2}} {
		b.Run(tc.name, func(b *testing.B) {
			steps, err := compile(tc.c, nil)
			require.NoError(b, err)
			gs := gateSteps(steps)
			sweeps, _ := Blocking.plan(gs, n, tc.rf, 8, tc.rf == 2)
			require.NotNil(b, sweeps, "not blocked")
			var a amps
			if tc.rf == 2 {
				x, _ := NewBatch(n, 1)
				a = amps{f: x.floats(), c: x.Data, n: n, B: 1}
			} else {
				x, _ := NewRealBatch(n, 1)
				a = amps{f: x.Data, n: n, B: 1}
			}
			a.f[0] = 1
			w := workers(len(a.f))
			bufs := make([][]float64, w)
			run := func(sw *sweep) {
				if sw.direct {
					a.applyGate(&sw.steps[0])
				} else {
					a.runSweep(sw, w, bufs)
				}
			}
			c, _, _ := Blocking.chunkQubits(n, tc.rf, 8)
			cachePass := cachePassFloor(w, tc.rf<<c, len(a.f))
			type result struct {
				layout            string
				runBytes, steps   int
				best, move, floor time.Duration
			}
			res := make([]result, len(sweeps))
			for i := range sweeps {
				sw := &sweeps[i]
				r := &res[i]
				r.layout, r.steps = "direct", len(sw.steps)
				if !sw.direct {
					p := sw.lowRun()
					r.layout, r.runBytes = "gathered", 8*tc.rf<<p
					if p == len(sw.local) {
						r.layout = "in-place"
					}
				}
				run(sw) // buffers, caches
				timed := []func(){func() { run(sw) }}
				if r.layout == "gathered" {
					bare := sweep{local: sw.local}
					timed = append(timed, func() { a.runSweep(&bare, w, bufs) })
				}
				var bests []time.Duration
				r.floor, bests, _ = timeAgainstFloor(b.N, func() { drvScale(a.f, 0.999, w) }, timed...)
				r.best = bests[0]
				if len(bests) > 1 {
					r.move = bests[1]
				}
			}
			var ratios, bounded []float64
			var table []string
			var total, floors, bounds time.Duration
			moveMax := 0.0
			for i, r := range res {
				ratio := float64(r.best) / float64(r.floor)
				bound := r.floor
				if r.layout != "direct" {
					bound = max(r.floor, time.Duration(r.steps)*cachePass)
				}
				ratios = append(ratios, ratio)
				bounded = append(bounded, float64(r.best)/float64(bound))
				total += r.best
				floors += r.floor
				bounds += bound
				move := "-"
				if r.layout == "gathered" {
					m := float64(r.move) / float64(r.floor)
					moveMax = max(moveMax, m)
					move = fmt.Sprintf("%.2f", m)
				}
				table = append(table, fmt.Sprintf("  sweep %2d  %-8s  run %6d B  %3d steps  %6.2f x floor  %5.2f x bound  movement %s x floor", i, r.layout, r.runBytes, r.steps, ratio, bounded[i], move))
			}
			// Printed rather than logged: a benchmark's log is cut at 10 lines.
			fmt.Printf("%s, %d rounds: memory floor %.3f ns/amp, cache pass %.3f ns/amp\n%s\n", b.Name(), b.N,
				float64(res[0].floor.Nanoseconds())/float64(int(1)<<n), float64(cachePass.Nanoseconds())/float64(int(1)<<n), strings.Join(table, "\n"))
			slices.Sort(ratios)
			slices.Sort(bounded)
			b.ReportMetric(ratios[0], "sweep-x-floor-min")
			b.ReportMetric(ratios[len(ratios)/2], "sweep-x-floor-median")
			b.ReportMetric(ratios[len(ratios)-1], "sweep-x-floor-max")
			b.ReportMetric(bounded[len(bounded)/2], "sweep-x-bound-median")
			b.ReportMetric(bounded[len(bounded)-1], "sweep-x-bound-max")
			b.ReportMetric(moveMax, "move-x-floor-max")
			b.ReportMetric(float64(total)/float64(floors), "circuit-x-floor")
			b.ReportMetric(float64(total)/float64(bounds), "circuit-x-bound")
			b.ReportMetric(float64(len(sweeps)), "sweeps")
		})
	}
}

// cachePassFloor is the cache floor of in-chunk arithmetic, scaled to a state of total
// floats: the fastest read+write pass (x *= s) of w goroutines at once, each over its own
// warm chunk of chunkFloats floats (cache-resident, like a sweep's chunk), times
// total / (w·chunkFloats).
func cachePassFloor(w, chunkFloats, total int) time.Duration {
	bufs := make([][]float64, w)
	for g := range bufs {
		bufs[g] = make([]float64, chunkFloats)
		for i := range bufs[g] {
			bufs[g][i] = 1
		}
	}
	// Many short rounds, the fastest kept: a round is ~0.5 ms, and single rounds vary by
	// 1.5x on this shared machine.
	const passes = 16
	best := time.Duration(math.MaxInt64)
	for rep := 0; rep < 200; rep++ {
		t0 := time.Now()
		var wg sync.WaitGroup
		for g := 0; g < w; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < passes; k++ {
					scaleRun(bufs[g], 0.999)
				}
			}()
		}
		wg.Wait()
		best = min(best, time.Since(t0)/passes)
	}
	return time.Duration(float64(best) * float64(total) / float64(w*chunkFloats))
}

// timeAgainstFloor runs floor and then each of fs, rounds times in turn, so that all of them
// see the same moment of a shared machine whose memory bandwidth drifts. It returns the
// fastest floor pass, the fastest run of each f, and the median over the rounds of
// fs[0]'s time over that round's floor pass.
func timeAgainstFloor(rounds int, floor func(), fs ...func()) (time.Duration, []time.Duration, float64) {
	fl := time.Duration(math.MaxInt64)
	best := make([]time.Duration, len(fs))
	for i := range best {
		best[i] = math.MaxInt64
	}
	ratios := make([]float64, 0, rounds)
	for range max(rounds, 1) {
		t0 := time.Now()
		floor()
		df := time.Since(t0)
		fl = min(fl, df)
		for i, f := range fs {
			t := time.Now()
			f()
			d := time.Since(t)
			best[i] = min(best[i], d)
			if i == 0 {
				ratios = append(ratios, float64(d)/float64(df))
			}
		}
	}
	slices.Sort(ratios)
	return fl, best, ratios[len(ratios)/2]
}
