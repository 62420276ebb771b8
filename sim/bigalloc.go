package sim

import "unsafe"

// Large state vectors are made with makeAmps: the Go allocation, then the pages made ready
// for the sweeps before the first one runs (prepareLarge, per OS). Why: a fresh allocation
// of this size comes straight from the OS untouched, and the first sweep reads a chunk before
// it writes it. The read maps every 4 KiB page to the kernel's shared zero page and the
// write that follows takes a copy-on-write fault, whose TLB flush interrupts every other
// CPU the process runs on (measured on this machine, a 2-vCPU VM: half of a 2^24 float64
// Pauli-ansatz run was spent in those faults, perf: do_wp_page → flush_tlb_mm_range →
// smp_call_function_many_cond). Writing each page first, on all threads, takes one plain
// fault per page instead; asking for transparent huge pages (where the OS offers them on
// request) takes one per 2 MiB, and the gathers of the blocked sweeps, which read runs of
// a few KiB spread over the whole state, miss the TLB 512 times less often.

// largeBytes is the size from which makeAmps prepares the pages (smaller vectors sit in the
// caches and are touched by the first gate anyway).
const largeBytes = 4 << 20

// makeAmps returns a zeroed slice of n elements of T, its pages prepared when it is large.
func makeAmps[T any](n int) []T {
	s := make([]T, n)
	var zero T
	if bytes := uintptr(n) * unsafe.Sizeof(zero); n > 0 && bytes >= largeBytes {
		prepareLarge(unsafe.Pointer(unsafe.SliceData(s)), bytes)
	}
	return s
}

// touchPages writes a zero byte into every 4 KiB page of [p, p+bytes) on all threads: one
// write fault per page (or per huge page), none through the zero page. The memory is zero
// already (a fresh allocation), so the content does not change.
func touchPages(p unsafe.Pointer, bytes uintptr) {
	const page = 4 << 10
	pages := int((bytes + page - 1) / page)
	parallel(workers(pages<<10), pages, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			*(*byte)(unsafe.Add(p, uintptr(i)*page)) = 0
		}
	})
}
