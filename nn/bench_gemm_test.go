package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// gemmBenchShapes are the products of one training step of the MNIST CNN at batch 64
// (forward, input gradient, weight gradient of each convolution) plus a square reference.
var gemmBenchShapes = []struct {
	name           string
	m, n, k        int
	transA, transB bool
}{
	{"conv1_fwd_50176x8x25", 50176, 8, 25, false, true},
	{"conv2_fwd_12544x16x200", 12544, 16, 200, false, true},
	{"conv2_dx_12544x200x16", 12544, 200, 16, false, false},
	{"conv2_dW_16x200x12544", 16, 200, 12544, true, false},
	{"square_512", 512, 512, 512, false, false},
}

// BenchmarkGemm compares nn.Gemm (float32) with gonum's blas32.Gemm on the same operands;
// the GFLOP/s metric counts 2·m·n·k per product.
func BenchmarkGemm(b *testing.B) {
	for _, s := range gemmBenchShapes {
		rng := rand.New(rand.NewPCG(1, 2))
		ar, ac := s.m, s.k
		if s.transA {
			ar, ac = s.k, s.m
		}
		br, bc := s.k, s.n
		if s.transB {
			br, bc = s.n, s.k
		}
		a := to32(randSlice(rng, ar*ac))
		bb := to32(randSlice(rng, br*bc))
		c := make([]float32, s.m*s.n)
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		report := func(b *testing.B) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		b.Run(s.name+"/qpeft", func(b *testing.B) {
			for b.Loop() {
				Gemm(s.transA, s.transB, s.m, s.n, s.k, a, ac, bb, bc, false, c, s.n)
			}
			report(b)
		})
		if useAVX2 {
			b.Run(s.name+"/qpeft-purego", func(b *testing.B) {
				useAVX2 = false
				defer func() { useAVX2 = true }()
				for b.Loop() {
					Gemm(s.transA, s.transB, s.m, s.n, s.k, a, ac, bb, bc, false, c, s.n)
				}
				report(b)
			})
		}
		b.Run(s.name+"/gonum-blas32", func(b *testing.B) {
			tA, tB := blas.NoTrans, blas.NoTrans
			if s.transA {
				tA = blas.Trans
			}
			if s.transB {
				tB = blas.Trans
			}
			A := blas32.General{Rows: ar, Cols: ac, Stride: ac, Data: a}
			B := blas32.General{Rows: br, Cols: bc, Stride: bc, Data: bb}
			C := blas32.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: c}
			for b.Loop() {
				blas32.Gemm(tA, tB, 1, A, B, 0, C)
			}
			report(b)
		})
	}
}

func ExampleGemm() {
	// C (2x2) = A (2x3) · Bᵀ, where B is stored 2x3 (transB).
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 1, 0, 1, 0}
	c := make([]float32, 4)
	Gemm(false, true, 2, 2, 3, a, 3, b, 3, false, c, 2)
	fmt.Println(c)
	// Output: [4 2 10 5]
}
