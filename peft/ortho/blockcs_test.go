package ortho

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// csDense is the explicit N × N matrix of the cosine–sine stage (oracle).
func csDense(n1, n2 int, phi []float64) []float64 {
	n := n1 + n2
	m := basis(n, n)
	for i, f := range phi {
		c, s := math.Cos(f/2), math.Sin(f/2)
		a, b := i, n1+i
		m[a*n+a], m[a*n+b] = c, -s
		m[b*n+a], m[b*n+b] = s, c
	}
	return m
}

// blockDiag places a (n1 × n1) and b (n2 × n2) on the diagonal.
func blockDiag(a []float64, n1 int, b []float64, n2 int) []float64 {
	n := n1 + n2
	m := make([]float64, n*n)
	for i := 0; i < n1; i++ {
		copy(m[i*n:i*n+n1], a[i*n1:(i+1)*n1])
	}
	for i := 0; i < n2; i++ {
		copy(m[(n1+i)*n+n1:(n1+i+1)*n], b[i*n2:(i+1)*n2])
	}
	return m
}

// TestBlockCSDense compares the full block map with the brute-force product
// diag(A1,A2)·CS(φ)·diag(B1,B2) of its blocks' dense matrices, for both CS modes.
func TestBlockCSDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{3, 5, 6, 7, 11, 12, 13, 24} {
		for _, mode := range []CSMode{CSWalsh, CSFull} {
			o, err := NewOrthogonalFrom(n, givensLeaf, mode)
			require.NoError(t, err)
			if n == 12 || n == 7 {
				// An explicit B2 (the builders use B2 = I).
				n1, n2 := Split(n)
				sub, err := NewOrthogonalFrom(n2, givensLeaf, mode)
				require.NoError(t, err)
				o, err = NewBlockCS(givens{n1}, sub, givens{n1}, givens{n2}, mode, 0)
				require.NoError(t, err)
			}
			b := o.(*BlockCS)
			theta := randVec(rng, b.NumParams(), 3)
			n1, n2 := b.Sizes()
			a1 := dense(t, b.a1, b.part(theta, b.a1, b.offA1))
			a2 := dense(t, b.a2, b.part(theta, b.a2, b.offA2))
			b1 := dense(t, b.b1, b.part(theta, b.b1, b.offB1))
			b2 := basis(n2, n2)
			if b.b2 != nil {
				b2 = dense(t, b.b2, b.part(theta, b.b2, b.offB2))
			}
			// The angles, computed here from the documented formula.
			p := theta[b.offPhi : b.offPhi+b.nphi]
			phi := make([]float64, n2)
			for i := range phi {
				if mode == CSFull {
					phi[i] = p[i]
					continue
				}
				phi[i] = p[0]
				for bit := 0; bit+1 < len(p); bit++ {
					phi[i] += p[bit+1] * float64(1-2*(i>>bit&1))
				}
			}
			want := matmul(matmul(blockDiag(a1, n1, a2, n2), csDense(n1, n2, phi), n, n, n), blockDiag(b1, n1, b2, n2), n, n, n)
			got := dense(t, o, theta)
			assert.LessOrEqual(t, maxAbsDiff(got, want), 1e-13, "N=%d %v: dense mismatch", n, mode)
			assert.LessOrEqual(t, Deviation(got, n, n), 1e-12, "N=%d %v: ‖QᵀQ − I‖", n, mode)
			checkOrthVJP(t, o, theta, 2, rng)
		}
	}
}

// TestBlockCSStiefelMatchesFull checks that the Stiefel map without B2 gives the first K
// columns of the full map with the same blocks, and its gradient against finite differences.
func TestBlockCSStiefelMatchesFull(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ n, k int }{{3, 1}, {3, 2}, {3, 3}, {5, 4}, {6, 2}, {7, 5}, {12, 8}, {12, 9}, {24, 16}, {40, 3}} {
		s, err := NewStiefelFrom(tc.n, tc.k, givensLeaf, CSWalsh)
		require.NoError(t, err)
		b := s.(*BlockCS)
		assert.True(t, b.b2 == nil, "N=%d K=%d: B2 present", tc.n, tc.k)
		theta := randVec(rng, s.NumParams(), 3)
		u := make([]float64, tc.n*tc.k)
		require.NoError(t, s.Columns(theta, u))
		assert.LessOrEqual(t, Deviation(u, tc.n, tc.k), 1e-12, "N=%d K=%d: ‖UᵀU − I‖", tc.n, tc.k)
		// Full map with the same A1, A2, B1, CS parameters (and any B2).
		full, err := NewOrthogonalFrom(tc.n, givensLeaf, CSWalsh)
		require.NoError(t, err)
		fb := full.(*BlockCS)
		ft := randVec(rng, fb.NumParams(), 3)
		copy(ft[fb.offB1:], b.part(theta, b.b1, b.offB1))
		if b.b2 != nil {
			copy(ft[fb.offB2:], b.part(theta, b.b2, b.offB2))
		}
		copy(ft[fb.offPhi:fb.offPhi+fb.nphi], theta[b.offPhi:b.offPhi+b.nphi])
		copy(ft[fb.offA1:], b.part(theta, b.a1, b.offA1))
		copy(ft[fb.offA2:], b.part(theta, b.a2, b.offA2))
		q := dense(t, full, ft)
		want := make([]float64, tc.n*tc.k)
		for r := 0; r < tc.n; r++ {
			copy(want[r*tc.k:(r+1)*tc.k], q[r*tc.n:r*tc.n+tc.k])
		}
		assert.LessOrEqual(t, maxAbsDiff(u, want), 1e-13, "N=%d K=%d: columns differ from the full map's by", tc.n, tc.k)
		checkStiefelVJP(t, s, theta, rng, 1e-7)
	}
}

// TestCountMatchesConstruction checks the closed-form count against the built factors.
func TestCountMatchesConstruction(t *testing.T) {
	lp := func(q int) int { return 1<<q - 1 } // the givens double's count
	for n := 1; n <= 70; n++ {
		for _, mode := range []CSMode{CSWalsh, CSFull} {
			o, err := NewOrthogonalFrom(n, givensLeaf, mode)
			require.NoError(t, err)
			assert.Equal(t, countOrth(n, lp, mode), o.NumParams(), "O(%d) %v: params vs count", n, mode)
			for _, k := range []int{1, n / 2, n - 1, n} {
				if k < 1 {
					continue
				}
				s, err := NewStiefelFrom(n, k, givensLeaf, mode)
				require.NoError(t, err)
				assert.Equal(t, countStiefel(n, k, lp, mode), s.NumParams(), "St(%d,%d) %v: params vs count", n, k, mode)
				sum := 0
				if st, ok := s.(Structured); ok {
					for _, b := range st.Blocks() {
						assert.Equal(t, sum, b.Offset, "St(%d,%d): offset of block %s", n, k, b.Path)
						sum += b.Params
					}
					assert.Equal(t, s.NumParams(), sum, "St(%d,%d): params the blocks hold", n, k)
				}
			}
		}
	}
}

func TestWalshCount(t *testing.T) {
	for _, tc := range []struct{ n2, want int }{{1, 1}, {2, 2}, {3, 3}, {4, 3}, {5, 4}, {256, 9}, {257, 10}, {488, 10}, {2816, 13}} {
		assert.Equal(t, tc.want, csParams(tc.n2, CSWalsh), "csParams(%d)", tc.n2)
	}
}
