package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkGemmThin times the thin products of a rank-r adapter on the im2col patch matrices
// of the MNIST CNN at batch 64 (conv1: 50176 x 25 → 8, conv2: 12544 x 200 → 16), next to
// the weight-gradient product dyᵀ·x that full fine-tuning (and the dense adapter path)
// computes and the one-pass reduction LowRankGrad that replaces it on the fused path:
//
//	go test ./nn -run '^$' -bench GemmThin -benchtime 50x
func BenchmarkGemmThin(b *testing.B) {
	for _, l := range []struct {
		name          string
		rows, in, out int
	}{{"conv1", 50176, 25, 8}, {"conv2", 12544, 200, 16}} {
		rng := rand.New(rand.NewPCG(1, 2))
		x := to32(randSlice(rng, l.rows*l.in))
		dy := to32(randSlice(rng, l.rows*l.out))
		gw := make([]float32, l.out*l.in)
		b.Run(l.name+"/dW", func(b *testing.B) {
			for b.Loop() {
				Gemm(true, false, l.out, l.in, l.rows, dy, l.out, x, l.in, false, gw, l.in)
			}
		})
		for _, r := range []int{1, 4, 8, 16} {
			qt := to32(randSlice(rng, r*l.in))
			pt := to32(randSlice(rng, r*l.out))
			gq, gp := make([]float64, r*l.in), make([]float64, r*l.out)
			b.Run(fmt.Sprintf("%s/r%d/lowrank", l.name, r), func(b *testing.B) {
				for b.Loop() {
					LowRankGrad(l.rows, l.in, l.out, r, x, dy, qt, pt, gq, gp)
				}
			})
		}
		for _, r := range []int{1, 4, 8} {
			qt := to32(randSlice(rng, r*l.in))
			pt := to32(randSlice(rng, r*l.out))
			t := make([]float32, l.rows*r)
			g := make([]float32, l.rows*r)
			y := make([]float32, l.rows*l.out)
			dx := make([]float32, l.rows*l.in)
			tdy := make([]float32, r*l.out)
			gx := make([]float32, r*l.in)
			for _, op := range []struct {
				name string
				fn   func()
			}{
				{"xQ", func() { Gemm(false, true, l.rows, r, l.in, x, l.in, qt, l.in, false, t, r) }},
				{"tP", func() { Gemm(false, false, l.rows, l.out, r, t, r, pt, l.out, true, y, l.out) }},
				{"tTdy", func() { Gemm(true, false, r, l.out, l.rows, t, r, dy, l.out, false, tdy, l.out) }},
				{"dyP", func() { Gemm(false, true, l.rows, r, l.out, dy, l.out, pt, l.out, false, g, r) }},
				{"gTx", func() { Gemm(true, false, r, l.in, l.rows, g, r, x, l.in, false, gx, l.in) }},
				{"gQ", func() { Gemm(false, false, l.rows, l.in, r, g, r, qt, l.in, true, dx, l.in) }},
			} {
				b.Run(fmt.Sprintf("%s/r%d/%s", l.name, r, op.name), func(b *testing.B) {
					for b.Loop() {
						op.fn()
					}
				})
			}
		}
	}
}
