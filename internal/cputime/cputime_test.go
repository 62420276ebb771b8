//go:build unix

package cputime

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProcessCountsWork checks that the clock is read at all (a running test has used CPU
// time) and that it advances with work: busy arithmetic must move it by 50 ms within 2^31
// iterations (about a second of work; a clock stuck at 0 or at one value fails).
func TestProcessCountsWork(t *testing.T) {
	start := Process()
	require.Positive(t, start, "a running test process has used CPU time")
	x := 1.0
	for i := 0; Process()-start < 50e6; i++ {
		x = x*1.0000001 + 1e-9
		require.Less(t, i, 1<<31, "the CPU clock did not move in 2^31 iterations")
	}
	assert.GreaterOrEqual(t, Process(), start, "the clock never goes back")
	assert.NotZero(t, x)
}
