//go:build !amd64 || purego

package nn

func lowRank32[T Float](rows, in, out int, x, dy, q8, p8, accq, accp []T) bool { return false }
