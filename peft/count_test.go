package peft

import (
	"bytes"
	"strings"
	"testing"
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
			mustNoErr(t, err)
			if got != r.pauli[L-1] {
				t.Errorf("%s Pauli L=%d: %d, hand count %d", name, L, got, r.pauli[L-1])
			}
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
			mustNoErr(t, err)
			if got != c.want {
				t.Errorf("%s %s r=%d: %d, hand count %d", name, c.cfg.Method, c.cfg.Rank, got, c.want)
			}
		}
	}
}

func TestParamTable(t *testing.T) {
	shapes := []ModuleShape{{"q", 4096, 4096}, {"v", 1024, 4096}}
	tab, err := ParamTable(shapes, 32, DefaultSettings(8, []int{1, 8}, 0, 0))
	mustNoErr(t, err)
	byLabel := map[string]TableRow{}
	for _, r := range tab.Rows {
		byLabel[r.Label] = r
	}
	// Mistral-7B, 32 layers, q and v: Pauli L=1 = 32·(76 + 70) = 4672; LoRA r=1 = 32·13312.
	if r := byLabel["Quantum-PEFT Pauli L=1 K=8"]; r.Total != 4672 || r.RatioToLoRA1 != 4672.0/425984 {
		t.Errorf("Pauli L=1 row %+v", r)
	}
	if r := byLabel["LoRA r=1"]; r.Total != 425984 || r.RatioToLoRA1 != 1 {
		t.Errorf("LoRA r=1 row %+v", r)
	}
	if r := byLabel["full fine-tuning"]; r.Total != 32*(4096*4096+1024*4096) {
		t.Errorf("full row %+v", r)
	}
	var b bytes.Buffer
	mustNoErr(t, tab.Write(&b))
	if !strings.Contains(b.String(), "total (32 layers)") || !strings.Contains(b.String(), "4672") {
		t.Errorf("table text:\n%s", b.String())
	}
	if _, err := ParamTable(nil, 1, nil); err == nil {
		t.Error("no shapes accepted")
	}
	if _, err := ParamTable([]ModuleShape{{"x", 4, 4}}, 1, DefaultSettings(8, nil, 0, 0)); err == nil {
		t.Error("rank above the shape accepted")
	}
}
