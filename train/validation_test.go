package train

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidationSplit: --val-fraction carves the validation part out of the training
// samples only (every validation image is one of the first n training images, none is
// used twice, the classes keep their proportions), reproducibly by seed, and a run with it
// is scored on that part, not on the test split.
func TestValidationSplit(t *testing.T) {
	d := loadSubset(t)
	const n, frac = 600, 0.2
	v, desc, err := validationData(d, n, frac, 3)
	require.NoError(t, err)
	assert.Contains(t, desc, "not the test split")
	assert.Equal(t, n, v.Train.N+v.Test.N)
	px := d.Train.PixelsPerImage()
	image := func(b []byte, i int) []byte { return b[i*px : (i+1)*px] }
	// Every training and validation sample is a distinct one of the first n training samples.
	used := make([]bool, n)
	find := func(img []byte, label byte) {
		for j := 0; j < n; j++ {
			if !used[j] && d.Train.Labels[j] == label && bytes.Equal(image(d.Train.Images, j), img) {
				used[j] = true
				return
			}
		}
		require.FailNow(t, "a sample of the split is not one of the first training samples")
	}
	for i := 0; i < v.Test.N; i++ {
		find(image(v.Test.Images, i), v.Test.Labels[i])
	}
	for i := 0; i < v.Train.N; i++ {
		find(image(v.Train.Images, i), v.Train.Labels[i])
	}
	// Stratified: each class's validation share is round(count·frac).
	all, val := make([]int, d.Train.Classes), v.Test.ClassCounts()
	for _, l := range d.Train.Labels[:n] {
		all[l]++
	}
	for c := range all {
		assert.InDelta(t, float64(all[c])*frac, float64(val[c]), 0.5+1e-9, "class %d", c)
	}
	// Reproducible by seed; another seed gives another split.
	again, _, err := validationData(d, n, frac, 3)
	require.NoError(t, err)
	assert.True(t, again.Test.Equal(v.Test) && again.Train.Equal(v.Train), "same seed, different split")
	other, _, err := validationData(d, n, frac, 4)
	require.NoError(t, err)
	assert.False(t, other.Test.Equal(v.Test), "seeds 3 and 4 gave the same split")

	cfg := tiny(ModelMLP512, LoRA)
	cfg.TrainLimit, cfg.ValFraction, cfg.ValSeed = n, frac, 3
	res := run(t, cfg, "")
	assert.Equal(t, v.Test.N, res.Metrics.Final.N, "scored on the validation part")
	assert.Equal(t, v.Train.N, res.Metrics.Data.Train)
	assert.Contains(t, res.Metrics.Data.Eval, "validation")
	require.NotNil(t, res.Metrics.ZeroShot)
	assert.Equal(t, v.Test.N, res.Metrics.ZeroShot.N)
}

// TestTextValidationSplit: a text run's validation part comes from the training split only,
// disjoint from what it trains on, stratified and reproducible by seed.
func TestTextValidationSplit(t *testing.T) {
	train, test := toyCorpus(100, 1, "toy/train"), toyCorpus(40, 2, "toy/test")
	c := DefaultTextConfig("hf:/m", LoRA)
	c.ValFraction, c.ValSeed = 0.25, 5
	tr, va, err := c.RunDatasets(train, test)
	require.NoError(t, err)
	// 50 texts of each class, round(50·0.25) = 13 of each held out.
	assert.Equal(t, 26, va.Len())
	assert.Equal(t, 74, tr.Len())
	ids := append(append([]string(nil), tr.IDs...), va.IDs...)
	slices.Sort(ids)
	want := slices.Clone(train.IDs)
	slices.Sort(want)
	assert.Equal(t, want, ids, "train and validation partition the training split")
	for _, id := range va.IDs {
		assert.True(t, strings.HasPrefix(id, "toy/train/"), "validation text %s not from the training split", id)
	}
	counts := map[int]int{}
	for _, l := range va.Labels {
		counts[l]++
	}
	assert.Equal(t, map[int]int{0: 13, 1: 13}, counts)
	_, va2, err := c.RunDatasets(train, test)
	require.NoError(t, err)
	assert.Equal(t, va.IDs, va2.IDs, "same seed, different split")
	c.ValSeed = 6
	_, va3, err := c.RunDatasets(train, test)
	require.NoError(t, err)
	assert.NotEqual(t, va.IDs, va3.IDs, "seeds 5 and 6 gave the same split")
	c.Validation = true
	assert.ErrorContains(t, c.Validate(), "give one")
}

// TestLRSearch: a search needs a validation split, runs one run per value scored on it,
// records every trial (its validation accuracy is its run's) and the best, and reuses its
// runs when repeated.
func TestLRSearch(t *testing.T) {
	base := tiny(ModelMLP512, QPEFT)
	out := filepath.Join(t.TempDir(), "search")
	sc := LRSearchConfig{Group: "head", Values: []float64{1e-3, 3e-2}, Out: out}
	_, err := LRSearch(context.Background(), base, sc, nil)
	assert.ErrorContains(t, err, "never the test split")

	base.ValFraction = 0.25
	var log bytes.Buffer
	res, err := LRSearch(context.Background(), base, sc, &log)
	require.NoError(t, err)
	require.Len(t, res.Trials, 2)
	var rec LRSearchResult
	require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(out, LRSearchFile)), &rec))
	require.Len(t, rec.Trials, 2)
	best := rec.Trials[0]
	for i, tr := range rec.Trials {
		assert.Equal(t, sc.Values[i], tr.Value)
		met, err := ReadMetrics(tr.Dir)
		require.NoError(t, err)
		assert.Equal(t, met.Final.Accuracy, tr.ValAccuracy)
		assert.Equal(t, sc.Values[i], met.Config.HeadLR, "the searched rate reached the run")
		assert.Contains(t, met.Data.Eval, "validation")
		if tr.ValAccuracy > best.ValAccuracy {
			best = tr
		}
	}
	assert.Equal(t, best.Value, rec.Best.Value)
	assert.Contains(t, string(readFile(t, filepath.Join(out, "lr-search.md"))), "**best**")

	again, err := LRSearch(context.Background(), base, sc, &log)
	require.NoError(t, err)
	for _, tr := range again.Trials {
		assert.True(t, tr.Reused)
	}
	sc.Group = "momentum"
	_, err = LRSearch(context.Background(), base, sc, nil)
	assert.ErrorContains(t, err, "--lr-search-group")
}
