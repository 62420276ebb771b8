package peft

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft/ortho"
	"github.com/qpeft/qpeft/sim"
)

func TestFixedMask(t *testing.T) {
	u, _ := ortho.New(16, 4, ortho.Spec{Layers: 1})
	v, _ := ortho.New(8, 4, ortho.Spec{Layers: 1})
	a, err := NewQuantumPEFT(u, v, Options{Rank: RankOptions{ActiveRank: 2}, Seed: 1})
	require.NoError(t, err)
	assert.Equal(t, u.NumParams()+v.NumParams()+2, a.NumTrainable(), "NumTrainable")
	assert.Equal(t, []int{0, 1}, a.ActiveRanks(), "active ranks")
	for j := range a.Lambda.Value {
		a.Lambda.Value[j] = float64(j + 1)
	}
	var f Factors
	require.NoError(t, a.Factors(&f))
	assert.Equal(t, []float64{1, 2, 0, 0}, f.D[:4], "D = %v", f.D)
	// Masked scales get no gradient.
	rng := rand.New(rand.NewPCG(51, 52))
	l, _ := NewLinear(randVec(rng, 128, 1), 16, 8, nil, a)
	y := make([]float64, 3*16)
	require.NoError(t, l.Forward(randVec(rng, 24, 1), 3, y))
	nn.ZeroGrad(a.Params())
	require.NoError(t, l.Backward(randVec(rng, 48, 1), nil))
	assert.Zero(t, a.Lambda.Grad[2], "λ grad %v", a.Lambda.Grad)
	assert.Zero(t, a.Lambda.Grad[3], "λ grad %v", a.Lambda.Grad)
	assert.NotZero(t, a.Lambda.Grad[0], "λ grad %v", a.Lambda.Grad)
}

func TestScheduledPrune(t *testing.T) {
	for _, build := range []func() (Adapter, []float64){
		func() (Adapter, []float64) {
			u, _ := ortho.New(8, 5, ortho.Spec{Layers: 1})
			v, _ := ortho.New(8, 5, ortho.Spec{Layers: 1})
			a, err := NewQuantumPEFT(u, v, Options{Rank: RankOptions{ActiveRank: 2, PruneStep: 3}, Seed: 1})
			require.NoError(t, err)
			return a, a.Lambda.Value
		},
		func() (Adapter, []float64) {
			a, err := NewAdaLoRA(8, 8, 5, 0, RankOptions{ActiveRank: 2, PruneStep: 3}, 0, 2)
			require.NoError(t, err)
			return a, a.E.Value
		},
	} {
		a, scale := build()
		p := a.(Prunable)
		copy(scale, []float64{0.1, -3, 0.5, 2, -0.2})
		for step := 1; step <= 2; step++ {
			require.NoError(t, p.OnStep(step))
			require.Len(t, p.ActiveRanks(), 5, "%s: pruned before the scheduled step", a.Method())
		}
		require.NoError(t, p.OnStep(3))
		assert.Equal(t, []int{1, 3}, p.ActiveRanks(), "%s: want the two largest |scale| kept", a.Method())
		assert.Equal(t, []float64{0, -3, 0, 2, 0}, scale, "%s: scales after pruning", a.Method())
		var f Factors
		require.NoError(t, a.Factors(&f))
		for _, j := range []int{0, 2, 4} {
			assert.Zero(t, f.D[j], "%s: D[%d] after pruning", a.Method(), j)
		}
		assert.Error(t, p.Prune(3), "%s: pruning up from 2 to 3 accepted", a.Method())
	}
}

func TestRankOptionErrors(t *testing.T) {
	u, _ := ortho.New(8, 4, ortho.Spec{Layers: 1})
	v, _ := ortho.New(8, 4, ortho.Spec{Layers: 1})
	for _, o := range []RankOptions{{ActiveRank: 5}, {ActiveRank: -1}, {PruneStep: 2}, {ActiveRank: 4, PruneStep: 2}, {ActiveRank: 2, PruneStep: -1}} {
		_, err := NewQuantumPEFT(u, v, Options{Rank: o})
		assert.Error(t, err, "%+v accepted", o)
	}
	v3, _ := ortho.New(8, 3, ortho.Spec{Layers: 1})
	_, err := NewQuantumPEFT(u, v3, Options{})
	assert.Error(t, err, "U and V of different ranks accepted")
}

func TestMemoryLimit(t *testing.T) {
	old := sim.MemoryLimit
	defer func() { sim.MemoryLimit = old }()
	sim.MemoryLimit = 1 << 20
	_, err := (Config{Method: MethodQuantumPEFT, Rank: 64, Layers: 1}).Build("big", 4096, 4096)
	assert.ErrorContains(t, err, "QPEFT_MEMORY_LIMIT")
}
