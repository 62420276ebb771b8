package nn

// SIMD reports whether float32 products use the AVX2/FMA assembly micro-kernel (true on
// amd64 CPUs with AVX2 and FMA, unless disabled by SetSIMD or the purego build tag).
func SIMD() bool { return useAVX2 }

// SetSIMD enables or disables the AVX2/FMA float32 micro-kernel and returns the previous
// setting; enabling has no effect where the CPU lacks AVX2/FMA. Results are bit-identical
// for any thread count either way, but fused multiply-adds round differently from the
// portable kernel, so disable SIMD to reproduce float32 results bit for bit across machines.
// Call it before starting computations, not concurrently with them.
func SetSIMD(enabled bool) (previous bool) {
	previous = useAVX2
	useAVX2 = enabled && simdAvailable
	return previous
}
