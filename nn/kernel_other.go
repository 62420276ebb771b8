//go:build !amd64 || purego

package nn

var (
	simdAvailable = false
	useAVX2       = false
)

func kernel32[T Float](kc int, ap, bp []T, tile *[gemmMR * gemmNR]T) bool { return false }

func kernel32C[T Float](kc int, ap, bp, c []T, ldc int, store bool) bool { return false }

func directA[T Float]() bool { return false }

func kernel32D[T Float](kc int, a []T, lda int, bp, c []T, ldc int, store bool) bool {
	return false
}
