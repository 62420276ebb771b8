package gcpace

import (
	"runtime/debug"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// current reads the collector's percentage.
func current() int {
	v := debug.SetGCPercent(-1)
	debug.SetGCPercent(v)
	return v
}

func TestLower(t *testing.T) {
	tests := []struct {
		name          string
		before, while int
	}{
		{"default pacing is lowered", 100, Percent},
		{"a higher setting is lowered", 400, Percent},
		{"a lower setting is kept", 5, 5},
		{"GOGC=off is kept", -1, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := debug.SetGCPercent(tc.before)
			defer debug.SetGCPercent(orig)
			restore := Lower()
			assert.Equal(t, tc.while, current())
			restore()
			restore() // a second call does nothing
			assert.Equal(t, tc.before, current())
		})
	}
}

// TestLowerConcurrent: overlapping users restore the setting only when the last one is done.
func TestLowerConcurrent(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	first := Lower()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			Lower()()
		}()
	}
	wg.Wait()
	assert.Equal(t, Percent, current(), "still lowered while the first user runs")
	first()
	assert.Equal(t, 100, current())
}
