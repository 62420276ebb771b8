package sim

import (
	"sync"
	"sync/atomic"

	par "github.com/qpeft/qpeft/internal/parallel"
)

// Threads is the number of goroutines a kernel uses above ParallelThreshold; 0 means
// runtime.GOMAXPROCS(0). Results do not depend on it: every kernel writes each element from
// exactly one goroutine, and reductions sum fixed-size chunks in a fixed order.
var Threads = 0

// ParallelThreshold is the number of elements (amplitudes times columns) below which a
// kernel runs on the calling goroutine: under it, starting goroutines costs more than it
// saves (measured by BenchmarkThreshold).
var ParallelThreshold = 1 << 14

// workers returns how many goroutines to use for a kernel touching work elements.
func workers(work int) int { return par.Workers(Threads, work, ParallelThreshold) }

// parallel runs f over [0,total) on w goroutines (the caller's among them). The range is cut
// into up to 8 chunks per goroutine (boundaries aligned to 64 units) that the goroutines take
// in turn, so a goroutine the OS deschedules on a busy machine does not hold up the gate:
// the others take its chunks. Which goroutine runs a chunk does not change the result.
func parallel(w, total int, f func(lo, hi int)) {
	chunks := 8 * w
	step := (total + chunks - 1) / chunks
	step = max((step+63)&^63, minChunk)
	if step >= total {
		f(0, total)
		return
	}
	var next atomic.Int64
	work := func() {
		for {
			lo := int(next.Add(1)-1) * step
			if lo >= total {
				return
			}
			f(lo, min(lo+step, total))
		}
	}
	var wg sync.WaitGroup
	for i := 1; i < w; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// minChunk is the smallest chunk parallel hands out (tests lower it to exercise splitting).
var minChunk = 2048

// reduceChunk is the fixed chunk size of deterministic reductions.
const reduceChunk = 1 << 12

// reduce sums f over [0,total) in chunks of reduceChunk, combining the partial sums in chunk
// order, so the result is the same for any number of goroutines.
func reduce(total int, f func(lo, hi int) float64) float64 {
	nc := (total + reduceChunk - 1) / reduceChunk
	if nc <= 1 {
		return f(0, total)
	}
	// The partial sums come from a pool: a per-shot simulation reduces thousands of times,
	// and fresh slices would pile up as garbage as large as the state before a collection.
	pp := reduceParts.Get().(*[]float64)
	defer reduceParts.Put(pp)
	if cap(*pp) < nc {
		*pp = make([]float64, nc)
	}
	part := (*pp)[:nc]
	body := func(clo, chi int) {
		for c := clo; c < chi; c++ {
			part[c] = f(c*reduceChunk, min((c+1)*reduceChunk, total))
		}
	}
	if w := workers(total); w == 1 {
		body(0, nc)
	} else {
		par.Split(w, nc, body)
	}
	s := 0.0
	for _, p := range part {
		s += p
	}
	return s
}

var reduceParts = sync.Pool{New: func() any { return new([]float64) }}
