package smallmat_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/qpeft/qpeft/internal/oracle"
	"github.com/qpeft/qpeft/internal/smallmat"
)

func randomMat(r *rand.Rand, d int) []complex128 {
	m := make([]complex128, d*d)
	for i := range m {
		if r.IntN(4) > 0 { // some zeros, which Mul skips
			m[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
	}
	return m
}

// TestAgainstOracle checks every function against internal/oracle, an independent
// brute-force reference.
func TestAgainstOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, d := range []int{1, 2, 4, 8} {
		a, b := randomMat(r, d), randomMat(r, d)
		assert.LessOrEqual(t, oracle.MaxDiff(smallmat.Mul(a, b, d), oracle.MatMul(a, b, d, d, d)), 1e-12, "Mul d=%d", d)
		assert.Equal(t, oracle.Adjoint(a, d), smallmat.Adjoint(a, d), "Adjoint d=%d", d)
		assert.Equal(t, oracle.Identity(d), smallmat.Identity(d), "Identity d=%d", d)
	}
	for _, tc := range []struct {
		from, to []int
	}{
		{[]int{0}, []int{0, 1}},
		{[]int{1}, []int{0, 1, 2}},
		{[]int{2, 0}, []int{0, 1, 2}},
		{[]int{1, 3}, []int{3, 2, 1}},
	} {
		k := 1 << len(tc.from)
		m := randomMat(r, k)
		// Embed on the register "to" (qubit to[i] is bit i) = the oracle's embedding of m on
		// the positions of from within to.
		pos := smallmat.EmbedPositions(tc.from, tc.to)
		want := oracle.Embed(len(tc.to), pos, m)
		assert.Equal(t, want, smallmat.Embed(m, tc.from, tc.to), "Embed %v in %v", tc.from, tc.to)
	}
	assert.Equal(t, 0b101, smallmat.SubIndex(0b10011, []int{0, 2, 4}))
	assert.Equal(t, []int{2, 0}, smallmat.EmbedPositions([]int{5, 3}, []int{3, 4, 5}))
	assert.Panics(t, func() { smallmat.EmbedPositions([]int{7}, []int{3, 4}) })
}
