package peft

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/qpeft/qpeft/lowering"
	"github.com/qpeft/qpeft/peft/ortho"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckpointPrograms: a saved directory carries the programs and factor trees, which
// evaluate to the adapter's U and V; a tampered program is refused on load.
func TestCheckpointPrograms(t *testing.T) {
	cfg := Config{Method: MethodQuantumPEFT, Rank: 4, Layers: 2, Seed: 5}
	ck, err := NewCheckpoint(cfg, "m", []ModuleShape{{"a", 24, 16}, {"b", 8, 12}})
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range ck.Params() {
		for i := range p.Value {
			p.Value[i] = r.Float64()*4 - 2
		}
	}
	dir := filepath.Join(t.TempDir(), "ck")
	require.NoError(t, ck.Save(dir))
	raw, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	require.NoError(t, err)
	var fc struct {
		Programs map[string]*lowering.ProgramDoc `json:"programs"`
		Modules  map[string]struct {
			FactorU *ortho.FactorDoc `json:"factor_U"`
			FactorV *ortho.FactorDoc `json:"factor_V"`
		} `json:"modules"`
		Circuits map[string]string `json:"circuits"`
	}
	require.NoError(t, json.Unmarshal(raw, &fc))
	assert.Equal(t, len(fc.Circuits), len(fc.Programs), "one program per stored circuit")
	for _, m := range ck.Modules {
		q := m.Adapter.(*QuantumPEFT)
		var f Factors
		require.NoError(t, q.Factors(&f))
		fm := fc.Modules[m.Name]
		for _, w := range []struct {
			doc   *ortho.FactorDoc
			theta []float64
			want  []float64 // K × dim (transposed factor)
		}{{fm.FactorU, q.ThetaU.Value, f.PT}, {fm.FactorV, q.ThetaV.Value, f.QT}} {
			require.NotNil(t, w.doc)
			got, err := w.doc.Columns(w.theta, 4, fc.Programs)
			require.NoError(t, err)
			n := w.doc.Dim
			for i := 0; i < n; i++ {
				for j := 0; j < 4; j++ {
					assert.InDelta(t, w.want[j*n+i], got[i*4+j], 1e-12)
				}
			}
		}
	}
	_, err = Load(dir)
	require.NoError(t, err)

	// A changed number in a program is refused.
	var anyCfg map[string]any
	require.NoError(t, json.Unmarshal(raw, &anyCfg))
	prog := anyCfg["programs"].(map[string]any)["pauli_q3_L2"].(map[string]any)
	gate := prog["stages"].([]any)[0].(map[string]any)["factors"].([]any)[0].([]any)[0].(map[string]any)
	gate["cos"].([]any)[0] = 0.5
	text, err := json.Marshal(anyCfg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFile), text, 0o644))
	_, err = Load(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "differs from the compiled")
}
