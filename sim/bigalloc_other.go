//go:build !linux

package sim

import "unsafe"

// prepareLarge writes every page of [p, p+bytes).
func prepareLarge(p unsafe.Pointer, bytes uintptr) { touchPages(p, bytes) }
