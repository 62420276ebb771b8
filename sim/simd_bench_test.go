package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Benchmarks of the SIMD inner loops against the portable Go loops (useSIMD off), on states
// of n elements that fit L1 (1024 float64 = 8 KiB), L2 (32768) and only DRAM (1<<22). For
// the pair functions a and b are the two halves of the state. The metric ns/elem is time per
// state element per call.

var simdBenchSizes = []int{1024, 32768, 1 << 22}

// simdBench runs f on a state of n elements in both modes.
func simdBench[T number](b *testing.B, n int, f func(d []T)) {
	b.Helper()
	for _, mode := range []string{"go", "simd"} {
		b.Run(fmt.Sprintf("n=%d/%s", n, mode), func(b *testing.B) {
			if mode == "simd" && !simdCPU {
				b.Skip("no AVX2")
			}
			useSIMD = mode == "simd"
			defer func() { useSIMD = simdCPU }()
			r := rand.New(rand.NewPCG(1, uint64(n)))
			d := make([]T, n)
			for i := range d {
				switch p := any(&d[i]).(type) {
				case *float64:
					*p = r.NormFloat64()
				case *complex128:
					*p = complex(r.NormFloat64(), r.NormFloat64())
				}
			}
			f(d) // warm up: page faults, caches
			b.ResetTimer()
			for range b.N {
				f(d)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
		})
	}
}

// Rotations and unit phases keep the values bounded (no overflow or subnormals).
var (
	simdBc, simdBs = math.Cos(0.3), math.Sin(0.3)
	simdBph        = complex(math.Cos(0.7), math.Sin(0.7))
)

func BenchmarkSIMDPairF64(b *testing.B) {
	for _, n := range simdBenchSizes {
		simdBench(b, n, func(d []float64) { pairF64(d[:n/2], d[n/2:], simdBc, -simdBs, simdBs, simdBc) })
	}
}

func BenchmarkSIMDPairC128(b *testing.B) {
	m0, m1 := simdBph*complex(simdBc, 0), simdBph*complex(-simdBs, 0)
	for _, n := range simdBenchSizes {
		simdBench(b, n, func(d []complex128) { pairC128(d[:n/2], d[n/2:], m0, m1, complex(simdBs, 0), complex(simdBc, 0)) })
	}
}

func BenchmarkSIMDPairF64Short(b *testing.B) {
	for _, R := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("R=%d", R), func(b *testing.B) {
			for _, n := range simdBenchSizes {
				simdBench(b, n, func(d []float64) { pairF64Short(d, R, simdBc, -simdBs, simdBs, simdBc) })
			}
		})
	}
}

func BenchmarkSIMDPairC128Short(b *testing.B) {
	m0, m1 := simdBph*complex(simdBc, 0), simdBph*complex(-simdBs, 0)
	for _, R := range []int{1, 2} {
		b.Run(fmt.Sprintf("R=%d", R), func(b *testing.B) {
			for _, n := range simdBenchSizes {
				simdBench(b, n, func(d []complex128) { pairC128Short(d, R, m0, m1, complex(simdBs, 0), complex(simdBc, 0)) })
			}
		})
	}
}

func BenchmarkSIMDScaleF64(b *testing.B) {
	for _, n := range simdBenchSizes {
		simdBench(b, n, func(d []float64) { scaleF64(d, -1) })
	}
}

func BenchmarkSIMDScaleC128(b *testing.B) {
	for _, n := range simdBenchSizes {
		simdBench(b, n, func(d []complex128) { scaleC128(d, simdBph) })
	}
}
