package sim

import (
	"runtime"
	"sync"
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
func workers(work int) int {
	w := Threads
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	if w <= 1 || work < ParallelThreshold {
		return 1
	}
	return w
}

// parallel runs f over [0,total) split into w contiguous chunks, one per goroutine (the
// first on the caller's), with chunk boundaries aligned to 64 units.
func parallel(w, total int, f func(lo, hi int)) {
	step := (total + w - 1) / w
	step = (step + 63) &^ 63
	if step >= total {
		f(0, total)
		return
	}
	var wg sync.WaitGroup
	for lo := step; lo < total; lo += step {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+step, total))
	}
	f(0, step)
	wg.Wait()
}

// reduceChunk is the fixed chunk size of deterministic reductions.
const reduceChunk = 1 << 12

// reduce sums f over [0,total) in chunks of reduceChunk, combining the partial sums in chunk
// order, so the result is the same for any number of goroutines.
func reduce(total int, f func(lo, hi int) float64) float64 {
	nc := (total + reduceChunk - 1) / reduceChunk
	if nc <= 1 {
		return f(0, total)
	}
	part := make([]float64, nc)
	body := func(clo, chi int) {
		for c := clo; c < chi; c++ {
			part[c] = f(c*reduceChunk, min((c+1)*reduceChunk, total))
		}
	}
	if w := workers(total); w == 1 {
		body(0, nc)
	} else {
		parallelChunks(w, nc, body)
	}
	s := 0.0
	for _, p := range part {
		s += p
	}
	return s
}

// parallelChunks is parallel without the 64-alignment, for chunk indices.
func parallelChunks(w, total int, f func(lo, hi int)) {
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
