package peft

import (
	"fmt"
)

// lowRank runs an adapter's term of a forward and backward pass:
// y += ((x·Q)·diag(D))·Pᵀ and its gradients. It caches what backward needs.
type lowRank struct {
	f    Factors
	x    []float64 // the input of the last forward (not owned)
	rows int
	t    []float64 // x·Q, rows × r
	s    []float64 // t·diag(D), rows × r
	g    []float64 // dy·P, rows × r
	pbar []float64 // ∂ℓ/∂Pᵀ, r × out
	qbar []float64 // ∂ℓ/∂Qᵀ, r × in
	dbar []float64
	ok   bool
}

// forward builds the factors, caches x·Q and adds the low-rank term to y (rows × out), unless
// every D is zero.
func (lr *lowRank) forward(a Adapter, x []float64, rows int, y []float64) error {
	out, in := a.Dims()
	lr.ok = false
	if err := a.Factors(&lr.f); err != nil {
		return fmt.Errorf("peft: %s adapter: %w", a.Method(), err)
	}
	r := lr.f.Rank
	lr.x, lr.rows = x, rows
	lr.t = grow(lr.t, rows*r)
	gemm(false, true, rows, r, in, 1, x, lr.f.QT, 0, lr.t)
	lr.s = grow(lr.s, rows*r)
	for i := 0; i < rows; i++ {
		for j := 0; j < r; j++ {
			lr.s[i*r+j] = lr.t[i*r+j] * lr.f.D[j]
		}
	}
	if !allZero(lr.f.D) {
		gemm(false, false, rows, out, r, 1, lr.s, lr.f.PT, 1, y)
	}
	lr.ok = true
	return nil
}

// backward accumulates the adapter's parameter gradients given dy (rows × out) and, when dx
// is not nil, adds the low-rank term's contribution (dy·P·diag(D))·Qᵀ to dx (rows × in).
func (lr *lowRank) backward(a Adapter, dy, dx []float64) error {
	if !lr.ok {
		return fmt.Errorf("peft: Backward without a successful Forward")
	}
	out, in := a.Dims()
	rows, r := lr.rows, lr.f.Rank
	lr.g = grow(lr.g, rows*r)
	gemm(false, true, rows, r, out, 1, dy, lr.f.PT, 0, lr.g)
	lr.dbar = grow(lr.dbar, r)
	clear(lr.dbar)
	for i := 0; i < rows; i++ {
		for j := 0; j < r; j++ {
			lr.dbar[j] += lr.g[i*r+j] * lr.t[i*r+j]
		}
	}
	// g ← g·diag(D) (in place: the unscaled g is no longer needed).
	for i := 0; i < rows; i++ {
		for j := 0; j < r; j++ {
			lr.g[i*r+j] *= lr.f.D[j]
		}
	}
	lr.pbar = grow(lr.pbar, r*out)
	gemm(true, false, r, out, rows, 1, lr.s, dy, 0, lr.pbar)
	lr.qbar = grow(lr.qbar, r*in)
	gemm(true, false, r, in, rows, 1, lr.g, lr.x, 0, lr.qbar)
	if dx != nil && !allZero(lr.f.D) {
		gemm(false, false, rows, in, r, 1, lr.g, lr.f.QT, 1, dx)
	}
	if err := a.FactorsVJP(&lr.f, lr.pbar, lr.qbar, lr.dbar); err != nil {
		return fmt.Errorf("peft: %s adapter backward: %w", a.Method(), err)
	}
	return nil
}
