//go:build !amd64 || purego

package sim

import "unsafe"

// useDense4 is always false without the amd64 assembly.
var useDense4 = false

// useDense4x512 is always false without the amd64 assembly.
var useDense4x512 = false

// dense4Call is never called without the amd64 assembly (useDense4 is false).
func dense4Call(pl *dense4Plan, p unsafe.Pointer, n1, n2, s2, n3, s3 int) {
	panic("sim: dense4Call without SIMD")
}
