package peft

import (
	"fmt"

	"github.com/qpeft/qpeft/sim"
)

// checkMemory refuses an allocation of the given size above sim.MemoryLimit (the project's
// one memory limit: three quarters of physical memory by default, QPEFT_MEMORY_LIMIT to
// override).
func checkMemory(what string, bytes float64) error {
	if lim := sim.MemoryLimit; lim > 0 && bytes > float64(lim) {
		return fmt.Errorf("peft: %s needs %.0f bytes (%.1f GiB), above the memory limit of %d bytes; raise QPEFT_MEMORY_LIMIT (e.g. QPEFT_MEMORY_LIMIT=64GiB) or use a smaller rank", what, bytes, bytes/(1<<30), lim)
	}
	return nil
}
