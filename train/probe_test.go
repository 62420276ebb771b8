package train

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/nn"
)

// TestLinearProbe: LP-FT trains the new head alone first and leaves the adapters untouched:
// at the first fine-tuning step a run with a probe has exactly the adapters of the same run
// without one (same seed, same initialisation), while its head has learned (the run without
// a probe starts from a zero head). The probe takes its steps across epochs and is recorded.
func TestLinearProbe(t *testing.T) {
	for _, m := range []Method{QPEFT, LoRA} {
		t.Run(string(m), func(t *testing.T) {
			cfg := tiny(ModelMLP512, m) // 192 images, batch 32: 6 steps an epoch
			type snap struct{ adapters, head [][]float64 }
			atStep1 := func(cfg Config) (snap, *Result) {
				var sn snap
				copyOf := func(ps []*nn.Param) [][]float64 {
					var out [][]float64
					for _, p := range ps {
						out = append(out, append([]float64(nil), p.Value...))
					}
					return out
				}
				res, err := Run(context.Background(), cfg, "", Options{Data: loadSubset(t), AfterBackward: func(step int, s *Session) {
					if step == 1 {
						sn = snap{copyOf(s.Checkpoint.Params()), copyOf(s.HeadParams)}
					}
				}})
				require.NoError(t, err)
				return sn, res
			}
			plain, plainRes := atStep1(cfg)
			cfg.ProbeSteps = 10
			probed, res := atStep1(cfg)
			assert.Equal(t, plain.adapters, probed.adapters, "the probe changed the adapters")
			for _, w := range plain.head {
				for _, v := range w {
					require.Zero(t, v, "the head without a probe starts at zero")
				}
			}
			moved := 0
			for _, w := range probed.head {
				for _, v := range w {
					if v != 0 {
						moved++
					}
				}
			}
			assert.Positive(t, moved, "the probe did not train the head")
			require.NotNil(t, res.Metrics.Probe)
			assert.Equal(t, 10, res.Metrics.Probe.Steps)
			assert.Less(t, res.Metrics.Probe.TrainLoss, math.Log(10), "the probe did not learn")
			assert.Positive(t, res.Timing.ProbeSeconds)
			assert.Nil(t, plainRes.Metrics.Probe)
			assert.Equal(t, plainRes.Metrics.Steps, res.Metrics.Steps, "the probe's steps are not fine-tuning steps")
		})
	}
}

// TestLinearProbeErrors: a probe needs a new head to train first.
func TestLinearProbeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"head", func(c *Config) { *c = tiny(ModelMLP512, Head) }},
		{"zero-shot", func(c *Config) { *c = tiny(ModelMLP512, ZeroShot) }},
		{"adapted head", func(c *Config) { c.Head = HeadAdapt }},
		{"negative", func(c *Config) { c.ProbeSteps = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tiny(ModelMLP512, QPEFT)
			tc.edit(&c)
			if c.ProbeSteps == 0 {
				c.ProbeSteps = 5
			}
			assert.ErrorContains(t, c.Validate(), "--probe-steps")
		})
	}
	ok := tiny(ModelMLP512, Full)
	ok.ProbeSteps = 5
	assert.NoError(t, ok.Validate())
}
