package sim

import (
	"slices"
	"time"

	par "github.com/qpeft/qpeft/internal/parallel"
)

// MemoryFloor measures the memory-bandwidth floor of one pass over a state of n qubits: the
// fastest of repeats read+write sweeps (x *= 0.999, on the current Threads) over a float64
// state, or a complex128 one (complexPath), after one untimed sweep that faults the pages
// in. A circuit cannot run faster than its number of passes (Plan's Sweeps) times this.
// The state is checked against limit (0: MemoryLimit) before it is allocated.
func MemoryFloor(n int, complexPath bool, repeats int, limit int64) (time.Duration, error) {
	return MemoryFloorPrecision(n, complexPath, Double, repeats, limit)
}

// MemoryFloorPrecision is MemoryFloor for a state of the given precision (float32 or
// complex64 in single precision: half the bytes of a pass).
func MemoryFloorPrecision(n int, complexPath bool, prec Precision, repeats int, limit int64) (time.Duration, error) {
	var sweep func()
	if prec == Single {
		if err := checkMemory("state vector", n, 1, prec.bytesPerAmp(complexPath), limit); err != nil {
			return 0, err
		}
		x := makeAmps[float32](1 << n * (prec.bytesPerAmp(complexPath) / 4))
		sweep = func() { drvScale(x, 0.999, workers(len(x))) }
		return timeFloor(sweep, repeats), nil
	}
	if complexPath {
		x, err := newBatch(n, 1, limit, "state vector")
		if err != nil {
			return 0, err
		}
		sweep = func() { x.Scale(0.999) }
	} else {
		x, err := newRealBatch(n, 1, limit, "state vector")
		if err != nil {
			return 0, err
		}
		sweep = func() { x.Scale(0.999) }
	}
	return timeFloor(sweep, repeats), nil
}

// timeFloor runs sweep once untimed (faulting the pages in), then returns the fastest of
// repeats timed runs.
func timeFloor(sweep func(), repeats int) time.Duration {
	sweep()
	best := time.Duration(1<<63 - 1)
	for i := 0; i < max(repeats, 1); i++ {
		t := time.Now()
		sweep()
		best = min(best, time.Since(t))
	}
	return best
}

// CachePass measures one in-cache pass for a state of n qubits: the fastest read+write pass
// (x *= 0.999) of every goroutine at once (Threads), each over its own warm chunk of
// Blocking.ChunkBytes (the size of a sweep's cache-resident chunk; 512 KiB if blocking is
// off), scaled to the 2^n amplitudes of a float64 state, a complex128 one (complexPath), or
// their single-precision forms. Steps × this is the arithmetic floor of a sweep of that many
// steps (Schedule.Bound).
func CachePass(n int, complexPath bool, prec Precision, repeats int) time.Duration {
	w := max(workers(1<<62), 1)
	chunk := Blocking.ChunkBytes
	if chunk <= 0 {
		chunk = 512 << 10
	}
	ab := prec.bytesPerAmp(complexPath)
	amps := chunk / ab
	const passes = 8
	var pass func(g int)
	if prec == Single {
		bufs := make([][]float32, w)
		for g := range bufs {
			bufs[g] = make([]float32, chunk/4)
			for i := range bufs[g] {
				bufs[g][i] = 1
			}
		}
		pass = func(g int) { scaleRun(bufs[g], 0.999) }
	} else {
		bufs := make([][]float64, w)
		for g := range bufs {
			bufs[g] = make([]float64, chunk/8)
			for i := range bufs[g] {
				bufs[g][i] = 1
			}
		}
		pass = func(g int) { scaleRun(bufs[g], 0.999) }
	}
	best := fastestPass(w, repeats, passes, pass)
	return time.Duration(float64(best) * float64(int64(1)<<n) / float64(w*amps))
}

// fastestPass runs w goroutines at once, each running pass(g) passes times per round for
// max(repeats, 1)·20 rounds and timing its own rounds (par.FastestRounds: the costs are for
// threads that run), and returns the slowest goroutine's fastest round per pass (CachePass
// and MeasureKernelCosts).
func fastestPass(w, repeats, passes int, pass func(g int)) time.Duration {
	bests := par.FastestRounds(w, max(repeats, 1)*20, func(g int) {
		for range passes {
			pass(g)
		}
	})
	return slices.Max(bests) / time.Duration(passes)
}
