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
	"github.com/qpeft/qpeft/peft"
)

// TestDiverged: a loss, gradient or parameter that turns non-finite stops the run at that
// step with a message naming the tensor, and the output directory keeps the last good run.
func TestDiverged(t *testing.T) {
	poisonGrad := func(step int, s *Session) {
		if step == 3 {
			s.Backbone[len(s.Backbone)-1].Grad[0] = math.NaN()
		}
	}
	for _, tc := range []struct {
		name   string
		method Method
		lr     float64
		opts   func(*Options)
		want   []string
	}{
		{"huge learning rate", QPEFT, 1e300, nil, []string{"the loss is NaN", "lower the learning rate"}},
		{"huge learning rate, full", Full, 1e300, nil, []string{"the loss is NaN"}},
		{"NaN gradient from a hook", LoRA, 0, func(o *Options) { o.AfterBackward = poisonGrad },
			[]string{"step 3:", "the gradient of", "(group adapter scales, element 0) is NaN"}},
		{"Inf parameter from a hook", QPEFT, 0, func(o *Options) {
			o.AfterBackward = func(step int, s *Session) {
				if step == 4 {
					s.Backbone[0].Value[0] = math.Inf(1)
				}
			}
		}, []string{"step 4:", "(group adapter angles, element 0) became", "after the optimiser step"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			run(t, tiny(ModelMLP512, LoRA), dir)
			before := readFile(t, filepath.Join(dir, MetricsFile))

			cfg := tiny(ModelMLP512, tc.method)
			if tc.lr != 0 {
				cfg.LR = tc.lr
			}
			opts := Options{Data: loadSubset(t)}
			if tc.opts != nil {
				tc.opts(&opts)
			}
			_, err := Run(context.Background(), cfg, dir, opts)
			var nf *nn.NonFiniteError
			require.ErrorAs(t, err, &nf)
			assert.Positive(t, nf.Step)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Contains(t, err.Error(), "nothing was written to "+dir+" (an earlier run there is kept)")
			assert.True(t, bytes.Equal(before, readFile(t, filepath.Join(dir, MetricsFile))), "metrics.json changed")
			_, err = peft.Load(filepath.Join(dir, AdapterDir))
			assert.NoError(t, err, "the previous adapter is intact")
			entries, _ := os.ReadDir(filepath.Dir(dir))
			assert.Len(t, entries, 1, "no temporary directory is left")
		})
	}
}
