//go:build amd64 && !purego

package lowering

import "golang.org/x/sys/cpu"

// usePairAVX2 says that pairChunkReal runs its runs of four or more pairs through the AVX2
// loops of pair_amd64.s.
var usePairAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasAVX

// pairRunAVX2 sets, for j < n (n a positive multiple of 4),
//
//	x0[j], x1[j] = a0·x0[j] + a1·x1[j], a2·x0[j] + a3·x1[j]
//	y0[j], y1[j] = a0·y0[j] + a1·y1[j], a2·y0[j] + a3·y1[j]
//
// with separate multiplies and adds in the Go loop's order (bit-identical to it), and, when
// c is not nil, c = [Σ y0·x0', Σ y0·x1', Σ y1·x0', Σ y1·x1'] over the j, where x0', x1' are
// the new x and y0, y1 the old y; each sum is kept in four lanes (j mod 4) and the lanes are
// added as (l0 + l2) + (l1 + l3) at the end.
//
//go:noescape
func pairRunAVX2(x0, x1, y0, y1 *float64, n int, a *[4]float64, c *[4]float64)
