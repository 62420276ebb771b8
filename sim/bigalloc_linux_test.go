//go:build linux

package sim

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// minorFaults is the process's count of minor page faults so far.
func minorFaults(t *testing.T) int64 {
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return ru.Minflt
}

// TestMakeAmpsPrefaults checks that a large state vector's pages are ready when makeAmps
// returns: a sweep that reads and then writes every element takes (almost) no page fault,
// where a plain allocation takes one per 4 KiB page (two when the read maps the zero page
// first). Independent oracle: the kernel's own fault count (getrusage).
func TestMakeAmpsPrefaults(t *testing.T) {
	const n = 16 << 20 / 8 // 16 MiB of float64
	pages := int64(n * 8 / 4096)
	sweep := func(s []float64) {
		for i := range s {
			s[i] = s[i]*0.5 + 1
		}
	}
	plain := make([]float64, n)
	before := minorFaults(t)
	sweep(plain)
	plainFaults := minorFaults(t) - before
	// The oracle itself: a plain allocation does fault page by page (else the test proves nothing).
	require.Greater(t, plainFaults, pages/2, "a plain 16 MiB allocation took only %d faults", plainFaults)

	s := makeAmps[float64](n)
	require.Len(t, s, n)
	for i, v := range s {
		if v != 0 {
			require.Zero(t, v, "element %d", i)
		}
	}
	before = minorFaults(t)
	sweep(s)
	faults := minorFaults(t) - before
	require.Less(t, faults, pages/16, "after makeAmps a sweep over 16 MiB took %d page faults (a plain allocation: %d)", faults, plainFaults)
	require.Equal(t, 1.0, s[n-1])
}
