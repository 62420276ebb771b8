// Package gcpace runs the garbage collector earlier while a large piece of work allocates
// short-lived memory next to a large live heap: reading a program of a million statements
// (a syntax tree per statement, dropped once it is lowered) while its circuit grows, or
// simulating a circuit of a million operations a window at a time. With Go's default pacing
// (GOGC=100) the heap may reach twice the live data before a collection, so the peak memory
// of such work is twice what it keeps; at Percent it stays within about 1.1x of it, for some
// CPU (each collection marks the live heap: a million-line program reads in about 1.3x the
// time).
//
// The setting is process-wide, so Lower is reference-counted across concurrent users and
// only ever lowers the setting: GOGC=off or a setting at or below Percent is left alone, and
// the last user to finish restores what was there before the first began.
package gcpace

import (
	"runtime/debug"
	"sync"
)

// Percent is the collector's percentage (GOGC) while Lower is in effect.
const Percent = 10

var state struct {
	mu    sync.Mutex
	users int
	saved int
	set   bool
}

// Lower sets the collector's percentage to Percent (unless it is off or lower already)
// until the returned function is called; call it exactly once.
func Lower() (restore func()) {
	state.mu.Lock()
	defer state.mu.Unlock()
	if state.users == 0 {
		old := debug.SetGCPercent(Percent)
		state.saved, state.set = old, true
		if old < 0 || old <= Percent {
			debug.SetGCPercent(old) // GOGC=off or already lower: leave it
			state.set = false
		}
	}
	state.users++
	var once sync.Once
	return func() {
		once.Do(func() {
			state.mu.Lock()
			defer state.mu.Unlock()
			state.users--
			if state.users == 0 && state.set {
				debug.SetGCPercent(state.saved)
				state.set = false
			}
		})
	}
}
