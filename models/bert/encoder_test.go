package bert

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// tiny writes a tiny checkpoint and loads it.
func tiny(t testing.TB, o TinyOptions) *Checkpoint {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "model")
	require.NoError(t, WriteTiny(dir, o))
	ck, err := LoadCheckpoint(dir)
	require.NoError(t, err)
	return ck
}

// refEncoder is an independent, deliberately naive float64 forward pass: it pads the batch
// to its longest sequence and masks the padding keys with a large negative score, like
// transformers' extended attention mask, computing every product with explicit loops.
func refEncoder(ck *Checkpoint, seqs [][]int) [][][]float64 {
	c := ck.Config
	w := func(n string) []float64 { return ck.Weights[n].Value }
	h, nh := c.HiddenSize, c.NumAttentionHeads
	d := h / nh
	maxL := 0
	for _, s := range seqs {
		maxL = max(maxL, len(s))
	}
	act, _ := parseActivation(c.HiddenAct)
	linear := func(x []float64, name string, out int) []float64 {
		wt, b := w(name+".weight"), w(name+".bias")
		in := len(x)
		y := make([]float64, out)
		for o := 0; o < out; o++ {
			s := b[o]
			for i := 0; i < in; i++ {
				s += wt[o*in+i] * x[i]
			}
			y[o] = s
		}
		return y
	}
	layerNorm := func(x []float64, name string) []float64 {
		var m, v float64
		for _, a := range x {
			m += a
		}
		m /= float64(len(x))
		for _, a := range x {
			v += (a - m) * (a - m)
		}
		v /= float64(len(x))
		g, b := w(name+".weight"), w(name+".bias")
		y := make([]float64, len(x))
		for i, a := range x {
			y[i] = (a-m)/math.Sqrt(v+c.LayerNormEps)*g[i] + b[i]
		}
		return y
	}
	out := make([][][]float64, len(seqs))
	for si, s := range seqs {
		// Padded sequence and mask.
		ids := make([]int, maxL)
		mask := make([]bool, maxL)
		for i := range ids {
			if i < len(s) {
				ids[i], mask[i] = s[i], true
			} else {
				ids[i] = c.PadTokenID
			}
		}
		x := make([][]float64, maxL)
		for t := range x {
			pos := t + c.PositionOffset()
			if c.isRoberta() && !mask[t] {
				pos = c.PadTokenID // transformers gives padding the padding position
			}
			row := make([]float64, h)
			for j := range row {
				row[j] = w("embeddings.word_embeddings.weight")[ids[t]*h+j] + w("embeddings.token_type_embeddings.weight")[j] +
					w("embeddings.position_embeddings.weight")[pos*h+j]
			}
			x[t] = layerNorm(row, "embeddings.LayerNorm")
		}
		for l := 0; l < c.NumHiddenLayers; l++ {
			p := fmt.Sprintf("encoder.layer.%d.", l)
			q, k, v := make([][]float64, maxL), make([][]float64, maxL), make([][]float64, maxL)
			for t := range x {
				q[t] = linear(x[t], p+"attention.self.query", h)
				k[t] = linear(x[t], p+"attention.self.key", h)
				v[t] = linear(x[t], p+"attention.self.value", h)
			}
			next := make([][]float64, maxL)
			for t := range x {
				ctx := make([]float64, h)
				for hd := 0; hd < nh; hd++ {
					scores := make([]float64, maxL)
					mx := math.Inf(-1)
					for u := range x {
						var sc float64
						for j := 0; j < d; j++ {
							sc += q[t][hd*d+j] * k[u][hd*d+j]
						}
						sc /= math.Sqrt(float64(d))
						if !mask[u] {
							sc += -1e30
						}
						scores[u] = sc
						mx = math.Max(mx, sc)
					}
					var z float64
					for u := range scores {
						scores[u] = math.Exp(scores[u] - mx)
						z += scores[u]
					}
					for u := range scores {
						for j := 0; j < d; j++ {
							ctx[hd*d+j] += scores[u] / z * v[u][hd*d+j]
						}
					}
				}
				a := linear(ctx, p+"attention.output.dense", h)
				for j := range a {
					a[j] += x[t][j]
				}
				a = layerNorm(a, p+"attention.output.LayerNorm")
				in := linear(a, p+"intermediate.dense", c.IntermediateSize)
				for j := range in {
					in[j] = act.apply(in[j])
				}
				o := linear(in, p+"output.dense", h)
				for j := range o {
					o[j] += a[j]
				}
				next[t] = layerNorm(o, p+"output.LayerNorm")
			}
			x = next
		}
		out[si] = x[:len(s)]
	}
	return out
}

