package peft

import (
	"math/rand/v2"

	"github.com/qpeft/qpeft/internal/oracle"
)

func randVec(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = (2*rng.Float64() - 1) * scale
	}
	return v
}

// The brute-force references are internal/oracle's; these are the names the peft tests use.
var (
	maxAbsDiff = oracle.MaxAbsDiffReal
	relErr     = oracle.RelErr
	naiveMulT  = oracle.MulRealT // a (r × s) times bᵀ, b being c × s
	fd         = oracle.FiniteDiff
)
