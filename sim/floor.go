package sim

import "time"

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
		x := make([]float32, 1<<n*(prec.bytesPerAmp(complexPath)/4))
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