func randomSeqs(rng *rand.Rand, vocab int, lens ...int) [][]int {
	seqs := make([][]int, len(lens))
	for i, l := range lens {
		for j := 0; j < l; j++ {
			seqs[i] = append(seqs[i], rng.IntN(vocab))
		}
	}
	return seqs
}

// TestForwardMatchesReference checks the packed forward pass (float64 and float32) against
// the padded, masked reference for several architectures and dtypes.
func TestForwardMatchesReference(t *testing.T) {
	cases := []struct {
		name string
		o    TinyOptions
		lens []int
	}{
		{"bert-gelu", TinyOptions{Seed: 1}, []int{5, 1, 9, 3}},
		{"bert-384-like-heads", TinyOptions{Seed: 2, Config: Config{HiddenSize: 12, NumAttentionHeads: 3, IntermediateSize: 20, NumHiddenLayers: 3}}, []int{7, 7, 2}},
		{"roberta", TinyOptions{Seed: 3, Config: Config{ModelType: "roberta", PadTokenID: 1, TypeVocabSize: 1}}, []int{4, 11}},
		{"gelu_new-f16", TinyOptions{Seed: 4, DType: safetensors.F16, Config: Config{HiddenAct: "gelu_new"}}, []int{6, 2}},
		{"relu-bf16-prefixed", TinyOptions{Seed: 5, DType: safetensors.BF16, Prefix: "bert.", Config: Config{HiddenAct: "relu"}}, []int{3, 8, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ck := tiny(t, tc.o)
			rng := rand.New(rand.NewPCG(9, 9))
			seqs := randomSeqs(rng, ck.Config.VocabSize, tc.lens...)
			want := refEncoder(ck, seqs)
			for _, prec := range []string{"float64", "float32"} {
				var got []float64
				var tol float64
				if prec == "float64" {
					e, err := NewEncoder[float64](ck)
					require.NoError(t, err)
					y, err := e.Forward(NewBatch(seqs))
					require.NoError(t, err)
					got, tol = y.Data, 1e-10
				} else {
					e, err := NewEncoder[float32](ck)
					require.NoError(t, err)
					y, err := e.Forward(NewBatch(seqs))
					require.NoError(t, err)
					got, tol = nn.Convert[float64](y).Data, 2e-5
				}
				h := ck.Config.HiddenSize
				k := 0
				for s := range seqs {
					for tk := range seqs[s] {
						for j := 0; j < h; j++ {
							require.InDelta(t, want[s][tk][j], got[k*h+j], tol, "%s: sequence %d token %d feature %d: got vs reference", prec, s, tk, j)
						}
						k++
					}
				}
			}
		})
	}
}

// gradCase is a trainable configuration of a tiny classifier.
type gradCase struct {
	name    string
	o       TinyOptions
	pooling Pooling
	setup   func(t *testing.T, c *Classifier[float64])
}

func adapterSetup(cfg peft.Config, targets string) func(t *testing.T, c *Classifier[float64]) {
	return func(t *testing.T, c *Classifier[float64]) {
		tm, err := ParseTargets(targets)
		require.NoError(t, err)
		names, err := MatchTargets(c.Encoder, tm)
		require.NoError(t, err)
		ck, err := Inject(c.Encoder, cfg, names, "tiny")
		require.NoError(t, err)
		// Move away from the zero initialisation so every gradient is non-trivial.
		rng := rand.New(rand.NewPCG(7, 7))
		for _, p := range ck.Params() {
			for i := range p.Value {
				if p.Value[i] == 0 {
					p.Value[i] = rng.NormFloat64() * 0.3
				}
			}
		}
	}
}

