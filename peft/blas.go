package peft

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemm computes c = alpha·op(a)·op(b) + beta·c for row-major dense matrices with op(a) m × k
// and op(b) k × n, through gonum's dgemm.
func gemm(ta, tb bool, m, n, k int, alpha float64, a, b []float64, beta float64, c []float64) {
	if m == 0 || n == 0 {
		return
	}
	ar, ac := m, k
	tA := blas.NoTrans
	if ta {
		ar, ac = k, m
		tA = blas.Trans
	}
	br, bc := k, n
	tB := blas.NoTrans
	if tb {
		br, bc = n, k
		tB = blas.Trans
	}
	if k == 0 {
		// dgemm with k = 0 scales c by beta; keep that behaviour explicit.
		if beta == 0 {
			clear(c[:m*n])
			return
		}
		for i := range c[:m*n] {
			c[i] *= beta
		}
		return
	}
	blas64.Gemm(tA, tB, alpha,
		blas64.General{Rows: ar, Cols: ac, Stride: ac, Data: a[:ar*ac]},
		blas64.General{Rows: br, Cols: bc, Stride: bc, Data: b[:br*bc]},
		beta,
		blas64.General{Rows: m, Cols: n, Stride: n, Data: c[:m*n]})
}
