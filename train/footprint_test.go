package train

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/sim"
)

// TestFootprint: the estimate grows with the batch and the evaluation batch, counts the data
// and the trainable state, and Run refuses a run above the memory limit before training,
// naming the estimate and what to change. (TestPeakMemoryEstimates in cmd/qpeft checks the
// estimate against the measured peak of real runs.)
func TestFootprint(t *testing.T) {
	d, err := LoadData(DataFashionSubset)
	require.NoError(t, err)
	estimate := func(method Method, batch, testLimit int) *sim.Footprint {
		cfg := DefaultConfig(ModelMLP512, method)
		cfg.Data, cfg.Epochs, cfg.TrainLimit, cfg.TestLimit, cfg.Batch = DataFashionSubset, 1, 512, testLimit, batch
		fp, err := Footprint(cfg, d)
		require.NoError(t, err)
		return &fp
	}
	small, large := estimate(QPEFT, 16, 100), estimate(QPEFT, 256, 1000)
	assert.Greater(t, large.Bytes(), small.Bytes(), "a larger batch and evaluation batch need more")
	full := estimate(Full, 16, 100)
	assert.Greater(t, full.Bytes(), small.Bytes(), "full fine-tuning keeps gradients and moments of every weight")
	names := map[string]bool{}
	for _, p := range small.Parts {
		names[p.Name] = true
		assert.GreaterOrEqual(t, p.Bytes, 0.0, p.Name)
	}
	assert.True(t, names["data"], "parts: %v", small.Parts)

	old := sim.MemoryLimit
	defer func() { sim.MemoryLimit = old }()
	sim.MemoryLimit = int64(small.Bytes()) / 2
	cfg := DefaultConfig(ModelMLP512, QPEFT)
	cfg.Data, cfg.Epochs, cfg.TrainLimit, cfg.TestLimit, cfg.Batch = DataFashionSubset, 1, 512, 100, 16
	_, err = Run(context.Background(), cfg, "", Options{})
	var me *sim.MemoryError
	require.True(t, errors.As(err, &me), "want a *sim.MemoryError, got %v", err)
	assert.ErrorContains(t, err, "training mlp512")
	assert.ErrorContains(t, err, "--batch")
}
