//go:build linux

package sim

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// prepareLarge asks for transparent huge pages on the whole 2 MiB pages of [p, p+bytes)
// (advice: the OS may decline, and with THP "never" it does) and then writes every page.
func prepareLarge(p unsafe.Pointer, bytes uintptr) {
	const huge = 2 << 20
	start := (uintptr(p) + huge - 1) &^ (huge - 1)
	end := (uintptr(p) + bytes) &^ (huge - 1)
	if end > start {
		b := unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), end-start)
		_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
	}
	touchPages(p, bytes)
}
