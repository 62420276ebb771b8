package qasm

import (
	"runtime/debug"
	"sync"
)

// Reading a large program allocates a short-lived syntax tree for every statement while the
// circuit grows; with Go's default pacing (GOGC=100) the heap may reach twice the live
// circuit before a collection. While a large source is read the collector runs earlier
// (readerGCPercent), which keeps the peak near the circuit itself at the cost of some CPU.
// The setting is process-wide, so it is reference-counted across concurrent reads and only
// ever lowers a larger setting (GOGC=off or a smaller value is left alone).

const (
	readerGCPercent = 25
	largeSource     = 1 << 20 // bytes from which the pacing applies
)

var gcPace struct {
	mu    sync.Mutex
	users int
	saved int
	set   bool
}

// paceGC lowers the collector's percentage for a read of n bytes and returns the function
// that restores it.
func paceGC(n int) func() {
	if n < largeSource {
		return func() {}
	}
	gcPace.mu.Lock()
	defer gcPace.mu.Unlock()
	if gcPace.users == 0 {
		old := debug.SetGCPercent(readerGCPercent)
		gcPace.saved, gcPace.set = old, true
		if old < 0 || old <= readerGCPercent {
			debug.SetGCPercent(old) // GOGC=off or already lower: leave it
			gcPace.set = false
		}
	}
	gcPace.users++
	return func() {
		gcPace.mu.Lock()
		defer gcPace.mu.Unlock()
		gcPace.users--
		if gcPace.users == 0 && gcPace.set {
			debug.SetGCPercent(gcPace.saved)
			gcPace.set = false
		}
	}
}
