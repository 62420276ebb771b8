// Command gen is the Go side of the BERT interop checks (interop/bert): it tokenises,
// embeds and runs models with package models/bert and writes JSON that the Python tests
// compare with Hugging Face tokenizers, transformers, sentence-transformers and peft.
//
//	gen tokenize -tokenizer FILE -in texts.json -out ids.json [-max-len N]
//	gen embed    -model DIR -in texts.json -out emb.json [-max-len N] [-pooling mean] [-normalize]
//	gen hidden   -model DIR -in ids.json -out hidden.json
//	gen tiny     -out DIR [-seed S] [-dtype F32|F16|BF16] [-type bert|roberta] [-act gelu] [-pooler] [-prefix P]
//	gen adapter  -model DIR -method qpeft|lora -out DIR -in texts.json [-rank K] [-layers L] [-seed S] [-max-len N]
//	gen convlora -method qpeft|lora -out DIR [-rank K] [-seed S]
package main

import (
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/interop/internal/subcmd"
	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/train"
)

func main() {
	subcmd.Main("gen", "usage: gen tokenize|embed|hidden|tiny|adapter|convlora [flags]", []subcmd.Command{
		{Name: "tokenize", Args: -1, Run: tokenize},
		{Name: "embed", Args: -1, Run: embed},
		{Name: "hidden", Args: -1, Run: hidden},
		{Name: "tiny", Args: -1, Run: tiny},
		{Name: "adapter", Args: -1, Run: adapter},
		{Name: "convlora", Args: -1, Run: convLoRA},
	})
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// adapterFlags are the flags with which the adapter and convlora commands choose their
// adapters: -method, -rank, -seed and, for adapter, -layers.
type adapterFlags struct {
	method       string
	rank, layers int
	seed         uint64
}

// bindAdapterFlags defines the adapter flags on fs; layers is the default of -layers, or 0
// for a command without it (its Quantum-PEFT adapters have one layer).
func bindAdapterFlags(fs *flag.FlagSet, layers int) *adapterFlags {
	a := &adapterFlags{layers: 1}
	fs.StringVar(&a.method, "method", "qpeft", "qpeft or lora")
	fs.IntVar(&a.rank, "rank", 4, "K or r")
	if layers > 0 {
		fs.IntVar(&a.layers, "layers", layers, "L (qpeft)")
	}
	fs.Uint64Var(&a.seed, "seed", 1, "seed")
	return a
}

// config returns the adapters' configuration: LoRA for -method lora, else Quantum-PEFT with
// its angles spread over ±1 (InitScale 1) so that the checks see far from identity factors.
func (a *adapterFlags) config() peft.Config {
	if a.method == "lora" {
		return peft.Config{Method: peft.MethodLoRA, Rank: a.rank, Seed: a.seed}
	}
	return peft.Config{Method: peft.MethodQuantumPEFT, Rank: a.rank, Layers: a.layers, Seed: a.seed, InitScale: 1}
}

func tokenize(args []string) error {
	fs := flag.NewFlagSet("tokenize", flag.ExitOnError)
	tp := fs.String("tokenizer", "", "tokenizer.json")
	in := fs.String("in", "", "JSON list of texts")
	out := fs.String("out", "", "JSON list of id lists")
	maxLen := fs.Int("max-len", 0, "truncate (0: no limit)")
	fs.Parse(args)
	tok, err := bert.LoadTokenizer(*tp)
	if err != nil {
		return err
	}
	var texts []string
	if err := readJSON(*in, &texts); err != nil {
		return err
	}
	ids := make([][]int, len(texts))
	for i, t := range texts {
		ids[i] = tok.Encode(t, *maxLen)
	}
	return writeJSON(*out, ids)
}

func embed(args []string) error {
	fs := flag.NewFlagSet("embed", flag.ExitOnError)
	dir := fs.String("model", "", "model directory")
	in := fs.String("in", "", "JSON list of texts")
	out := fs.String("out", "", "JSON list of embeddings")
	maxLen := fs.Int("max-len", 256, "tokens per text")
	pooling := fs.String("pooling", "mean", "mean, cls or pooler")
	normalize := fs.Bool("normalize", false, "L2-normalise")
	fs.Parse(args)
	m, err := bert.Load(*dir)
	if err != nil {
		return err
	}
	var texts []string
	if err := readJSON(*in, &texts); err != nil {
		return err
	}
	pool, err := bert.ParsePooling(*pooling)
	if err != nil {
		return err
	}
	var res [][]float32
	for lo := 0; lo < len(texts); lo += 16 {
		hi := min(len(texts), lo+16)
		e, err := bert.Embed(m.Encoder, pool, m.Batch(texts[lo:hi], *maxLen), *normalize)
		if err != nil {
			return err
		}
		h := e.Shape[1]
		for i := 0; i < hi-lo; i++ {
			res = append(res, e.Data[i*h:(i+1)*h])
		}
	}
	return writeJSON(*out, res)
}

func hidden(args []string) error {
	fs := flag.NewFlagSet("hidden", flag.ExitOnError)
	dir := fs.String("model", "", "model directory")
	in := fs.String("in", "", "JSON list of id lists")
	out := fs.String("out", "", "JSON: per sequence, per token, the last hidden state")
	fs.Parse(args)
	m, err := bert.Load(*dir)
	if err != nil {
		return err
	}
	var seqs [][]int
	if err := readJSON(*in, &seqs); err != nil {
		return err
	}
	y, err := m.Encoder.Forward(bert.NewBatch(seqs))
	if err != nil {
		return err
	}
	h := y.Shape[1]
	res := make([][][]float32, len(seqs))
	k := 0
	for i, s := range seqs {
		for range s {
			res[i] = append(res[i], y.Data[k*h:(k+1)*h])
			k++
		}
	}
	return writeJSON(*out, res)
}

func tiny(args []string) error {
	fs := flag.NewFlagSet("tiny", flag.ExitOnError)
	out := fs.String("out", "", "model directory to write")
	seed := fs.Uint64("seed", 1, "weights seed")
	dtype := fs.String("dtype", "F32", "F32, F16 or BF16")
	typ := fs.String("type", "bert", "bert or roberta")
	act := fs.String("act", "gelu", "hidden_act")
	pooler := fs.Bool("pooler", false, "add pooler weights")
	prefix := fs.String("prefix", "", "tensor name prefix, e.g. bert.")
	fs.Parse(args)
	dt, err := safetensors.ParseDType(*dtype)
	if err != nil {
		return err
	}
	o := bert.TinyOptions{Seed: *seed, DType: dt, Pooler: *pooler, Prefix: *prefix,
		Config: bert.Config{ModelType: *typ, HiddenAct: *act, HiddenSize: 24, NumAttentionHeads: 3, IntermediateSize: 40, NumHiddenLayers: 2}}
	if *typ == "roberta" {
		o.Config.PadTokenID, o.Config.TypeVocabSize = 1, 1
	}
	return bert.WriteTiny(*out, o)
}

// adapter builds adapters on query and value with seeded random, non-zero parameters and a
// random head, exports them as a PEFT LoRA directory with the head, and writes the logits
// of the texts (logits.json) and their token ids (ids.json) into the same directory.
func adapter(args []string) error {
	fs := flag.NewFlagSet("adapter", flag.ExitOnError)
	dir := fs.String("model", "", "model directory")
	af := bindAdapterFlags(fs, 2)
	out := fs.String("out", "", "export directory")
	in := fs.String("in", "", "JSON list of texts")
	maxLen := fs.Int("max-len", 128, "tokens per text")
	fs.Parse(args)
	m, err := bert.Load(*dir)
	if err != nil {
		return err
	}
	cfg := af.config()
	tm, err := bert.ParseTargets("query,value")
	if err != nil {
		return err
	}
	names, err := bert.MatchTargets(m.Encoder, tm)
	if err != nil {
		return err
	}
	ad, err := train.Inject(m.Encoder, cfg, names, m.Dir)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 2))
	for _, p := range ad.Params() {
		for i := range p.Value {
			if p.Value[i] == 0 { // λ and lora_B start at zero
				p.Value[i] = rng.NormFloat64() * 0.3
			}
		}
	}
	cls, err := bert.NewClassifier(m.Encoder, bert.PoolMean, 2)
	if err != nil {
		return err
	}
	for _, p := range cls.Head.Params() {
		for i := range p.Value {
			p.Value[i] = rng.NormFloat64()
		}
	}
	var texts []string
	if err := readJSON(*in, &texts); err != nil {
		return err
	}
	b := m.Batch(texts, *maxLen)
	logits, err := cls.Forward(b)
	if err != nil {
		return err
	}
	if err := train.ExportTextLoRA(*out, cls, ad, *maxLen); err != nil {
		return err
	}
	var ids [][]int
	for i := 0; i < b.Len(); i++ {
		ids = append(ids, b.IDs[b.Offsets[i]:b.Offsets[i+1]])
	}
	rows := make([][]float32, b.Len())
	for i := range rows {
		rows[i] = logits.Data[2*i : 2*i+2]
	}
	if err := writeJSON(filepath.Join(*out, "logits.json"), rows); err != nil {
		return err
	}
	return writeJSON(filepath.Join(*out, "ids.json"), ids)
}

