// Package parallel holds the goroutine helpers of the simulator's and the lowering's
// kernels: how many goroutines a kernel uses (threads only above the size where they pay)
// and the split of a range of chunks over them. Results never depend on the split: callers
// write each output from exactly one goroutine and reduce fixed-size chunks in a fixed order.
// It also times work on every thread at once ([FastestRounds]) for the machine's bounds
// (the simulator's in-cache pass costs, the FMA peak).
package parallel

import (
	"runtime"
	"sync"
	"time"
)

// Workers returns how many goroutines a kernel touching work elements uses: threads
// (runtime.GOMAXPROCS(0) when threads ≤ 0) when work is at least threshold, else 1 (under
// the threshold, starting goroutines costs more than it saves).
func Workers(threads, work, threshold int) int {
	w := threads
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	if w <= 1 || work < threshold {
		return 1
	}
	return w
}

// Split runs f over [0,total) cut into at most w contiguous ranges of equal length, one per
// goroutine, the calling goroutine taking the first; it returns when every range is done.
func Split(w, total int, f func(lo, hi int)) {
	if total <= 0 {
		return
	}
	w = max(w, 1)
	step := (total + w - 1) / w
	var wg sync.WaitGroup
	for lo := step; lo < total; lo += step {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+step, total))
	}
	f(0, min(step, total))
	wg.Wait()
}

// FastestRounds runs w goroutines at once (at least one), goroutine g calling round(g)
// max(rounds, 1) times and timing each call itself, and returns each goroutine's fastest
// call. Each goroutine times its own calls because, on a loaded machine, timing the group
// as a whole would count the rounds where one goroutine waited for a core: the figures are
// for threads that run.
func FastestRounds(w, rounds int, round func(g int)) []time.Duration {
	best := make([]time.Duration, max(w, 1))
	var wg sync.WaitGroup
	for g := range best {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := time.Duration(1<<63 - 1)
			for range max(rounds, 1) {
				t0 := time.Now()
				round(g)
				b = min(b, time.Since(t0))
			}
			best[g] = b
		}()
	}
	wg.Wait()
	return best
}
