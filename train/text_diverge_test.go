package train

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/nn"
)

// TestDiverged: a non-finite loss, gradient or parameter stops a run at that step, naming the
// tensor and its group, and the output directory keeps the earlier run.
func TestTextDiverged(t *testing.T) {
	m := toyModel(t)
	train, test := toyCorpus(48, 1, "toy/train"), toyCorpus(16, 2, "toy/test")
	for _, tc := range []struct {
		name   string
		method Method
		lr     float64
		hook   func(step int, ps []*nn.Param)
		want   []string
	}{
		{"huge learning rate", LoRA, 1e300, nil, []string{"the loss is NaN", "lower the learning rate"}},
		{"NaN adapter gradient", QPEFT, 0, func(step int, ps []*nn.Param) {
			if step == 2 {
				ps[len(ps)-1].Grad[0] = math.NaN()
			}
		}, []string{"step 2:", "(group adapter scales, element 0) is NaN"}},
		{"NaN head gradient", LoRA, 0, func(step int, ps []*nn.Param) {
			if step == 3 {
				ps[0].Grad[1] = math.Inf(-1)
			}
		}, []string{"step 3:", "(group head, element 1) is -Inf"}},
		{"Inf encoder weight", Full, 0, func(step int, ps []*nn.Param) {
			if step == 2 {
				ps[len(ps)-1].Value[0] = math.Inf(1)
			}
		}, []string{"step 2:", "(group encoder weights, element 0) became", "after the optimiser step"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			good := toyConfig(m, LoRA)
			good.Epochs = 1
			_, err := RunText(context.Background(), good, out, TextOptions{Model: m, Train: train, Test: test})
			require.NoError(t, err)
			before, err := os.ReadFile(filepath.Join(out, TextResultFile))
			require.NoError(t, err)

			cfg := toyConfig(m, tc.method)
			cfg.Epochs = 1
			if tc.lr != 0 {
				cfg.LR, cfg.HeadLR = tc.lr, tc.lr
			}
			_, err = RunText(context.Background(), cfg, out, TextOptions{Model: m, Train: train, Test: test, AfterBackward: tc.hook})
			var nf *nn.NonFiniteError
			require.ErrorAs(t, err, &nf)
			assert.Positive(t, nf.Step)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Contains(t, err.Error(), "nothing was written to "+out)
			after, err := os.ReadFile(filepath.Join(out, TextResultFile))
			require.NoError(t, err)
			assert.True(t, bytes.Equal(before, after), "result.json changed")
		})
	}
}