// convLoRA exports random adapters on two convolutions, conv1 (1→8 channels, 5x5 kernel)
// and conv2 (8→16, 3x3), as a PEFT LoRA directory with the Conv2d shapes, and writes
// delta.json: each module's ΔW as our adapter computes it (out × C·KH·KW) with its kernel.
func convLoRA(args []string) error {
	fs := flag.NewFlagSet("convlora", flag.ExitOnError)
	af := bindAdapterFlags(fs, 0)
	out := fs.String("out", "", "export directory")
	fs.Parse(args)
	cfg := af.config()
	kernels := map[string][]int{"conv1": {1, 5, 5}, "conv2": {8, 3, 3}}
	ck, err := peft.NewCheckpoint(cfg, "interop/conv", []peft.ModuleShape{{Name: "conv1", Out: 8, In: 25}, {Name: "conv2", Out: 16, In: 72}})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 3))
	type delta struct {
		Kernel []int     `json:"kernel"`
		Out    int       `json:"out"`
		DeltaW []float64 `json:"delta_w"`
	}
	want := map[string]delta{}
	for i := range ck.Modules {
		m := &ck.Modules[i]
		m.Kernel = kernels[m.Name]
		for _, p := range m.Adapter.Params() {
			for j := range p.Value {
				p.Value[j] += rng.NormFloat64() * 0.3 // λ and lora_B start at zero
			}
		}
		d, err := peft.DeltaW(m.Adapter)
		if err != nil {
			return err
		}
		o, _ := m.Adapter.Dims()
		want[m.Name] = delta{Kernel: m.Kernel, Out: o, DeltaW: d}
	}
	if err := peft.ExportLoRA(*out, ck.Modules, "interop/conv"); err != nil {
		return err
	}
	return writeJSON(filepath.Join(*out, "delta.json"), want)
}
