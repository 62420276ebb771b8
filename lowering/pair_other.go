//go:build !amd64 || purego

package lowering

// usePairAVX2 is always false without the amd64 assembly.
var usePairAVX2 = false

// pairRunAVX2 is never called without the amd64 assembly.
func pairRunAVX2(x0, x1, y0, y1 *float64, n int, a *[4]float64, c *[4]float64) {
	panic("lowering: pairRunAVX2 without AVX2")
}