func TestGradients(t *testing.T) {
	cases := []gradCase{
		{"full-mean", TinyOptions{Seed: 11, Pooler: true}, PoolMean, func(t *testing.T, c *Classifier[float64]) {
			for _, p := range c.Encoder.Params() {
				MakeTrainable(p)
			}
		}},
		{"full-pooler-roberta", TinyOptions{Seed: 12, Pooler: true, Config: Config{ModelType: "roberta", PadTokenID: 1}}, PoolPooler, func(t *testing.T, c *Classifier[float64]) {
			for _, p := range c.Encoder.Params() {
				MakeTrainable(p)
			}
		}},
		{"lora-query-value", TinyOptions{Seed: 13}, PoolMean, adapterSetup(peft.Config{Method: peft.MethodLoRA, Rank: 2, Seed: 3}, "query,value")},
		{"qpeft-query-value-dim12", TinyOptions{Seed: 14, Config: Config{HiddenSize: 12, NumAttentionHeads: 2, IntermediateSize: 16}}, PoolCLS,
			adapterSetup(peft.Config{Method: peft.MethodQuantumPEFT, Rank: 2, Layers: 1, Seed: 4, InitScale: 1}, "query,value")},
		{"qpeft-regex-all-dense", TinyOptions{Seed: 15}, PoolMean,
			adapterSetup(peft.Config{Method: peft.MethodQuantumPEFT, Rank: 3, Layers: 2, Seed: 5, InitScale: 1}, `.*\.(key|dense)`)},
		{"head-only-gelu_new", TinyOptions{Seed: 16, Config: Config{HiddenAct: "gelu_new"}}, PoolMean, func(*testing.T, *Classifier[float64]) {}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ck := tiny(t, tc.o)
			enc, err := NewEncoder[float64](ck)
			require.NoError(t, err)
			c, err := NewClassifier(enc, tc.pooling, 3)
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(21, 22))
			for _, p := range c.Head.Params() {
				for i := range p.Value {
					p.Value[i] = rng.NormFloat64()
				}
			}
			tc.setup(t, c)
			b := NewBatch(randomSeqs(rng, ck.Config.VocabSize, 4, 7, 1))
			labels := []int{2, 0, 1}
			loss := func() float64 {
				y, err := c.Forward(b)
				require.NoError(t, err)
				l, _ := nn.SoftmaxCrossEntropy(y, labels)
				return l
			}
			params := c.Params()
			nn.ZeroGrad(trainableOnly(params))
			y, err := c.Forward(b)
			require.NoError(t, err)
			_, dy := nn.SoftmaxCrossEntropy(y, labels)
			c.Backward(dy)
			checked := 0
			for _, p := range params {
				if !p.Trainable {
					continue
				}
				samples := 4
				if testing.Short() {
					samples = 1 // the entry with the largest gradient
				}
				for k := 0; k < samples; k++ {
					i := rng.IntN(len(p.Value))
					if k == 0 {
						i = argmaxAbs(p.Grad)
					}
					old := p.Value[i]
					const h = 1e-5
					p.Value[i] = old + h
					lp := loss()
					p.Value[i] = old - h
					lm := loss()
					p.Value[i] = old
					num := (lp - lm) / (2 * h)
					assert.InDelta(t, num, p.Grad[i], 1e-6*math.Max(1, math.Abs(num)), "%s[%d]: analytic %.10g, finite difference %.10g", p.Name, i, p.Grad[i], num)
					checked++
				}
			}
			require.NotZero(t, checked, "no trainable parameter checked")
		})
	}
}

func trainableOnly(ps []*nn.Param) []*nn.Param {
	var out []*nn.Param
	for _, p := range ps {
		if p.Trainable {
			out = append(out, p)
		}
	}
	return out
}

func argmaxAbs(g []float64) int {
	best := 0
	for i, v := range g {
		if math.Abs(v) > math.Abs(g[best]) {
			best = i
		}
	}
	return best
}
