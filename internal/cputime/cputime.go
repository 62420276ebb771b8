// Package cputime reads the CPU time the process has used, the steadier reading of a timed
// run on a shared machine (wall time also counts the time other processes held the cores).
// train's epoch timings, qpeft bench and the simulator's benchmarks all read it here.
package cputime

import "time"

// Process returns the user + system CPU time the process has used so far, over all its
// threads, or 0 where the system does not report it (only Unix systems do here).
func Process() time.Duration { return process() }
