package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIm2colAgainstNaive compares im2col and col2im with their definitions written as plain
// loops over every patch element, for strides, asymmetric padding and kernels wider than
// the input.
func TestIm2colAgainstNaive(t *testing.T) {
	for _, tc := range []struct {
		c, h, w, kh, kw, sh, sw, pt, pl, pb, pr int
	}{
		{1, 28, 28, 5, 5, 1, 1, 2, 2, 2, 2}, // the MNIST CNN's conv1
		{8, 14, 14, 5, 5, 1, 1, 2, 2, 2, 2}, // and conv2
		{2, 5, 7, 3, 3, 1, 1, 0, 0, 0, 0},
		{3, 6, 5, 3, 2, 2, 3, 1, 2, 0, 1},
		{1, 3, 2, 3, 5, 1, 1, 1, 2, 1, 2}, // kernel wider than the input: no interior column
		{2, 4, 9, 2, 4, 3, 2, 0, 3, 1, 3},
	} {
		t.Run(fmt.Sprintf("%+v", tc), func(t *testing.T) {
			cfg := Conv2DConfig{InChannels: tc.c, OutChannels: 1, KernelH: tc.kh, KernelW: tc.kw, StrideH: tc.sh, StrideW: tc.sw,
				PadTop: tc.pt, PadLeft: tc.pl, PadBottom: tc.pb, PadRight: tc.pr}
			oh, ow, err := cfg.OutputSize(tc.h, tc.w)
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(5, 6))
			x := make([]float64, tc.c*tc.h*tc.w)
			for i := range x {
				x[i] = rng.Float64()
			}
			k := tc.c * tc.kh * tc.kw
			want := make([]float64, oh*ow*k)
			for y := 0; y < oh; y++ {
				for xo := 0; xo < ow; xo++ {
					for ch := 0; ch < tc.c; ch++ {
						for dy := 0; dy < tc.kh; dy++ {
							for dx := 0; dx < tc.kw; dx++ {
								iy, ix := y*tc.sh-tc.pt+dy, xo*tc.sw-tc.pl+dx
								if iy >= 0 && iy < tc.h && ix >= 0 && ix < tc.w {
									want[(y*ow+xo)*k+(ch*tc.kh+dy)*tc.kw+dx] = x[(ch*tc.h+iy)*tc.w+ix]
								}
							}
						}
					}
				}
			}
			cols := make([]float64, oh*ow*k)
			for i := range cols {
				cols[i] = -1 // every element must be written
			}
			im2col(cols, x, tc.c, tc.h, tc.w, tc.kh, tc.kw, tc.sh, tc.sw, tc.pt, tc.pl, oh, ow)
			assert.Equal(t, want, cols, "im2col")

			g := make([]float64, len(cols))
			for i := range g {
				g[i] = rng.Float64()
			}
			wantDx := make([]float64, len(x))
			for y := 0; y < oh; y++ {
				for xo := 0; xo < ow; xo++ {
					for ch := 0; ch < tc.c; ch++ {
						for dy := 0; dy < tc.kh; dy++ {
							for dx := 0; dx < tc.kw; dx++ {
								iy, ix := y*tc.sh-tc.pt+dy, xo*tc.sw-tc.pl+dx
								if iy >= 0 && iy < tc.h && ix >= 0 && ix < tc.w {
									wantDx[(ch*tc.h+iy)*tc.w+ix] += g[(y*ow+xo)*k+(ch*tc.kh+dy)*tc.kw+dx]
								}
							}
						}
					}
				}
			}
			dx := make([]float64, len(x))
			col2im(dx, g, tc.c, tc.h, tc.w, tc.kh, tc.kw, tc.sh, tc.sw, tc.pt, tc.pl, oh, ow)
			assert.Equal(t, wantDx, dx, "col2im (same summation order: bit for bit)")
		})
	}
}
