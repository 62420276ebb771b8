package peft

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHandCountedModels checks CountParams against counts worked out by hand in
// docs/adapters.md ("Parameter counts"), K = 8, Walsh cosine–sine stages.
func TestHandCountedModels(t *testing.T) {
	type row struct {
		out, in int
		pauli   [4]int // L = 1..4
		taylor  int
		lora1   int
		lora8   int
		ada8    int
	}
	for name, r := range map[string]row{
		// GPT-2 medium q and v: 1024 × 1024, P(10, L) = 28, 46, 64, 82.
		"gpt2-medium q/v": {1024, 1024, [4]int{64, 100, 136, 172}, 16320, 2048, 16384, 16392},
		// DeBERTa-v3-base q and v: 768 × 768 = (512 + 256): 2·P(9, L) + 9 + P(8, L) per factor.
		"deberta-v3-base q/v": {768, 768, [4]int{170, 262, 354, 446}, 12224, 1536, 12288, 12296},
		// Mistral-7B q: 4096 × 4096, P(12, L) = 34, 56, 78, 100.
		"mistral-7b q": {4096, 4096, [4]int{76, 120, 164, 208}, 65472, 8192, 65536, 65544},
		// Mistral-7B v: 1024 × 4096 (out × in): P(10, L) + P(12, L) + 8.
		"mistral-7b v": {1024, 4096, [4]int{70, 110, 150, 190}, 40896, 5120, 40960, 40968},
	} {
		for L := 1; L <= 4; L++ {
			got, err := CountParams(Config{Method: MethodQuantumPEFT, Rank: 8, Layers: L}, r.out, r.in)
			require.NoError(t, err)
			assert.Equal(t, r.pauli[L-1], got, "%s Pauli L=%d: count vs hand count", name, L)
		}
		for _, c := range []struct {
			cfg  Config
			want int
		}{
			{Config{Method: MethodQuantumPEFT, Rank: 8, Map: "taylor"}, r.taylor},
			{Config{Method: MethodLoRA, Rank: 1}, r.lora1},
			{Config{Method: MethodLoRA, Rank: 8}, r.lora8},
			{Config{Method: MethodAdaLoRA, Rank: 8}, r.ada8},
		} {
			got, err := CountParams(c.cfg, r.out, r.in)
			require.NoError(t, err)
			assert.Equal(t, c.want, got, "%s %s r=%d: count vs hand count", name, c.cfg.Method, c.cfg.Rank)
		}
	}
}

func TestParamTable(t *testing.T) {
	shapes := []ModuleShape{{"q", 4096, 4096}, {"v", 1024, 4096}}
	tab, err := ParamTable(shapes, 32, DefaultSettings(8, []int{1, 8}, 0, 0))
	require.NoError(t, err)
	byLabel := map[string]TableRow{}
	for _, r := range tab.Rows {
		byLabel[r.Label] = r
	}
	// Mistral-7B, 32 layers, q and v: Pauli L=1 = 32·(76 + 70) = 4672; LoRA r=1 = 32·13312.
	r := byLabel["Quantum-PEFT Pauli L=1 K=8"]
	assert.Equal(t, int64(4672), r.Total, "Pauli L=1 row %+v", r)
	assert.Equal(t, 4672.0/425984, r.RatioToLoRA1, "Pauli L=1 row %+v", r)
	r = byLabel["LoRA r=1"]
	assert.Equal(t, int64(425984), r.Total, "LoRA r=1 row %+v", r)
	assert.Equal(t, 1.0, r.RatioToLoRA1, "LoRA r=1 row %+v", r)
	r = byLabel["full fine-tuning"]
	assert.Equal(t, int64(32*(4096*4096+1024*4096)), r.Total, "full row %+v", r)
	var b bytes.Buffer
	require.NoError(t, tab.Write(&b))
	assert.Contains(t, b.String(), "total (32 layers)", "table text")
	assert.Contains(t, b.String(), "4672", "table text")
	_, err = ParamTable(nil, 1, nil)
	assert.Error(t, err, "no shapes accepted")
	_, err = ParamTable([]ModuleShape{{"x", 4, 4}}, 1, DefaultSettings(8, nil, 0, 0))
	assert.Error(t, err, "rank above the shape accepted")
}
