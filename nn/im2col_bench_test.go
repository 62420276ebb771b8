package nn

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkIm2col measures the patch extraction of the MNIST CNN's convolutions (batch 64)
// and the gradient scatter back.
func BenchmarkIm2col(b *testing.B) {
	for _, s := range []struct {
		name       string
		c, h, w, k int
	}{{"conv1_1x28x28_k5", 1, 28, 28, 5}, {"conv2_8x14x14_k5", 8, 14, 14, 5}} {
		rng := rand.New(rand.NewPCG(1, 1))
		x := make([]float32, 64*s.c*s.h*s.w)
		for i := range x {
			x[i] = rng.Float32()
		}
		kk := s.c * s.k * s.k
		cols := make([]float32, 64*s.h*s.w*kk)
		per := s.c * s.h * s.w
		b.Run(s.name+"/im2col", func(b *testing.B) {
			for b.Loop() {
				for img := 0; img < 64; img++ {
					im2col(cols[img*s.h*s.w*kk:(img+1)*s.h*s.w*kk], x[img*per:(img+1)*per], s.c, s.h, s.w, s.k, s.k, 1, 1, 2, 2, s.h, s.w)
				}
			}
		})
		b.Run(s.name+"/col2im", func(b *testing.B) {
			for b.Loop() {
				for img := 0; img < 64; img++ {
					col2im(x[img*per:(img+1)*per], cols[img*s.h*s.w*kk:(img+1)*s.h*s.w*kk], s.c, s.h, s.w, s.k, s.k, 1, 1, 2, 2, s.h, s.w)
				}
			}
		})
	}
}
