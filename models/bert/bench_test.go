package bert

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// miniLMShape is all-MiniLM-L6-v2's shape (hidden 384, 6 layers, 12 heads, intermediate
// 1536) with a small vocabulary: the compute per token is the real model's.
var miniLMShape = Config{HiddenSize: 384, NumHiddenLayers: 6, NumAttentionHeads: 12, IntermediateSize: 1536, MaxPositionEmbeddings: 512}

// BenchmarkMiniLM measures tokens per second of the forward pass and of one training step
// (forward, loss, backward, AdamW) at sequence length 128, batch 8 (1024 tokens), for the
// frozen encoder with a head, LoRA r = 8 and Quantum-PEFT L = 2, K = 8 on query/value, and
// full fine-tuning, side by side:
//
//	go test -run '^$' -bench MiniLM -benchtime 3x ./models/bert/
func BenchmarkMiniLM(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "m")
	require.NoError(b, WriteTiny(dir, TinyOptions{Seed: 1, Config: miniLMShape, Scale: 0.05}))
	ck, err := LoadCheckpoint(dir)
	require.NoError(b, err)
	const seqs, seqLen = 8, 128
	rng := rand.New(rand.NewPCG(1, 2))
	lens := make([]int, seqs)
	for i := range lens {
		lens[i] = seqLen
	}
	batch := NewBatch(randomSeqs(rng, ck.Config.VocabSize, lens...))
	labels := make([]int, seqs)
	for i := range labels {
		labels[i] = i % 2
	}
	setups := []struct {
		name  string
		setup func(c *Classifier[float32]) []*nn.Param
	}{
		{"head", func(c *Classifier[float32]) []*nn.Param { return c.Head.Params() }},
		{"lora-r8", adapters(peft.Config{Method: peft.MethodLoRA, Rank: 8, Seed: 1})},
		{"qpeft-L2-K8", adapters(peft.Config{Method: peft.MethodQuantumPEFT, Rank: 8, Layers: 2, Seed: 1})},
		{"full", func(c *Classifier[float32]) []*nn.Param {
			for _, p := range c.Params() {
				MakeTrainable(p)
			}
			return c.Params()
		}},
	}
	for _, s := range setups {
		for _, mode := range []string{"forward", "train-step"} {
			if s.name == "full" && mode == "forward" {
				continue
			}
			b.Run(s.name+"/"+mode, func(b *testing.B) {
				enc, err := NewEncoder[float32](ck.Clone())
				require.NoError(b, err)
				c, err := NewClassifier(enc, PoolMean, 2)
				require.NoError(b, err)
				params := s.setup(c)
				opt := nn.NewAdamW(params, 1e-4, 0)
				for b.Loop() {
					if mode == "forward" {
						_, err := c.Forward(batch)
						require.NoError(b, err)
						continue
					}
					nn.ZeroGrad(params)
					y, err := c.Forward(batch)
					require.NoError(b, err)
					_, dy := nn.SoftmaxCrossEntropy(y, labels)
					c.Backward(dy)
					opt.Step()
				}
				b.ReportMetric(float64(seqs*seqLen)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}

func adapters(cfg peft.Config) func(c *Classifier[float32]) []*nn.Param {
	return func(c *Classifier[float32]) []*nn.Param {
		tm, _ := ParseTargets("query,value")
		names, err := MatchTargets(c.Encoder, tm)
		if err != nil {
			panic(err)
		}
		ad, err := Inject(c.Encoder, cfg, names, "bench")
		if err != nil {
			panic(err)
		}
		return append(ad.Params(), c.Head.Params()...)
	}
}
