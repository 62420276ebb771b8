package nn

import (
	"runtime"
	"sync"
)

// ParallelFor runs fn over [0, n) cut into contiguous chunks of at least grain items, one
// goroutine per chunk, up to GOMAXPROCS chunks. Callers guarantee that fn writes disjoint
// outputs and that each output does not depend on the chunking, so results are identical for
// any number of threads.
func ParallelFor(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	w := runtime.GOMAXPROCS(0)
	if c := n / grain; c < w {
		w = c
	}
	if w <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < w; i++ {
		lo, hi := i*n/w, (i+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}
