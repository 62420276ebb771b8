package train

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// gradLearner is a Learner whose Backward writes fixed gradients into the parameters, so that
// a step's update can be worked out by hand.
type gradLearner struct {
	params []*nn.Param
}

func (l *gradLearner) Forward(idx []int) (*nn.Tensor[float32], []int, int, error) {
	return nn.New[float32](len(idx), 2), make([]int, len(idx)), 0, nil
}

func (l *gradLearner) Backward(*nn.Tensor[float32]) error {
	for i, p := range l.params {
		for j := range p.Grad {
			// Both signs, magnitudes from 0.01 to ~1, none zero.
			p.Grad[j] = float64((i+j)%7+1) / 7 * float64(1-2*((i+j)%2))
		}
	}
	return nil
}

// TestGroupLearningRates: every parameter group of the adapters (angles, scales, dense
// factors) and the head is stepped at its own learning rate. After one step of AdamW (β1 0.9,
// β2 0.999, ε 1e-8, no decay, no clipping) from zero moments, bias correction makes the update
// −lr·g/(|g| + ε); the test derives each parameter's rate by hand from the adapter's type
// (Quantum-PEFT θ_U, θ_V: angles, λ: scales; LoRA A: dense, B: scales; AdaLoRA A, B: dense,
// E: scales) and checks every element.
func TestGroupLearningRates(t *testing.T) {
	const lr, angles, scales, dense, head = 1e-3, 2e-2, 3e-3, 5e-4, 7e-2
	ck := &peft.Checkpoint{}
	for i, cfg := range []peft.Config{
		{Method: peft.MethodQuantumPEFT, Rank: 2, Layers: 1, Seed: 1},
		{Method: peft.MethodLoRA, Rank: 2, Seed: 2},
		{Method: peft.MethodAdaLoRA, Rank: 3, Seed: 3},
	} {
		c, err := peft.NewCheckpoint(cfg, "test", []peft.ModuleShape{{Name: string(rune('a' + i)), Out: 8, In: 6}})
		require.NoError(t, err)
		ck.Modules = append(ck.Modules, c.Modules...)
	}
	headW := nn.NewParam("head.weight", 2, 4)
	type want struct {
		p  *nn.Param
		lr float64
	}
	var wants []want
	for _, m := range ck.Modules {
		switch a := m.Adapter.(type) {
		case *peft.QuantumPEFT:
			wants = append(wants, want{a.ThetaU, angles}, want{a.ThetaV, angles}, want{a.Lambda, scales})
		case *peft.LoRA:
			wants = append(wants, want{a.A, dense}, want{a.B, scales})
		case *peft.AdaLoRA:
			wants = append(wants, want{a.A, dense}, want{a.B, dense}, want{a.E, scales})
		default:
			require.FailNow(t, "unexpected adapter type")
		}
	}
	wants = append(wants, want{headW, head})
	var all []*nn.Param
	before := map[*nn.Param][]float64{}
	for _, w := range wants {
		all = append(all, w.p)
		before[w.p] = append([]float64(nil), w.p.Value...)
	}
	constant := func(peak float64) func(int) float64 { return func(int) float64 { return peak } }
	groups := adapterGroups(ck, lr, GroupLRs{Angles: angles, Scales: scales, Dense: dense}, constant)
	require.Len(t, groups, 3)
	groups = append(groups, Group{Name: "head", Params: []*nn.Param{headW}, LR: constant(head)})
	l := &Loop{Learner: &gradLearner{params: all}, Groups: groups, Epochs: 1, Batches: func(int) [][]int { return [][]int{{0}} }}
	res, err := l.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, res.Steps)
	for _, w := range wants {
		for j, g := range w.p.Grad {
			step := -w.lr * g / (math.Abs(g) + 1e-8)
			assert.InDelta(t, before[w.p][j]+step, w.p.Value[j], 1e-15, "%s[%d] (lr %g)", w.p.Name, j, w.lr)
		}
	}

	// Unset rates fall back to the run's LR; groups without parameters are left out.
	lora := &peft.Checkpoint{Modules: ck.Modules[1:2]}
	gs := adapterGroups(lora, lr, GroupLRs{Angles: angles}, func(p float64) func(int) float64 { return constant(p) })
	require.Len(t, gs, 2)
	assert.Equal(t, []string{"adapter scales", "adapter dense factors"}, []string{gs[0].Name, gs[1].Name})
	assert.Equal(t, lr, gs[0].LR(0))
	assert.Equal(t, lr, gs[1].LR(0))
}

// TestGroupLearningRatesRecorded: the rates reach the run's recorded configuration, and a
// rate on a method without adapters is an error.
func TestGroupLearningRatesRecorded(t *testing.T) {
	cfg := tiny(ModelMLP512, QPEFT)
	cfg.GroupLRs = GroupLRs{Angles: 0.05, Scales: 0.01}
	dir := filepath.Join(t.TempDir(), "run")
	run(t, cfg, dir)
	met, err := ReadMetrics(dir)
	require.NoError(t, err)
	assert.Equal(t, cfg.GroupLRs, met.Config.GroupLRs)
	assert.Contains(t, string(readFile(t, filepath.Join(dir, MetricsFile))), `"lr_angles": 0.05`)

	h := tiny(ModelMLP512, Head)
	h.Dense = 1e-3
	assert.ErrorContains(t, h.Validate(), "--lr-dense applies to the adapter methods")
	q := tiny(ModelMLP512, QPEFT)
	q.Scales = -1
	assert.ErrorContains(t, q.Validate(), "--lr-scales -1 must be a finite learning rate")
	tc := DefaultTextConfig("hf:/m", Full)
	tc.Angles = 1e-2
	assert.ErrorContains(t, tc.Validate(), "--lr-angles applies to the adapter methods")
}
