package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/train"
)

// TestTrainProtocolFlags: the per-group learning rates, the linear probe and the validation
// split reach an image run's recorded configuration, and the run is scored on the
// validation part; --lr-search records every tried value.
func TestTrainProtocolFlags(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "run")
	common := []string{"train", "--model", "mlp512", "--data", "fashion-subset", "--epochs", "1", "--train-limit", "256", "--batch", "32", "--val-fraction", "0.25"}
	code, stdout, stderr := runCLI(t, "", append(common, "--lr-angles", "0.05", "--lr-scales", "0.02", "--lr-head", "0.004", "--probe-steps", "3", "-o", out)...)
	require.Equal(t, 0, code, "%s\n%s", stdout, stderr)
	met, err := train.ReadMetrics(out)
	require.NoError(t, err)
	assert.Equal(t, train.GroupLRs{Angles: 0.05, Scales: 0.02}, met.Config.GroupLRs)
	assert.Equal(t, 0.004, met.Config.HeadLR)
	assert.Equal(t, 3, met.Config.ProbeSteps)
	require.NotNil(t, met.Probe)
	assert.Equal(t, 3, met.Probe.Steps)
	assert.Equal(t, 0.25, met.Config.ValFraction)
	// A quarter of each class of the 256 training images (rounded class by class), not the
	// test split.
	assert.Equal(t, 256, met.Data.Train+met.Data.Test)
	assert.Equal(t, met.Data.Test, met.Final.N)
	assert.InDelta(t, 64, met.Final.N, 5)
	assert.Contains(t, met.Data.Eval, "validation")
	require.NotNil(t, met.Run)
	assert.Len(t, met.Run.Hash, 64)

	code, stdout, stderr = runCLI(t, "", append(common, "--head-lr", "0.003", "--lr-head", "0.004")...)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "name the same rate")

	search := filepath.Join(dir, "search")
	code, stdout, stderr = runCLI(t, "", append(common, "--lr-search", "0.01,0.03", "--lr-search-group", "angles", "-o", search)...)
	require.Equal(t, 0, code, "%s\n%s", stdout, stderr)
	assert.Contains(t, stdout, "| 0.01 |")
	assert.Contains(t, stdout, "| 0.03 |")
	assert.Contains(t, stdout, "best angles:")
	assert.FileExists(t, filepath.Join(search, train.LRSearchFile))
}
