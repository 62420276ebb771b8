//go:build !amd64 || purego

package fmapeak

// loopFor returns nil: the FMA loops are written for amd64 only.
func loopFor(width int, single bool) func(int) { return nil }
