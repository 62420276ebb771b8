package sim

import "time"

// MemoryFloor measures the memory-bandwidth floor of one pass over a state of n qubits: the
// fastest of repeats read+write sweeps (x *= 0.999, on the current Threads) over a float64
// state, or a complex128 one (complexPath), after one untimed sweep that faults the pages
// in. A circuit cannot run faster than its number of passes (Plan's Sweeps) times this.
// The state is checked against limit (0: MemoryLimit) before it is allocated.
func MemoryFloor(n int, complexPath bool, repeats int, limit int64) (time.Duration, error) {
	var sweep func()
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
	sweep()
	best := time.Duration(1<<63 - 1)
	for i := 0; i < max(repeats, 1); i++ {
		t := time.Now()
		sweep()
		best = min(best, time.Since(t))
	}
	return best, nil
}
