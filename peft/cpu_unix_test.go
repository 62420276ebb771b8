//go:build unix

package peft

import "syscall"

// cpuSeconds returns the CPU time (user + system) the process has used, for benchmarks on a
// shared machine where wall time is noisy.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
