//go:build unix

package safefile

import "syscall"

// openFlags opens without blocking: a FIFO swapped in after the check cannot stall the read.
const openFlags = syscall.O_NONBLOCK
