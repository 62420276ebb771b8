package parallel

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWorkers(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	tests := []struct {
		threads, work, threshold, want int
	}{
		{4, 100, 1000, 1},         // below the threshold
		{4, 1000, 1000, 4},        // at it
		{1, 1 << 20, 1000, 1},     // one thread asked for
		{0, 1 << 20, 1000, procs}, // GOMAXPROCS
		{-3, 1 << 20, 1000, procs},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Workers(tt.threads, tt.work, tt.threshold), "%+v", tt)
	}
}

// TestSplit checks that every index is visited exactly once, in contiguous ranges of at most
// ⌈total/w⌉, and that the first range runs on the calling goroutine's turn (before return).
func TestSplit(t *testing.T) {
	for _, w := range []int{0, 1, 2, 3, 7, 16} {
		for _, total := range []int{0, 1, 2, 5, 16, 17, 100} {
			t.Run(fmt.Sprintf("w=%d total=%d", w, total), func(t *testing.T) {
				var mu sync.Mutex
				seen := make([]int, total)
				ranges := 0
				Split(w, total, func(lo, hi int) {
					mu.Lock()
					defer mu.Unlock()
					ranges++
					require.Less(t, lo, hi)
					assert.LessOrEqual(t, hi-lo, (total+max(w, 1)-1)/max(w, 1))
					for i := lo; i < hi; i++ {
						seen[i]++
					}
				})
				for i, n := range seen {
					assert.Equal(t, 1, n, "index %d", i)
				}
				assert.LessOrEqual(t, ranges, max(w, 1))
			})
		}
	}
}

func ExampleSplit() {
	sums := make([]int, 4) // one slot per range: each written by one goroutine
	Split(4, 100, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			sums[lo/25] += i
		}
	})
	fmt.Println(sums, sums[0]+sums[1]+sums[2]+sums[3])
	// Output: [300 925 1550 2175] 4950
}

// TestFastestRounds: every goroutine runs its rounds, each under its own index, and a
// goroutine of one round returns that call's time, at least the sleep timed inside it.
func TestFastestRounds(t *testing.T) {
	for _, tc := range []struct{ w, rounds, wantW, wantRounds int }{
		{3, 4, 3, 4}, {1, 1, 1, 1}, {0, 0, 1, 1}, {2, -5, 2, 1},
	} {
		var mu sync.Mutex
		calls := map[int]int{}
		slow := map[int]time.Duration{}
		best := FastestRounds(tc.w, tc.rounds, func(g int) {
			mu.Lock()
			calls[g]++
			first := calls[g] == 1
			mu.Unlock()
			if first {
				t0 := time.Now()
				time.Sleep(2 * time.Millisecond)
				mu.Lock()
				slow[g] = time.Since(t0)
				mu.Unlock()
			}
		})
		require.Len(t, best, tc.wantW, "%+v", tc)
		for g := range tc.wantW {
			assert.Equal(t, tc.wantRounds, calls[g], "%+v goroutine %d", tc, g)
			assert.Positive(t, best[g], "%+v goroutine %d", tc, g)
			if tc.wantRounds == 1 {
				assert.GreaterOrEqual(t, best[g], slow[g], "%+v goroutine %d: its one call", tc, g)
			}
		}
	}
}
