package train

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunHash: the run hash is a function of the code and the configuration: the same
// configuration hashes the same, any change of it changes the hash.
func TestRunHash(t *testing.T) {
	a, err := RunHash(tiny(ModelMLP512, QPEFT))
	require.NoError(t, err)
	b, err := RunHash(tiny(ModelMLP512, QPEFT))
	require.NoError(t, err)
	assert.Equal(t, a, b)
	code, how := CodeHash()
	assert.Len(t, code, 64, how)
	assert.Equal(t, code, a.Code)
	c := tiny(ModelMLP512, QPEFT)
	c.Angles = 0.1
	d, err := RunHash(c)
	require.NoError(t, err)
	assert.Equal(t, a.Code, d.Code)
	assert.NotEqual(t, a.Config, d.Config)
	assert.NotEqual(t, a.Hash, d.Hash)
}

// TestSweepEngineReuse: the engine reuses a run of the job's configuration made by this code,
// reruns one made by other code unless told to reuse stale runs (then marks it stale), runs a
// job with no earlier run, and stops at the first failure with the jobs done so far.
func TestSweepEngineReuse(t *testing.T) {
	var ran []string
	job := func(name string, kind reuseKind, fail bool) sweepJob[string] {
		return sweepJob[string]{label: name, dir: name,
			reuse: func(string) (string, reuseKind) { return "old " + name, kind },
			run: func(context.Context, string) (string, error) {
				ran = append(ran, name)
				if fail {
					return "", errors.New("boom")
				}
				return "new " + name, nil
			}}
	}
	jobs := []sweepJob[string]{job("fresh", reuseFresh, false), job("stale", reuseStale, false), job("none", reuseNone, false)}
	for _, allow := range []bool{false, true} {
		ran = nil
		done, err := runSweep(context.Background(), jobs, allow, nil)
		require.NoError(t, err)
		require.Len(t, done, 3)
		assert.Equal(t, "old fresh", done[0].result)
		assert.True(t, done[0].reused)
		assert.False(t, done[0].stale)
		if allow {
			assert.Equal(t, "old stale", done[1].result)
			assert.True(t, done[1].reused && done[1].stale)
			assert.Equal(t, []string{"none"}, ran)
		} else {
			assert.Equal(t, "new stale", done[1].result, "a stale run is not reused")
			assert.False(t, done[1].reused || done[1].stale)
			assert.Equal(t, []string{"stale", "none"}, ran)
		}
		assert.Equal(t, "new none", done[2].result)
	}
	done, err := runSweep(context.Background(), []sweepJob[string]{jobs[0], job("bad", reuseNone, true), jobs[2]}, false, nil)
	assert.ErrorContains(t, err, "bad: boom")
	assert.Len(t, done, 1)
}

// TestStaleRunNotReused: a run directory holding the job's configuration is fresh when its
// recorded run hash matches; a different hash (other code) or none (recorded before run
// hashing) makes it stale, and another configuration is no match at all.
func TestStaleRunNotReused(t *testing.T) {
	cfg := tiny(ModelMLP512, LoRA)
	dir := filepath.Join(t.TempDir(), "run")
	run(t, cfg, dir)
	_, _, kind := reusable(dir, cfg)
	assert.Equal(t, reuseFresh, kind)
	other := cfg
	other.Seed = 9
	_, _, kind = reusable(dir, other)
	assert.Equal(t, reuseNone, kind)

	path := filepath.Join(dir, MetricsFile)
	var m map[string]any
	require.NoError(t, json.Unmarshal(readFile(t, path), &m))
	ri := m["run"].(map[string]any)
	ri["hash"] = strings.Repeat("0", 64)
	write(t, path, mustJSON(t, m))
	_, _, kind = reusable(dir, cfg)
	assert.Equal(t, reuseStale, kind, "another code's run")
	delete(m, "run")
	write(t, path, mustJSON(t, m))
	_, _, kind = reusable(dir, cfg)
	assert.Equal(t, reuseStale, kind, "a run recorded before run hashing")
}

// TestTextSweepStale: a text sweep reruns a run whose recorded hash differs, and with
// ReuseStale reuses it and marks the table's row.
func TestTextSweepStale(t *testing.T) {
	m := toyModel(t)
	base := toyConfig(m, LoRA)
	base.Data = DataSpamAssassin + ":" + writeToyCorpus(t)
	base.Epochs = 1
	st, err := ParseSetting("lora1")
	require.NoError(t, err)
	sc := TextSweepConfig{Base: base, Out: filepath.Join(t.TempDir(), "runs"), Seeds: []uint64{1}, Settings: []Setting{st}}
	runs, err := TextSweep(context.Background(), sc, nil)
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.False(t, runs[0].Reused)
	require.NotNil(t, runs[0].Result.Run)

	path := filepath.Join(runs[0].Dir, TextResultFile)
	var r map[string]any
	require.NoError(t, json.Unmarshal(readFile(t, path), &r))
	r["run"].(map[string]any)["hash"] = "from-other-code"
	write(t, path, mustJSON(t, r))

	again, err := TextSweep(context.Background(), sc, nil)
	require.NoError(t, err)
	assert.False(t, again[0].Reused, "a stale run was reused")
	assert.Equal(t, runs[0].Result.Test, again[0].Result.Test, "the rerun gives the same score")

	write(t, path, mustJSON(t, r)) // stale again
	sc.ReuseStale = true
	stale, err := TextSweep(context.Background(), sc, nil)
	require.NoError(t, err)
	assert.True(t, stale[0].Reused)
	assert.True(t, stale[0].Stale)
	assert.Contains(t, TextSweepMarkdown(sc, stale, "", 0), "| 1/1 (1 stale) |")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	return b
}
