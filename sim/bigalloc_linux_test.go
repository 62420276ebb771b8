//go:build linux

package sim

import (
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// minorFaults is the process's count of minor page faults so far.
func minorFaults(t *testing.T) int64 {
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return ru.Minflt
}

// freshFloats maps n float64 of fresh anonymous memory (never touched, as a large Go
// allocation comes from the OS) and unmaps it at the end of the test.
func freshFloats(t *testing.T, n int) []float64 {
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Munmap(b) })
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// TestPrepareLargePrefaults checks that the pages of a large state vector are ready once
// prepareLarge has run: a sweep that reads and then writes every element takes (almost) no
// page fault, where untouched memory takes one per 4 KiB page (two when the read maps the
// zero page first). Fresh mappings on both sides, so the Go heap's reuse of memory cannot
// hide anything; the oracle is the kernel's own fault count (getrusage).
func TestPrepareLargePrefaults(t *testing.T) {
	const n = 16 << 20 / 8 // 16 MiB of float64
	pages := int64(n * 8 / 4096)
	sweep := func(s []float64) {
		for i := range s {
			s[i] = s[i]*0.5 + 1
		}
	}
	plain := freshFloats(t, n)
	before := minorFaults(t)
	sweep(plain)
	plainFaults := minorFaults(t) - before
	require.Greater(t, plainFaults, pages/2, "untouched 16 MiB took only %d faults: the oracle proves nothing", plainFaults)

	s := freshFloats(t, n)
	prepareLarge(unsafe.Pointer(unsafe.SliceData(s)), n*8)
	before = minorFaults(t)
	sweep(s)
	faults := minorFaults(t) - before
	require.Less(t, faults, pages/16, "after prepareLarge a sweep over 16 MiB took %d page faults (untouched memory: %d)", faults, plainFaults)
	for i, v := range s {
		if v != 1 {
			require.Equal(t, 1.0, v, "element %d: prepareLarge changed the content", i)
		}
	}
}

// TestMakeAmps: zeroed slices of the requested length below and above largeBytes, for each
// element type.
func TestMakeAmps(t *testing.T) {
	for _, n := range []int{0, 1, 1000, largeBytes/8 + 3, 3 * largeBytes / 8} {
		f := makeAmps[float64](n)
		require.Len(t, f, n)
		c := makeAmps[complex64](n)
		require.Len(t, c, n)
		for i := range f {
			if f[i] != 0 || c[i] != 0 {
				require.Failf(t, "not zero", "n=%d element %d: %v %v", n, i, f[i], c[i])
			}
		}
	}
}
