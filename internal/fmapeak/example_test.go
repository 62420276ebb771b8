package fmapeak_test

import (
	"fmt"

	"github.com/qpeft/qpeft/internal/fmapeak"
)

// The double-precision FMA peak of this machine on one thread, with AVX-512 when the CPU
// has it (the rate itself depends on the machine, so it is not printed).
func ExampleMeasure() {
	p, ok := fmapeak.Measure(512, false, 1, 3)
	if !ok {
		p, ok = fmapeak.Measure(256, false, 1, 3)
	}
	fmt.Println(ok && p.FLOPs() > 0 || !ok)
	// Output: true
}
