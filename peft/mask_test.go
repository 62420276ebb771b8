package peft

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft/ortho"
	"github.com/qpeft/qpeft/sim"
)

func TestFixedMask(t *testing.T) {
	u, _ := ortho.New(16, 4, ortho.Spec{Layers: 1})
	v, _ := ortho.New(8, 4, ortho.Spec{Layers: 1})
	a, err := NewQuantumPEFT(u, v, Options{Rank: RankOptions{ActiveRank: 2}, Seed: 1})
	mustNoErr(t, err)
	if got, want := a.NumTrainable(), u.NumParams()+v.NumParams()+2; got != want {
		t.Errorf("NumTrainable %d, want %d", got, want)
	}
	if got := a.ActiveRanks(); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("active %v", got)
	}
	for j := range a.Lambda.Value {
		a.Lambda.Value[j] = float64(j + 1)
	}
	var f Factors
	mustNoErr(t, a.Factors(&f))
	if f.D[0] != 1 || f.D[1] != 2 || f.D[2] != 0 || f.D[3] != 0 {
		t.Errorf("D = %v", f.D)
	}
	// Masked scales get no gradient.
	rng := rand.New(rand.NewPCG(51, 52))
	l, _ := NewLinear(randVec(rng, 128, 1), 16, 8, nil, a)
	y := make([]float64, 3*16)
	mustNoErr(t, l.Forward(randVec(rng, 24, 1), 3, y))
	nn.ZeroGrad(a.Params())
	mustNoErr(t, l.Backward(randVec(rng, 48, 1), nil))
	if a.Lambda.Grad[2] != 0 || a.Lambda.Grad[3] != 0 || a.Lambda.Grad[0] == 0 {
		t.Errorf("λ grad %v", a.Lambda.Grad)
	}
}

func TestScheduledPrune(t *testing.T) {
	for _, build := range []func() (Adapter, []float64){
		func() (Adapter, []float64) {
			u, _ := ortho.New(8, 5, ortho.Spec{Layers: 1})
			v, _ := ortho.New(8, 5, ortho.Spec{Layers: 1})
			a, err := NewQuantumPEFT(u, v, Options{Rank: RankOptions{ActiveRank: 2, PruneStep: 3}, Seed: 1})
			mustNoErr(t, err)
			return a, a.Lambda.Value
		},
		func() (Adapter, []float64) {
			a, err := NewAdaLoRA(8, 8, 5, 0, RankOptions{ActiveRank: 2, PruneStep: 3}, 0, 2)
			mustNoErr(t, err)
			return a, a.E.Value
		},
	} {
		a, scale := build()
		p := a.(Prunable)
		copy(scale, []float64{0.1, -3, 0.5, 2, -0.2})
		for step := 1; step <= 2; step++ {
			mustNoErr(t, p.OnStep(step))
			if len(p.ActiveRanks()) != 5 {
				t.Fatalf("%s: pruned before the scheduled step", a.Method())
			}
		}
		mustNoErr(t, p.OnStep(3))
		if got := p.ActiveRanks(); !slices.Equal(got, []int{1, 3}) {
			t.Errorf("%s: kept %v, want the two largest |scale| [1 3]", a.Method(), got)
		}
		if !slices.Equal(scale, []float64{0, -3, 0, 2, 0}) {
			t.Errorf("%s: scales after pruning %v", a.Method(), scale)
		}
		var f Factors
		mustNoErr(t, a.Factors(&f))
		for _, j := range []int{0, 2, 4} {
			if f.D[j] != 0 {
				t.Errorf("%s: D[%d] = %v after pruning", a.Method(), j, f.D[j])
			}
		}
		if err := p.Prune(3); err == nil {
			t.Errorf("%s: pruning up from 2 to 3 accepted", a.Method())
		}
	}
}

func TestRankOptionErrors(t *testing.T) {
	u, _ := ortho.New(8, 4, ortho.Spec{Layers: 1})
	v, _ := ortho.New(8, 4, ortho.Spec{Layers: 1})
	for _, o := range []RankOptions{{ActiveRank: 5}, {ActiveRank: -1}, {PruneStep: 2}, {ActiveRank: 4, PruneStep: 2}, {ActiveRank: 2, PruneStep: -1}} {
		if _, err := NewQuantumPEFT(u, v, Options{Rank: o}); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	v3, _ := ortho.New(8, 3, ortho.Spec{Layers: 1})
	if _, err := NewQuantumPEFT(u, v3, Options{}); err == nil {
		t.Error("U and V of different ranks accepted")
	}
}

func TestMemoryLimit(t *testing.T) {
	old := sim.MemoryLimit
	defer func() { sim.MemoryLimit = old }()
	sim.MemoryLimit = 1 << 20
	_, err := (Config{Method: MethodQuantumPEFT, Rank: 64, Layers: 1}).Build("big", 4096, 4096)
	if err == nil || !strings.Contains(err.Error(), "QPEFT_MEMORY_LIMIT") {
		t.Errorf("got %v", err)
	}
}
