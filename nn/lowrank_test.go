package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// naiveLowRankGrad is the brute-force float64 oracle of LowRankGrad: gq = (dy·P)ᵀ·x and
// gp = (x·Q)ᵀ·dy by triple loops.
func naiveLowRankGrad(rows, in, out, r int, x, dy, qt, pt []float64) (gq, gp []float64) {
	gq, gp = make([]float64, r*in), make([]float64, r*out)
	for row := 0; row < rows; row++ {
		for j := 0; j < r; j++ {
			var g, t float64
			for o := 0; o < out; o++ {
				g += dy[row*out+o] * pt[j*out+o]
			}
			for i := 0; i < in; i++ {
				t += x[row*in+i] * qt[j*in+i]
			}
			for i := 0; i < in; i++ {
				gq[j*in+i] += g * x[row*in+i]
			}
			for o := 0; o < out; o++ {
				gp[j*out+o] += t * dy[row*out+o]
			}
		}
	}
	return gq, gp
}

func to64(s []float32) []float64 {
	o := make([]float64, len(s))
	for i, v := range s {
		o[i] = float64(v)
	}
	return o
}

// relL2 returns ‖got − want‖₂ / ‖want‖₂.
func relL2(got, want []float64) float64 {
	var d, n float64
	for i := range want {
		d += (got[i] - want[i]) * (got[i] - want[i])
		n += want[i] * want[i]
	}
	return math.Sqrt(d / n)
}

// TestLowRankGrad checks LowRankGrad against the brute-force oracle for shapes that cover
// the kernel's row pairs and odd tail, odd and even in and out (down to 1), ranks below, at and above the
// 8-lane group, several row chunks, and the CNN's patch maps; in float64 (relative L2 error
// ≤ 1e-12) and float32 (≤ 1e-5, inputs rounded to float32 before the oracle), with the
// AVX2 kernel on and off.
func TestLowRankGrad(t *testing.T) {
	cases := []struct{ rows, in, out, r int }{
		{1, 1, 1, 1},
		{8, 1, 1, 3},
		{12, 2, 3, 8},
		{2, 3, 2, 1},
		{7, 5, 3, 2},
		{64, 25, 8, 4},
		{301, 25, 8, 8},
		{1025, 200, 16, 4},
		{600, 12, 10, 9},
		{130, 33, 7, 16},
		{3000, 200, 16, 8},
	}
	for _, c := range cases {
		rng := rand.New(rand.NewPCG(uint64(c.rows), uint64(c.r)))
		x, dy := randSlice(rng, c.rows*c.in), randSlice(rng, c.rows*c.out)
		qt, pt := randSlice(rng, c.r*c.in), randSlice(rng, c.r*c.out)
		name := fmt.Sprintf("%dx%d→%d/r%d", c.rows, c.in, c.out, c.r)
		t.Run(name+"/float64", func(t *testing.T) {
			wq, wp := naiveLowRankGrad(c.rows, c.in, c.out, c.r, x, dy, qt, pt)
			gq, gp := make([]float64, c.r*c.in), make([]float64, c.r*c.out)
			LowRankGrad(c.rows, c.in, c.out, c.r, x, dy, qt, pt, gq, gp)
			assert.LessOrEqual(t, relL2(gq, wq), 1e-12, "gq")
			assert.LessOrEqual(t, relL2(gp, wp), 1e-12, "gp")
		})
		for _, simd := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/float32/simd=%v", name, simd), func(t *testing.T) {
				old := SetSIMD(simd)
				defer SetSIMD(old)
				x32, dy32, qt32, pt32 := to32(x), to32(dy), to32(qt), to32(pt)
				wq, wp := naiveLowRankGrad(c.rows, c.in, c.out, c.r, to64(x32), to64(dy32), to64(qt32), to64(pt32))
				gq, gp := make([]float64, c.r*c.in), make([]float64, c.r*c.out)
				LowRankGrad(c.rows, c.in, c.out, c.r, x32, dy32, qt32, pt32, gq, gp)
				assert.LessOrEqual(t, relL2(gq, wq), 1e-5, "gq")
				assert.LessOrEqual(t, relL2(gp, wp), 1e-5, "gp")
			})
		}
	}
}

// TestLowRankGradEdges checks that empty shapes clear the outputs and that short slices
// panic with the name of the operand.
func TestLowRankGradEdges(t *testing.T) {
	gq, gp := []float64{1, 2}, []float64{3}
	LowRankGrad[float32](0, 2, 1, 1, nil, nil, []float32{1, 2}, []float32{1}, gq, gp)
	assert.Equal(t, []float64{0, 0}, gq)
	assert.Equal(t, []float64{0}, gp)
	require.PanicsWithValue(t, "nn: LowRankGrad: x has 3 elements, needs 4", func() {
		LowRankGrad(2, 2, 1, 1, []float32{1, 2, 3}, []float32{1, 2}, []float32{1, 2}, []float32{1}, gq, gp)
	})
	require.Panics(t, func() {
		LowRankGrad[float64](-1, 2, 1, 1, nil, nil, nil, nil, nil, nil)
	})
}

// TestLowRankGradThreads checks that the result does not depend on the number of threads.
func TestLowRankGradThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	rows, in, out, r := 2100, 40, 6, 5
	x, dy := to32(randSlice(rng, rows*in)), to32(randSlice(rng, rows*out))
	qt, pt := to32(randSlice(rng, r*in)), to32(randSlice(rng, r*out))
	run := func(procs int) ([]float64, []float64) {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		gq, gp := make([]float64, r*in), make([]float64, r*out)
		LowRankGrad(rows, in, out, r, x, dy, qt, pt, gq, gp)
		return gq, gp
	}
	q1, p1 := run(1)
	q2, p2 := run(3)
	assert.Equal(t, q1, q2)
	assert.Equal(t, p1, p2)
}
