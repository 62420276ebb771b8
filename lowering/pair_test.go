package lowering

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPairChunkReal checks pairChunkReal, with and without its AVX2 loop, against the pair
// update and the cotangent written out pair by pair from the index arithmetic (element
// pairs s and s+R, s = r·2R + t for pair f = r·R + t, R = B·2^q): x and y must be
// bit-identical (both compute each element with the same products and sum), and C equal to
// the plain sequential sum within 1e-13 of the sum of its terms' magnitudes. Ranges start
// and end mid-run, and runs are shorter than, equal to and longer than the 4-pair vector.
func TestPairChunkReal(t *testing.T) {
	paths := []bool{false}
	if usePairAVX2 {
		paths = append(paths, true)
	}
	defer func(v bool) { usePairAVX2 = v }(usePairAVX2)
	rng := rand.New(rand.NewPCG(7, 11))
	for _, simd := range paths {
		for _, tc := range []struct{ B, q, nq, lo, hi int }{
			{1, 0, 4, 0, 8}, {1, 2, 5, 1, 15}, {3, 0, 4, 0, 24}, {3, 1, 4, 5, 23},
			{5, 2, 5, 3, 77}, {8, 0, 6, 0, 256}, {384, 0, 3, 0, 1536}, {384, 2, 3, 100, 1500},
			{7, 3, 5, 0, 112}, {4, 1, 3, 2, 14},
		} {
			t.Run(fmt.Sprintf("simd=%v/B=%d/q=%d/n=%d/%d-%d", simd, tc.B, tc.q, tc.nq, tc.lo, tc.hi), func(t *testing.T) {
				usePairAVX2 = simd
				N := tc.B << tc.nq
				x, y := make([]float64, N), make([]float64, N)
				for i := range x {
					x[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
				}
				a := [4]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
				R := tc.B << tc.q
				require.LessOrEqual(t, tc.hi, N/2)
				for _, acc := range []bool{false, true} {
					wx, wy := append([]float64(nil), x...), append([]float64(nil), y...)
					var want, mag [4]float64
					for f := tc.lo; f < tc.hi; f++ {
						s := (f/R)*2*R + f%R
						u0, u1, v0, v1 := wx[s], wx[s+R], wy[s], wy[s+R]
						b0, b1 := a[0]*u0+a[1]*u1, a[2]*u0+a[3]*u1
						wx[s], wx[s+R] = b0, b1
						wy[s], wy[s+R] = a[0]*v0+a[1]*v1, a[2]*v0+a[3]*v1
						for k, p := range [4]float64{v0 * b0, v0 * b1, v1 * b0, v1 * b1} {
							want[k] += p
							mag[k] += math.Abs(p)
						}
					}
					gx, gy := append([]float64(nil), x...), append([]float64(nil), y...)
					out := make([]float64, 4)
					pairChunkReal(gx, gy, tc.B, tc.q, a, acc, tc.lo, tc.hi, out)
					require.Equal(t, wx, gx, "x (acc %v)", acc)
					require.Equal(t, wy, gy, "y (acc %v)", acc)
					for k := range out {
						if acc {
							assert.InDelta(t, want[k], out[k], 1e-13*mag[k]+1e-300, "C[%d]", k)
						} else {
							assert.Zero(t, out[k], "C[%d] without acc", k)
						}
					}
				}
			})
		}
	}
}
