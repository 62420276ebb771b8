// Package fuzzcheck holds what the project's fuzz targets share: a hang detector and an
// allocation meter.
//
// Go's fuzzing engine stops a worker only when it crashes; an input that makes the code
// under test loop forever just stalls the run with no report. Watch turns such an input
// into a crash (a panic naming the target and the limit), which the engine records as a
// reproducer under testdata/fuzz like any other crasher. The watchdog is armed only while
// fuzzing (go test -fuzz), never when go test replays the corpus, so no test of the
// project asserts wall-clock time.
package fuzzcheck

import (
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// HangAfter is how long one fuzz input may run before Watch reports it as a hang. Every
// target bounds its work by limits far below this; the margin absorbs a loaded machine.
const HangAfter = 20 * time.Second

// Fuzzing reports whether the test binary is fuzzing (go test -fuzz) rather than replaying
// the seed corpus.
func Fuzzing() bool {
	for _, name := range []string{"test.fuzzworker", "test.fuzz"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" && f.Value.String() != "false" {
			return true
		}
	}
	return false
}

// Watch arms the hang detector for the current input of the named target: the returned
// function disarms it and must be deferred by the fuzz function. While fuzzing, an input
// still running after HangAfter panics the worker, so that the engine saves it.
func Watch(t testing.TB, target string) (stop func()) {
	t.Helper()
	if !Fuzzing() {
		return func() {}
	}
	timer := time.AfterFunc(HangAfter, func() {
		panic(fmt.Sprintf("%s: one input ran longer than %v: a hang or unbounded work", target, HangAfter))
	})
	return func() { timer.Stop() }
}

// Allocated returns the bytes allocated (in total, freed or not) while f runs. Other
// goroutines' allocations are counted too, so compare it with a generous bound.
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
