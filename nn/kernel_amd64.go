//go:build amd64 && !purego

package nn

import "unsafe"

// useAVX2 reports whether the float32 micro-kernel uses AVX2 and FMA. Tests and benchmarks may
// switch it off to exercise the portable kernel.
var (
	simdAvailable = detectAVX2FMA()
	useAVX2       = simdAvailable
)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

//go:noescape
func sgemmKernel6x16(kc int, a, b, c *float32)

//go:noescape
func sgemmKernel6x16C(kc int, a, b, c *float32, ldc int, store bool)

func detectAVX2FMA() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&fma == 0 || ecx1&osxsave == 0 || ecx1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state enabled by the OS
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0 // AVX2
}

// kernel32 runs the assembly kernel for float32 on AVX2/FMA CPUs and reports whether it did.
func kernel32[T Float](kc int, ap, bp []T, tile *[gemmMR * gemmNR]T) bool {
	if !useAVX2 || kc == 0 {
		return false
	}
	a, ok := any(ap).([]float32)
	if !ok {
		return false
	}
	b := any(bp).([]float32)
	_ = a[kc*gemmMR-1]
	_ = b[kc*gemmNR-1]
	sgemmKernel6x16(kc, &a[0], &b[0], (*float32)(unsafe.Pointer(tile)))
	return true
}

// kernel32C runs the assembly kernel directly on a full 6 x 16 tile of a float32 C with unit
// column stride (row stride ldc), storing or adding, and reports whether it did.
func kernel32C[T Float](kc int, ap, bp, c []T, ldc int, store bool) bool {
	if !useAVX2 || kc == 0 {
		return false
	}
	a, ok := any(ap).([]float32)
	if !ok {
		return false
	}
	b, cc := any(bp).([]float32), any(c).([]float32)
	_ = a[kc*gemmMR-1]
	_ = b[kc*gemmNR-1]
	_ = cc[(gemmMR-1)*ldc+gemmNR-1]
	sgemmKernel6x16C(kc, &a[0], &b[0], &cc[0], ldc, store)
	return true
}

//go:noescape
func sgemmKernel6x16D(kc int, a *float32, lda int, b, c *float32, ldc int, store bool)

// directA reports whether T's products can read a row-major A in place (the float32 AVX2
// kernel with direct A); gemmBlock then skips packing A.
func directA[T Float]() bool {
	var zero T
	_, ok := any(zero).(float32)
	return ok && useAVX2 && useDirectA
}

// kernel32D runs the direct-A kernel on a full 6 x 16 tile: A's 6 rows start at a[0],
// a[lda], …, B is a packed panel, C has unit column stride and row stride ldc (a tile is
// C with ldc = 16). It reports whether it ran.
func kernel32D[T Float](kc int, a []T, lda int, bp, c []T, ldc int, store bool) bool {
	if !directA[T]() || kc == 0 {
		return false
	}
	aa := any(a).([]float32)
	b, cc := any(bp).([]float32), any(c).([]float32)
	_ = aa[(gemmMR-1)*lda+kc-1]
	_ = b[kc*gemmNR-1]
	_ = cc[(gemmMR-1)*ldc+gemmNR-1]
	sgemmKernel6x16D(kc, &aa[0], lda, &b[0], &cc[0], ldc, store)
	return true
}
