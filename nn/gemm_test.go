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

// naiveGemm is the brute-force float64 oracle: C = beta*C + op(A)·op(B).
func naiveGemm(transA, transB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, acc bool, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float64
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if acc {
				c[i*ldc+j] += s
			} else {
				c[i*ldc+j] = s
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.Float64()*2 - 1
	}
	return s
}

func to32(s []float64) []float32 {
	o := make([]float32, len(s))
	for i, v := range s {
		o[i] = float32(v)
	}
	return o
}

type gemmCase struct {
	m, n, k        int
	transA, transB bool
	acc            bool
	pad            int // extra leading-dimension padding
}

var gemmCases = []gemmCase{
	{1, 1, 1, false, false, false, 0},
	{3, 5, 7, false, false, false, 0},
	{6, 16, 1, false, false, true, 2},
	{7, 17, 33, true, false, false, 1},
	{13, 29, 300, false, true, true, 3},
	{97, 513, 257, true, true, false, 0},
	{200, 16, 260, false, false, false, 0},
	{8, 25, 2500, true, false, false, 0}, // split-k path
	{64, 10, 256, false, true, false, 0},
	{130, 8, 25, false, true, true, 0},  // transposed orientation
	{50, 8, 300, false, true, true, 2},  // direct A: thin C, A read in place, partial last panel
	{64, 20, 40, false, false, true, 0}, // direct A, C wider than one panel
	{5, 100, 30, false, true, false, 1}, // direct A after swapping the orientation
	{0, 4, 4, false, false, false, 0},
	{4, 4, 0, false, false, true, 0},
}

func makeGemmOperands(rng *rand.Rand, tc gemmCase) (a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc = ac+tc.pad, bc+tc.pad, tc.n+tc.pad
	a = randSlice(rng, ar*lda)
	b = randSlice(rng, br*ldb)
	c = randSlice(rng, tc.m*ldc)
	return
}

func TestGemmAgainstNaive(t *testing.T) {
	for _, avx := range []bool{false, true} {
		if avx && !detectAVX2FMAOrFalse() {
			continue
		}
		for _, tc := range gemmCases {
			name := fmt.Sprintf("avx=%v/%dx%dx%d/tA=%v/tB=%v/acc=%v", avx, tc.m, tc.n, tc.k, tc.transA, tc.transB, tc.acc)
			t.Run(name, func(t *testing.T) {
				old := useAVX2
				useAVX2 = avx
				defer func() { useAVX2 = old }()
				rng := rand.New(rand.NewPCG(1, uint64(tc.m*1000+tc.n*10+tc.k)))
				a, lda, b, ldb, c, ldc := makeGemmOperands(rng, tc)
				want := append([]float64(nil), c...)
				naiveGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, tc.acc, want, ldc)

				got64 := append([]float64(nil), c...)
				Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, tc.acc, got64, ldc)
				got32 := to32(c)
				Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, to32(a), lda, to32(b), ldb, tc.acc, got32, ldc)
				for i := 0; i < tc.m; i++ {
					for j := 0; j < tc.n; j++ {
						w := want[i*ldc+j]
						require.InDelta(t, w, got64[i*ldc+j], 1e-12*float64(tc.k+1), "float64 C[%d,%d]", i, j)
						require.InDelta(t, w, float64(got32[i*ldc+j]), 2e-6*float64(tc.k+1), "float32 C[%d,%d]", i, j)
					}
					// Padding columns beyond n must be untouched.
					for j := tc.n; j < ldc; j++ {
						require.Equal(t, c[i*ldc+j], got64[i*ldc+j], "padding C[%d,%d] modified", i, j)
					}
				}
			})
		}
	}
}

func detectAVX2FMAOrFalse() bool { return useAVX2 }

// TestGemmDeterministicAcrossThreads checks bit-identical results for 1 and many threads.
func TestGemmDeterministicAcrossThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []gemmCase{{300, 40, 700, false, false, false, 0}, {8, 25, 5000, true, false, false, 0}, {1000, 16, 200, false, true, false, 0}} {
		a, lda, b, ldb, c, ldc := makeGemmOperands(rng, tc)
		a32, b32 := to32(a), to32(b)
		run := func(procs int) []float32 {
			old := runtime.GOMAXPROCS(procs)
			defer runtime.GOMAXPROCS(old)
			out := to32(c)
			Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, a32, lda, b32, ldb, false, out, ldc)
			return out
		}
		one, many := run(1), run(7)
		require.Equal(t, one, many, "%v: 1 thread vs 7 threads", tc)
	}
}

// TestGemmDirectMatchesPacked: reading A in place (thin products, float32 AVX2) gives the
// packed kernel's results bit for bit.
func TestGemmDirectMatchesPacked(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2/FMA kernel on this CPU: the direct path is not used")
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, tc := range []gemmCase{
		{50, 8, 300, false, true, true, 2},
		{64, 20, 40, false, false, false, 0},
		{5, 100, 30, false, true, false, 1},
		{1000, 16, 200, false, true, false, 0},
		{12544, 1, 200, false, true, false, 0},
	} {
		a, lda, b, ldb, c, ldc := makeGemmOperands(rng, tc)
		a32, b32 := to32(a), to32(b)
		run := func(direct bool) []float32 {
			old := useDirectA
			useDirectA = direct
			defer func() { useDirectA = old }()
			out := to32(c)
			Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, a32, lda, b32, ldb, tc.acc, out, ldc)
			return out
		}
		packed, direct := run(false), run(true)
		for i := range packed {
			require.Equal(t, math.Float32bits(packed[i]), math.Float32bits(direct[i]), "%v: element %d: direct %v, packed %v", tc, i, direct[i], packed[i])
		}
	}
}

func TestGemmPanicsOnShortSlice(t *testing.T) {
	assert.Panics(t, func() {
		Gemm(false, false, 2, 2, 2, make([]float32, 3), 2, make([]float32, 4), 2, false, make([]float32, 4), 2)
	}, "no panic for a short A")
}
