package ortho

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// MaxTaylorOrder bounds the order of the truncated series.
const MaxTaylorOrder = 32

// Taylor is the Lie-algebra parameterisation of method.md §4:
//
//	U = exp(A)·E_K,   A = [[B, −Cᵀ], [C, 0]],
//
// with B a K × K skew-symmetric matrix (its K(K−1)/2 entries below the diagonal are
// parameters) and C an (N−K) × K matrix, so it spends exactly the Stiefel dimension
// NK − K(K+1)/2. exp is evaluated by the series Σ_{j≤p} A^j/j! truncated at order p, applied
// to E_K term by term without forming any N × N matrix (cost O(p·N·K²)). The truncation makes
// U only approximately orthonormal; [Deviation] reports ‖UᵀU − I‖_F.
//
// θ is laid out as the strictly lower triangle of B row by row (B[i][j], i > j), then C row
// by row.
type Taylor struct {
	n, k, order int
}

// NewTaylor returns the order-p Taylor map for an N × K factor. It returns an error unless
// 1 ≤ K ≤ N and 1 ≤ p ≤ MaxTaylorOrder.
func NewTaylor(n, k, order int) (*Taylor, error) {
	if k < 1 || k > n {
		return nil, fmt.Errorf("ortho: Taylor: rank K = %d must be in 1..N = %d", k, n)
	}
	if order < 1 || order > MaxTaylorOrder {
		return nil, fmt.Errorf("ortho: Taylor: order %d must be in 1..%d", order, MaxTaylorOrder)
	}
	return &Taylor{n: n, k: k, order: order}, nil
}

// TaylorParams returns NK − K(K+1)/2, the parameter count of the Taylor map.
func TaylorParams(n, k int) int { return n*k - k*(k+1)/2 }

// Dim returns N.
func (t *Taylor) Dim() int { return t.n }

// Rank returns K.
func (t *Taylor) Rank() int { return t.k }

// Order returns the truncation order p.
func (t *Taylor) Order() int { return t.order }

// NumParams returns NK − K(K+1)/2.
func (t *Taylor) NumParams() int { return TaylorParams(t.n, t.k) }

// Blocks describes the map as one block.
func (t *Taylor) Blocks() []Block {
	return []Block{{Kind: "taylor", Dim: t.n, Params: t.NumParams()}}
}

// unpack returns B (K × K, skew) and C ((N−K) × K) as general matrices.
func (t *Taylor) unpack(theta []float64) (b, c blas64.General) {
	k := t.k
	b = blas64.General{Rows: k, Cols: k, Stride: k, Data: make([]float64, k*k)}
	p := 0
	for i := 1; i < k; i++ {
		for j := 0; j < i; j++ {
			b.Data[i*k+j] = theta[p]
			b.Data[j*k+i] = -theta[p]
			p++
		}
	}
	c = blas64.General{Rows: t.n - k, Cols: k, Stride: k, Data: theta[p:]}
	return b, c
}

func split(z []float64, n, k int) (top, bot blas64.General) {
	top = blas64.General{Rows: k, Cols: k, Stride: k, Data: z[:k*k]}
	bot = blas64.General{Rows: n - k, Cols: k, Stride: k, Data: z[k*k : n*k]}
	return
}

// applyA sets dst = s·A·z (transposed: s·Aᵀ·z when tr) for z, dst of shape N × K.
func (t *Taylor) applyA(b, c blas64.General, z, dst []float64, s float64, tr bool) {
	zt, zb := split(z, t.n, t.k)
	dt, db := split(dst, t.n, t.k)
	// A = [[B, −Cᵀ], [C, 0]]; Aᵀ = [[−B, Cᵀ], [−C, 0]] (B skew).
	sg := s
	if tr {
		sg = -s
	}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, sg, b, zt, 0, dt)
	if t.n > t.k {
		blas64.Gemm(blas.Trans, blas.NoTrans, -sg, c, zb, 1, dt)
		blas64.Gemm(blas.NoTrans, blas.NoTrans, sg, c, zt, 0, db)
	}
}

// terms returns Z_0..Z_p with Z_0 = E_K and Z_j = A·Z_{j−1}/j.
func (t *Taylor) terms(theta []float64) (zs [][]float64, b, c blas64.General) {
	b, c = t.unpack(theta)
	zs = make([][]float64, t.order+1)
	zs[0] = basis(t.n, t.k)
	for j := 1; j <= t.order; j++ {
		zs[j] = make([]float64, t.n*t.k)
		t.applyA(b, c, zs[j-1], zs[j], 1/float64(j), false)
	}
	return zs, b, c
}

// Columns writes U = Σ_{j≤p} A^j E_K / j! into u.
func (t *Taylor) Columns(theta, u []float64) error {
	checkLen("Taylor.Columns", "theta", len(theta), t.NumParams())
	checkLen("Taylor.Columns", "u", len(u), t.n*t.k)
	zs, _, _ := t.terms(theta)
	clear(u)
	for _, z := range zs {
		for i, v := range z {
			u[i] += v
		}
	}
	return nil
}

// ColumnsVJP adds ∂ℓ/∂θ to dtheta given ubar = ∂ℓ/∂U (u is not needed: the series is
// recomputed from θ).
func (t *Taylor) ColumnsVJP(theta, u, ubar, dtheta []float64) error {
	n, k := t.n, t.k
	checkLen("Taylor.ColumnsVJP", "theta", len(theta), t.NumParams())
	checkLen("Taylor.ColumnsVJP", "dtheta", len(dtheta), t.NumParams())
	checkLen("Taylor.ColumnsVJP", "u", len(u), n*k)
	checkLen("Taylor.ColumnsVJP", "ubar", len(ubar), n*k)
	zs, b, c := t.terms(theta)
	// Z̄_p = Ū; Z̄_{j−1} = Ū + Aᵀ Z̄_j / j; Ā += Z̄_j Z_{j−1}ᵀ / j (only the blocks that hold
	// parameters are formed: Ā11 (K×K), Ā21 ((N−K)×K) and Ā12ᵀ ((N−K)×K)).
	gB := blas64.General{Rows: k, Cols: k, Stride: k, Data: make([]float64, k*k)}
	gC := blas64.General{Rows: n - k, Cols: k, Stride: k, Data: make([]float64, (n-k)*k)}
	zbar := append([]float64(nil), ubar...)
	next := make([]float64, n*k)
	for j := t.order; j >= 1; j-- {
		s := 1 / float64(j)
		wt, wb := split(zbar, n, k)
		zt, zb := split(zs[j-1], n, k)
		blas64.Gemm(blas.NoTrans, blas.Trans, s, wt, zt, 1, gB) // Ā11
		if n > k {
			blas64.Gemm(blas.NoTrans, blas.Trans, s, wb, zt, 1, gC)  // Ā21
			blas64.Gemm(blas.NoTrans, blas.Trans, -s, zb, wt, 1, gC) // −Ā12ᵀ
		}
		if j > 1 {
			t.applyA(b, c, zbar, next, s, true)
			for i := range next {
				next[i] += ubar[i]
			}
			zbar, next = next, zbar
		}
	}
	p := 0
	for i := 1; i < k; i++ {
		for j := 0; j < i; j++ {
			dtheta[p] += gB.Data[i*k+j] - gB.Data[j*k+i]
			p++
		}
	}
	for i, v := range gC.Data {
		dtheta[p+i] += v
	}
	return nil
}
