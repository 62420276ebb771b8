package fmapeak

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/cpu"
)

// TestMeasure checks that a loop the CPU has reports a rate and one it lacks reports !ok
// (rates are not asserted: the machine is shared).
func TestMeasure(t *testing.T) {
	for _, tc := range []struct {
		width  int
		single bool
		has    bool
	}{
		{256, false, cpu.X86.HasAVX2 && cpu.X86.HasFMA},
		{256, true, cpu.X86.HasAVX2 && cpu.X86.HasFMA},
		{512, false, cpu.X86.HasAVX512F},
		{512, true, cpu.X86.HasAVX512F},
		{128, false, false},
	} {
		t.Run(fmt.Sprintf("%d/%v", tc.width, tc.single), func(t *testing.T) {
			p, ok := Measure(tc.width, tc.single, 1, 1)
			if loopFor(tc.width, tc.single) == nil {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tc.width, p.Width)
			assert.Positive(t, p.LaneFMAs)
			assert.InDelta(t, 2*p.LaneFMAs, p.FLOPs(), 1)
		})
	}
}

// BenchmarkPeak prints the FMA peak of every form on 1 and 2 threads.
//
//	go test ./internal/fmapeak -run '^$' -bench Peak -benchtime 1x
func BenchmarkPeak(b *testing.B) {
	for _, w := range []int{256, 512} {
		for _, single := range []bool{false, true} {
			for _, th := range []int{1, 2} {
				p, ok := Measure(w, single, th, 50)
				if !ok {
					continue
				}
				fmt.Printf("%d-bit single=%v threads=%d: %.1f G lane-FMA/s (%.1f GFLOP/s)\n", w, single, th, p.LaneFMAs/1e9, p.FLOPs()/1e9)
			}
		}
	}
}
