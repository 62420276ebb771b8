// Package fmapeak measures this machine's peak rate of fused multiply-adds: tight loops of
// independent vector FMAs (AVX2 and AVX-512 forms, double and single precision) timed on
// every thread at once. The benchmarks set the simulator's kernels beside it (the fraction
// of the arithmetic peak each one reaches, docs/benchmarks.md).
package fmapeak

import "github.com/qpeft/qpeft/internal/parallel"

// Peak is a measured FMA rate.
type Peak struct {
	// Width is the vector width in bits (256: AVX2, 512: AVX-512).
	Width int
	// Single is true for float32 lanes, false for float64.
	Single bool
	// Threads is the number of threads that ran the loop at once.
	Threads int
	// LaneFMAs is the number of scalar multiply-adds per second over all threads (one
	// vector FMA of 8 float64 lanes counts 8); FLOPs per second are twice this.
	LaneFMAs float64
}

// FLOPs returns the peak in floating-point operations per second (a multiply-add is two).
func (p Peak) FLOPs() float64 { return 2 * p.LaneFMAs }

// itersPerCall is the loop count of one timed call: 12 FMAs each, about 1 ms on a core.
const itersPerCall = 200_000

// Measure times the FMA loop of the given width (256 or 512 bits) and precision on threads
// goroutines at once (the scheduler spreads them over the cores), each its fastest of rounds
// calls, and returns the sum of their rates. ok is false when the CPU lacks the instructions
// (or the build is portable).
func Measure(width int, single bool, threads, rounds int) (Peak, bool) {
	f := loopFor(width, single)
	if f == nil {
		return Peak{}, false
	}
	threads = max(threads, 1)
	lanes := width / 64
	if single {
		lanes *= 2
	}
	f(1000) // warm up (and bring the wide units up)
	// The peak is the sum of the goroutines' best rates (each timing its own calls).
	fmas := 0.0
	for _, best := range parallel.FastestRounds(threads, rounds, func(int) { f(itersPerCall) }) {
		fmas += itersPerCall * 12 * float64(lanes) / best.Seconds()
	}
	return Peak{Width: width, Single: single, Threads: threads, LaneFMAs: fmas}, true
}
