//go:build amd64 && !purego

package fmapeak

import "golang.org/x/sys/cpu"

//go:noescape
func fma256PD(iters int)

//go:noescape
func fma256PS(iters int)

//go:noescape
func fma512PD(iters int)

//go:noescape
func fma512PS(iters int)

// loopFor returns the FMA loop of a width and precision, or nil when the CPU lacks it.
func loopFor(width int, single bool) func(int) {
	switch {
	case width == 256 && cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		if single {
			return fma256PS
		}
		return fma256PD
	case width == 512 && cpu.X86.HasAVX512F:
		if single {
			return fma512PS
		}
		return fma512PD
	}
	return nil
}
