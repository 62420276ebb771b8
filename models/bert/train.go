package bert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/qpeft/qpeft/data/text"
	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// Method is how a run fine-tunes the encoder (every method trains a new classification
// head as well).
type Method string

// The fine-tuning methods.
const (
	// Head trains only the classification head on frozen features.
	Head Method = "head"
	// LoRA trains LoRA adapters on the target modules.
	LoRA Method = "lora"
	// QPEFT trains Quantum-PEFT adapters on the target modules.
	QPEFT Method = "qpeft"
	// AdaLoRA trains AdaLoRA-style adapters on the target modules.
	AdaLoRA Method = "adalora"
	// Full trains every weight of the encoder.
	Full Method = "full"
)

// ParseMethod reads a method name ("quantum-peft" is accepted for qpeft).
func ParseMethod(s string) (Method, error) {
	switch m := Method(strings.ToLower(s)); m {
	case Head, LoRA, QPEFT, AdaLoRA, Full:
		return m, nil
	case "quantum-peft":
		return QPEFT, nil
	}
	return "", fmt.Errorf("bert: unknown method %q; want head, lora, qpeft, adalora or full", s)
}

// Adapter reports whether the method trains adapters.
func (m Method) Adapter() bool { return m == LoRA || m == QPEFT || m == AdaLoRA }

// DataSpamAssassin names the SpamAssassin corpus in RunConfig.Data.
const DataSpamAssassin = "spam-assassin"

// RunConfig describes one fine-tuning run of a BERT-family text classifier.
type RunConfig struct {
	// Model is the Hugging Face model directory (config.json, model.safetensors,
	// tokenizer.json); "hf:DIR" is accepted.
	Model string `json:"model"`
	// Data is "spam-assassin" (found by text.FindSpamAssassin) or "spam-assassin:DIR".
	Data string `json:"data"`
	// Method is the fine-tuning method.
	Method Method `json:"method"`
	// Targets selects the adapted modules like PEFT's target_modules: "query,value"
	// (default) or a regular expression over module paths.
	Targets string `json:"targets,omitempty"`
	// Rank is K (Quantum-PEFT) or r (LoRA, AdaLoRA); Layers is L of the Pauli ansatz; Alpha
	// scales ΔW by Alpha/Rank (0: Alpha = Rank); InitScale is Quantum-PEFT's angle
	// initialisation half-width (0: 0.02). ActiveRank, PruneStep and OrthWeight configure
	// AdaLoRA's rank mask and penalty.
	Rank       int     `json:"rank,omitempty"`
	Layers     int     `json:"layers,omitempty"`
	Alpha      float64 `json:"alpha,omitempty"`
	InitScale  float64 `json:"init_scale,omitempty"`
	ActiveRank int     `json:"active_rank,omitempty"`
	PruneStep  int     `json:"prune_step,omitempty"`
	OrthWeight float64 `json:"orth_weight,omitempty"`
	// Pooling is mean (default), cls or pooler.
	Pooling Pooling `json:"pooling"`
	// MaxLen truncates every text to this many tokens, special tokens included.
	MaxLen int `json:"max_len"`
	// Epochs, Batch (sequences per step), the learning rates (LR for the adapters or the
	// encoder, HeadLR for the head; 0: LR), AdamW's decoupled WeightDecay, the global
	// gradient-norm Clip (0: none) and the linear warm-up fraction before a cosine decay to
	// LR/100.
	Epochs      int     `json:"epochs"`
	Batch       int     `json:"batch"`
	LR          float64 `json:"lr"`
	HeadLR      float64 `json:"head_lr,omitempty"`
	WeightDecay float64 `json:"weight_decay,omitempty"`
	Clip        float64 `json:"clip,omitempty"`
	WarmupFrac  float64 `json:"warmup_frac"`
	// HeadEpochs is the number of epochs of the head method, which trains on cached frozen
	// features at negligible cost (0: Epochs).
	HeadEpochs int `json:"head_epochs,omitempty"`
	// ProbeEpochs, for the adapter methods and full, first trains the head alone on the
	// frozen features for this many epochs (at HeadLR, as the head method does), then
	// fine-tunes adapters and head from there: linear probing then fine-tuning (LP-FT,
	// Kumar et al. 2022). 0: the head starts at zero.
	ProbeEpochs int `json:"probe_epochs,omitempty"`
	// Seed seeds the adapters and the shuffling (the head starts at zero).
	Seed uint64 `json:"seed"`
	// TrainLimit and TestLimit use a stratified sample of that many texts of each split
	// (0: all). The sample is drawn with a fixed seed (0), the same for every run, so runs
	// with different seeds and methods see the same texts.
	TrainLimit int `json:"train_limit,omitempty"`
	TestLimit  int `json:"test_limit,omitempty"`
	// Validation trains on the training split minus a validation part and evaluates on that
	// part instead of the test split, for choosing hyperparameters without looking at the
	// test set: the validation texts are those whose identifier hashes into
	// [text.SpamTestFraction, 2·text.SpamTestFraction) of the range (text.InTest), a quarter
	// of the training split.
	Validation bool `json:"validation,omitempty"`
}

// DefaultRunConfig returns the settings runs start from: mean pooling, 128 tokens, 1 epoch
// of batch 16, AdamW, clip 1, 6 % warm-up; LoRA r = 8 (lr 1e-3), Quantum-PEFT L = 2, K = 8
// (lr 1e-2), AdaLoRA r = 8 (lr 1e-3), full (lr 3e-5); head lr 3e-3; targets query,value.
func DefaultRunConfig(model string, m Method) RunConfig {
	c := RunConfig{Model: model, Data: DataSpamAssassin, Method: m, Pooling: PoolMean, MaxLen: 128,
		Epochs: 1, Batch: 16, Clip: 1, WarmupFrac: 0.06, Seed: 1, HeadLR: 3e-3}
	switch m {
	case Head:
		c.LR, c.HeadLR = 3e-3, 0
	case LoRA:
		c.Rank, c.LR, c.Targets = 8, 1e-3, "query,value"
	case QPEFT:
		c.Rank, c.Layers, c.LR, c.Targets = 8, 2, 1e-2, "query,value"
	case AdaLoRA:
		c.Rank, c.LR, c.Targets, c.OrthWeight = 8, 1e-3, "query,value", 0.1
	case Full:
		c.LR = 3e-5
	}
	return c
}

// Label is a short description, e.g. "Quantum-PEFT L=2 K=8".
func (c RunConfig) Label() string {
	switch c.Method {
	case Head:
		return "head only"
	case LoRA, QPEFT, AdaLoRA:
		return c.peftConfig(0).Label()
	case Full:
		return "full fine-tuning"
	}
	return string(c.Method)
}

// ModelDir returns the model directory of c.Model (without an "hf:" prefix).
func (c RunConfig) ModelDir() string { return strings.TrimPrefix(c.Model, "hf:") }

// Validate checks the settings on their own.
func (c RunConfig) Validate() error {
	bad := func(format string, args ...any) error { return fmt.Errorf("bert: "+format, args...) }
	if _, err := ParseMethod(string(c.Method)); err != nil {
		return err
	}
	if c.ModelDir() == "" {
		return bad("no model directory (--model hf:DIR)")
	}
	if c.Data != DataSpamAssassin && !strings.HasPrefix(c.Data, DataSpamAssassin+":") {
		return bad("--data %q: want %s or %s:DIR", c.Data, DataSpamAssassin, DataSpamAssassin)
	}
	if _, err := ParsePooling(string(c.Pooling)); err != nil {
		return err
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case c.MaxLen < 3:
		return bad("--max-len %d must be ≥ 3", c.MaxLen)
	case c.Epochs < 1:
		return bad("--epochs %d must be ≥ 1", c.Epochs)
	case c.Batch < 1 || c.Batch > 4096:
		return bad("--batch %d must be in 1..4096", c.Batch)
	case !finite(c.LR) || c.LR <= 0 || !finite(c.HeadLR) || c.HeadLR < 0:
		return bad("learning rates must be finite and positive (--lr %v, --head-lr %v)", c.LR, c.HeadLR)
	case !finite(c.WeightDecay) || c.WeightDecay < 0 || !finite(c.Clip) || c.Clip < 0:
		return bad("--weight-decay %v and --clip %v must be ≥ 0", c.WeightDecay, c.Clip)
	case !finite(c.WarmupFrac) || c.WarmupFrac < 0 || c.WarmupFrac >= 1:
		return bad("--warmup %v must be in [0, 1) (the fraction of the steps spent warming up)", c.WarmupFrac)
	case c.TrainLimit < 0 || c.TestLimit < 0:
		return bad("--train-limit and --test-limit must be ≥ 0")
	}
	if c.Method.Adapter() {
		if _, err := ParseTargets(c.targets()); err != nil {
			return err
		}
		if err := c.peftConfig(100).Validate(); err != nil {
			return fmt.Errorf("bert: %w", err)
		}
	} else if c.Rank != 0 || c.Layers != 0 || c.Alpha != 0 || c.InitScale != 0 || c.Targets != "" || c.ActiveRank != 0 || c.PruneStep != 0 || c.OrthWeight != 0 {
		return bad("--rank, --layers, --alpha, --init-scale, --target, --active-rank, --prune-step and --orth-weight apply to qpeft, lora and adalora, not %s", c.Method)
	}
	if c.ProbeEpochs < 0 || (c.ProbeEpochs != 0 && c.Method == Head) {
		return bad("--probe-epochs %d applies to the adapter methods and full only", c.ProbeEpochs)
	}
	if c.HeadEpochs < 0 || (c.HeadEpochs != 0 && c.Method != Head) {
		return bad("--head-epochs %d applies to the head method only", c.HeadEpochs)
	}
	if c.Method == Head && c.HeadLR != 0 {
		return bad("--head-lr applies to methods that train more than the head; for head use --lr")
	}
	return nil
}

func (c RunConfig) targets() string {
	if c.Targets == "" {
		return "query,value"
	}
	return c.Targets
}

func (c RunConfig) peftConfig(totalSteps int) peft.Config {
	m := peft.MethodAdaLoRA
	switch c.Method {
	case LoRA:
		m = peft.MethodLoRA
	case QPEFT:
		m = peft.MethodQuantumPEFT
	}
	return peft.Config{Method: m, Rank: c.Rank, Alpha: c.Alpha, Layers: c.Layers, InitScale: c.InitScale,
		ActiveRank: c.ActiveRank, PruneStep: c.PruneStep, OrthWeight: c.OrthWeight, Seed: c.Seed}.ForRun(totalSteps)
}

func (c RunConfig) headLR() float64 {
	if c.HeadLR > 0 && c.Method != Head {
		return c.HeadLR
	}
	return c.LR
}

// Score is the evaluation of a classifier on a labelled set; the positive class of
// precision, recall and F1 is class 1 (spam).
type Score struct {
	Loss      float64 `json:"loss"`
	Accuracy  float64 `json:"accuracy"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	N         int     `json:"n"`
}

func (s Score) String() string {
	return fmt.Sprintf("loss %.4f, accuracy %.2f%%, F1 %.2f%% (precision %.2f%%, recall %.2f%%; %d texts)",
		s.Loss, 100*s.Accuracy, 100*s.F1, 100*s.Precision, 100*s.Recall, s.N)
}

// EpochInfo records one training epoch.
type EpochInfo struct {
	Epoch        int     `json:"epoch"`
	Steps        int     `json:"steps"`
	TrainLoss    float64 `json:"train_loss"`
	TrainAcc     float64 `json:"train_accuracy"`
	Seconds      float64 `json:"seconds"`
	TokensPerSec float64 `json:"tokens_per_second"`
}

// Result is what a run measured.
type Result struct {
	Format string    `json:"format"`
	Label  string    `json:"label"`
	Config RunConfig `json:"config"`
	Model  struct {
		Dir     string   `json:"dir"`
		SHA256  string   `json:"sha256"`
		DTypes  []string `json:"dtypes"`
		Params  int      `json:"params"`
		Hidden  int      `json:"hidden_size"`
		Layers  int      `json:"layers"`
		Ignored []string `json:"ignored_tensors,omitempty"`
	} `json:"model"`
	Data struct {
		Name    string   `json:"name"`
		Classes []string `json:"classes"`
		Train   int      `json:"train"`
		Test    int      `json:"test"`
		Digest  string   `json:"train_test_digest"`
	} `json:"data"`
	// Trainable counts: adapter parameters (or encoder weights for full), head parameters,
	// and LoRA r = 1 on the same modules for comparison.
	AdapterParams int         `json:"adapter_params"`
	HeadParams    int         `json:"head_params"`
	EncoderParams int         `json:"encoder_params,omitempty"`
	LoRAr1Params  int         `json:"lora_r1_params,omitempty"`
	Modules       []string    `json:"modules,omitempty"`
	Epochs        []EpochInfo `json:"epochs"`
	Test          Score       `json:"test"`
	// SecondsPerEpoch is the mean wall time of a training epoch (for head, over the cached
	// features, plus the one-off feature extraction in FeatureSeconds).
	SecondsPerEpoch float64 `json:"seconds_per_epoch"`
	FeatureSeconds  float64 `json:"feature_seconds,omitempty"`
	// Probe is the last epoch of the linear probe (ProbeEpochs) and ProbeSeconds its time,
	// features included.
	Probe        *EpochInfo `json:"probe,omitempty"`
	ProbeSeconds float64    `json:"probe_seconds,omitempty"`
	EvalSeconds  float64    `json:"eval_seconds"`
	TotalSeconds float64    `json:"total_seconds"`
	GOMAXPROCS   int        `json:"gomaxprocs"`
	SIMD         bool       `json:"simd"`

	// Classifier is the trained model (not serialised); Adapters the adapters (nil for head
	// and full).
	Classifier *Classifier[float32] `json:"-"`
	Adapters   *peft.Checkpoint     `json:"-"`
}

// ResultFormat marks result.json.
const ResultFormat = "qpeft-bert-run-v1"

// RunOptions are the knobs of [Run] outside the experiment's configuration. A sweep sets
// Model, Train, Test and the caches so that the model and data are read once.
type RunOptions struct {
	// Log receives progress lines; nil for none.
	Log io.Writer
	// Model, Train and Test replace loading cfg.Model and cfg.Data (Train and Test are used
	// as given, before TrainLimit/TestLimit sampling). Run never modifies Model's weights:
	// it builds its own encoder over them (over a copy for full fine-tuning).
	Model       *Model
	Train, Test *text.Dataset
	// Cache holds tokenised texts and frozen features shared between runs; nil for none.
	Cache *Cache
	// AfterBackward, when set, is called with the step number and the trainable parameters
	// (head, then adapters or encoder weights) after the gradients of a step are computed,
	// before they are checked and applied (tests inject non-finite values with it).
	AfterBackward func(step int, params []*nn.Param)
}

// Cache holds what runs over the same model, data and max length can share.
type Cache struct {
	seqs     map[string][][]int
	features map[string]*nn.Tensor[float32]
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{seqs: map[string][][]int{}, features: map[string]*nn.Tensor[float32]{}}
}

func (c *Cache) tokens(m *Model, d *text.Dataset, maxLen int) [][]int {
	key := fmt.Sprintf("%s|%d|%s", d.Name, maxLen, d.Digest())
	if c != nil {
		if s, ok := c.seqs[key]; ok {
			return s
		}
	}
	s := make([][]int, d.Len())
	nn.ParallelFor(d.Len(), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s[i] = m.Tokenizer.Encode(d.Texts[i], maxLen)
		}
	})
	if c != nil {
		c.seqs[key] = s
	}
	return s
}

// RunDatasets returns the texts a run with configuration c trains and is evaluated on, given
// the corpus's train/test split: with c.Validation the training split minus a validation
// part and that part instead of the test split; then each sampled as c.TrainLimit and
// c.TestLimit say. Run and `qpeft eval` both select their data with it.
func (c RunConfig) RunDatasets(train, test *text.Dataset) (tr, te *text.Dataset, err error) {
	if c.Validation {
		rest, val, err := train.Split(2 * text.SpamTestFraction)
		if err != nil {
			return nil, nil, err
		}
		train, test = rest, val
		train.Name, test.Name = train.Name+"-minus-validation", test.Name+"-validation"
	}
	return train.Sample(train.Name, c.TrainLimit, 0), test.Sample(test.Name, c.TestLimit, 0), nil
}

// LoadRunData loads the dataset a config names and returns its fixed train/test split.
func LoadRunData(spec string) (train, test *text.Dataset, err error) {
	dir, ok := strings.CutPrefix(spec, DataSpamAssassin+":")
	if spec == DataSpamAssassin {
		dir, ok = "", true
	}
	if !ok {
		return nil, nil, fmt.Errorf("bert: data %q: want %s or %s:DIR", spec, DataSpamAssassin, DataSpamAssassin)
	}
	if dir == "" {
		if dir, err = text.FindSpamAssassin(); err != nil {
			return nil, nil, err
		}
	}
	return text.SpamAssassinSplit(dir)
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// Run fine-tunes a classifier as cfg says, evaluates it on the test split and, when out is
// not empty, writes out/ atomically: result.json; for adapter methods adapter/ (the qpeft
// checkpoint, peft.Load reads it) and lora/ (the adapters as a Hugging Face PEFT LoRA
// directory, plus classifier.safetensors and classifier.json describing the head and
// pooling); head.safetensors (the trained head). The same cfg gives the same result.json
// metrics bit for bit on a given machine and thread count.
func Run(ctx context.Context, cfg RunConfig, out string, opts RunOptions) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// The output is checked before anything is loaded (internal/outdir): it may replace only
	// an earlier qpeft output, and must be writable with room for the run directory.
	notes, err := outdir.Check(out, "--out", outBytes)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		logf(opts.Log, "note: %s", n)
	}
	start := time.Now()
	m := opts.Model
	if m == nil {
		var err error
		if m, err = Load(cfg.ModelDir()); err != nil {
			return nil, err
		}
	}
	train, test := opts.Train, opts.Test
	if train == nil || test == nil {
		var err error
		if train, test, err = LoadRunData(cfg.Data); err != nil {
			return nil, err
		}
	}
	train, test, err = cfg.RunDatasets(train, test)
	if err != nil {
		return nil, err
	}
	if len(train.Classes) < 2 {
		return nil, fmt.Errorf("bert: dataset %s has %d classes", train.Name, len(train.Classes))
	}
	if cfg.Batch > train.Len() {
		return nil, fmt.Errorf("bert: --batch %d is larger than the %d training texts", cfg.Batch, train.Len())
	}
	ck := m.Checkpoint
	if cfg.Method == Full {
		ck = ck.Clone()
	}
	enc, err := NewEncoder[float32](ck)
	if err != nil {
		return nil, err
	}
	cls, err := NewClassifier(enc, cfg.Pooling, len(train.Classes))
	if err != nil {
		return nil, err
	}
	steps := train.Len() / cfg.Batch
	epochs := cfg.Epochs
	if cfg.Method == Head && cfg.HeadEpochs > 0 {
		epochs = cfg.HeadEpochs
	}
	total := steps * epochs
	res := &Result{Format: ResultFormat, Label: cfg.Label(), Config: cfg, Classifier: cls,
		GOMAXPROCS: runtime.GOMAXPROCS(0), SIMD: nn.SIMD()}
	res.Model.Dir, res.Model.SHA256, res.Model.DTypes = m.Dir, ck.SHA256, ck.DTypes
	res.Model.Params, res.Model.Hidden, res.Model.Layers = ck.Config.NumParams(ck.HasPooler), ck.Config.HiddenSize, ck.Config.NumHiddenLayers
	res.Model.Ignored = ck.Ignored
	res.Data.Name, res.Data.Classes, res.Data.Train, res.Data.Test = train.Name, train.Classes, train.Len(), test.Len()
	res.Data.Digest = digest2(train, test)
	_, res.HeadParams = nn.CountParams(cls.Head.Params())

	trainSeqs := opts.Cache.tokens(m, train, cfg.MaxLen)
	testSeqs := opts.Cache.tokens(m, test, cfg.MaxLen)
	if cfg.ProbeEpochs > 0 {
		t0 := time.Now()
		pc := cfg
		pc.HeadEpochs, pc.LR = cfg.ProbeEpochs, cfg.headLR()
		probeSteps := cfg.ProbeEpochs * steps
		sched := nn.WarmupCosine{WarmupSteps: int(math.Round(cfg.WarmupFrac * float64(probeSteps))), TotalSteps: probeSteps}
		probe := &Result{}
		if err := trainHead(ctx, pc, cls, train, trainSeqs, m, RunOptions{Cache: opts.Cache}, probe, nn.NewAdamW(cls.Head.Params(), pc.LR, cfg.WeightDecay), sched); err != nil {
			return nil, err
		}
		res.ProbeSeconds = time.Since(t0).Seconds()
		last := probe.Epochs[len(probe.Epochs)-1]
		res.Probe = &last
		logf(opts.Log, "linear probe: %d epochs, train loss %.4f, accuracy %.2f%%, %.1f s", cfg.ProbeEpochs, last.TrainLoss, 100*last.TrainAcc, res.ProbeSeconds)
	}

	var backbone []*nn.Param
	switch {
	case cfg.Method.Adapter():
		tm, _ := ParseTargets(cfg.targets())
		names, err := MatchTargets(enc, tm)
		if err != nil {
			return nil, err
		}
		ad, err := Inject(enc, cfg.peftConfig(total), names, cfg.ModelDir())
		if err != nil {
			return nil, err
		}
		res.Adapters, res.Modules = ad, names
		res.AdapterParams = ad.NumTrainable()
		for _, s := range ad.Shapes() {
			n, _ := peft.CountParams(peft.Config{Method: peft.MethodLoRA, Rank: 1}, s.Out, s.In)
			res.LoRAr1Params += n
		}
		backbone = ad.Params()
	case cfg.Method == Full:
		for _, p := range enc.Params() {
			MakeTrainable(p)
		}
		backbone = enc.Params()
		_, res.EncoderParams = nn.CountParams(backbone)
	}
	logf(opts.Log, "%s: %d adapter + %d head + %d encoder trainable parameters; %d train / %d test texts of %s, ≤ %d tokens; %d epoch(s) × %d steps of %d",
		cfg.Label(), res.AdapterParams, res.HeadParams, res.EncoderParams, train.Len(), test.Len(), train.Name, cfg.MaxLen, epochs, steps, cfg.Batch)

	sched := nn.WarmupCosine{WarmupSteps: int(math.Round(cfg.WarmupFrac * float64(total))), TotalSteps: total}
	headOpt := nn.NewAdamW(cls.Head.Params(), cfg.headLR(), cfg.WeightDecay)
	var bbOpt *nn.Adam
	if len(backbone) > 0 {
		bbOpt = nn.NewAdamW(backbone, cfg.LR, cfg.WeightDecay)
	}
	all := append(append([]*nn.Param(nil), cls.Head.Params()...), backbone...)
	bbName := "adapters"
	if cfg.Method == Full {
		bbName = "encoder weights"
	}

	if cfg.Method == Head {
		if err := trainHead(ctx, cfg, cls, train, trainSeqs, m, opts, res, headOpt, sched); err != nil {
			return nil, err
		}
	} else {
		rng := rand.New(rand.NewPCG(cfg.Seed, 0x73687566))
		step := 0
		for ep := 1; ep <= cfg.Epochs; ep++ {
			t0 := time.Now()
			perm := rng.Perm(train.Len())
			var lossSum, accSum float64
			tokens := 0
			for s := 0; s < steps; s++ {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				step++
				if res.Adapters != nil {
					for _, mod := range res.Adapters.Modules {
						if p, ok := mod.Adapter.(peft.Prunable); ok {
							if err := p.OnStep(step); err != nil {
								return nil, fmt.Errorf("bert: %s: %w", mod.Name, err)
							}
						}
					}
				}
				idx := perm[s*cfg.Batch : (s+1)*cfg.Batch]
				b, labels := batchOf(trainSeqs, train.Labels, idx)
				tokens += b.Tokens()
				nn.ZeroGrad(all)
				logits, err := cls.Forward(b)
				if err != nil {
					return nil, err
				}
				loss, dl := nn.SoftmaxCrossEntropy(logits, labels)
				acc := nn.Accuracy(logits, labels)
				cls.Backward(dl)
				if err := cls.Encoder.AdapterErr(); err != nil {
					return nil, diverged(err, step, out)
				}
				if res.Adapters != nil {
					for _, mod := range res.Adapters.Modules {
						if r, ok := mod.Adapter.(interface{ Regularize() float64 }); ok {
							loss += r.Regularize()
						}
					}
				}
				if opts.AfterBackward != nil {
					opts.AfterBackward(step, all)
				}
				// A non-finite loss or gradient stops the run before the optimiser step,
				// a non-finite parameter right after it; nothing is written either way.
				if err := nn.CheckLoss(loss); err != nil {
					return nil, diverged(err, step, out)
				}
				if err := nn.CheckGrads("head", cls.Head.Params()); err != nil {
					return nil, diverged(err, step, out)
				}
				if err := nn.CheckGrads(bbName, backbone); err != nil {
					return nil, diverged(err, step, out)
				}
				nn.ClipGradNorm(all, cfg.Clip)
				f := lrFactor(sched, step-1)
				headOpt.SetLR(cfg.headLR() * f)
				headOpt.Step()
				if bbOpt != nil {
					bbOpt.SetLR(cfg.LR * f)
					bbOpt.Step()
				}
				if err := nn.CheckValues("head", cls.Head.Params()); err != nil {
					return nil, diverged(err, step, out)
				}
				if err := nn.CheckValues(bbName, backbone); err != nil {
					return nil, diverged(err, step, out)
				}
				lossSum += loss
				accSum += acc
				if opts.Log != nil && (s+1)%max(1, steps/10) == 0 {
					logf(opts.Log, "  epoch %d step %d/%d: loss %.4f (mean %.4f), %.0f tokens/s", ep, s+1, steps, loss, lossSum/float64(s+1), float64(tokens)/time.Since(t0).Seconds())
				}
			}
			sec := time.Since(t0).Seconds()
			res.Epochs = append(res.Epochs, EpochInfo{Epoch: ep, Steps: steps, TrainLoss: lossSum / float64(steps),
				TrainAcc: accSum / float64(steps), Seconds: sec, TokensPerSec: float64(tokens) / sec})
			logf(opts.Log, "epoch %d: train loss %.4f, accuracy %.2f%%, %.1f s (%.0f tokens/s)", ep, lossSum/float64(steps), 100*accSum/float64(steps), sec, float64(tokens)/sec)
		}
	}
	for _, e := range res.Epochs {
		res.SecondsPerEpoch += e.Seconds / float64(len(res.Epochs))
	}
	t0 := time.Now()
	var score Score
	if cfg.Method == Head {
		feats, err := features(ctx, cls, m, test, testSeqs, cfg, opts.Cache)
		if err != nil {
			return nil, err
		}
		score = ScoreLogits(cls.Head.Forward(feats), test.Labels)
	} else {
		logits, err := Predict(ctx, cls, testSeqs, 32)
		if err != nil {
			return nil, err
		}
		score = ScoreLogits(logits, test.Labels)
	}
	res.Test = score
	res.EvalSeconds = time.Since(t0).Seconds()
	res.TotalSeconds = time.Since(start).Seconds()
	logf(opts.Log, "%s: test %s", cfg.Label(), score)
	if out != "" {
		if err := res.Save(out); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func digest2(a, b *text.Dataset) string {
	return (&text.Dataset{Classes: a.Classes, Texts: append(append([]string(nil), a.Texts...), b.Texts...),
		Labels: append(append([]int(nil), a.Labels...), b.Labels...), IDs: append(append([]string(nil), a.IDs...), b.IDs...)}).Digest()
}

func lrFactor(s nn.WarmupCosine, step int) float64 {
	s.Peak, s.Final = 1, 0.01
	if s.TotalSteps <= 0 {
		return 1
	}
	return s.LR(step)
}

func batchOf(seqs [][]int, labels []int, idx []int) (*Batch, []int) {
	sel := make([][]int, len(idx))
	lab := make([]int, len(idx))
	for i, j := range idx {
		sel[i], lab[i] = seqs[j], labels[j]
	}
	return NewBatch(sel), lab
}

// features returns the frozen pooled features of a dataset (cached per model and data).
func features(ctx context.Context, cls *Classifier[float32], m *Model, d *text.Dataset, seqs [][]int, cfg RunConfig, cache *Cache) (*nn.Tensor[float32], error) {
	key := fmt.Sprintf("%s|%s|%d|%s|%s", m.Checkpoint.SHA256, d.Name, cfg.MaxLen, cfg.Pooling, d.Digest())
	if cache != nil {
		if f, ok := cache.features[key]; ok {
			return f, nil
		}
	}
	h := cls.Encoder.Config.HiddenSize
	f := nn.New[float32](len(seqs), h)
	for lo := 0; lo < len(seqs); lo += 32 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(len(seqs), lo+32)
		b := NewBatch(seqs[lo:hi])
		x, err := cls.Features(b)
		if err != nil {
			return nil, err
		}
		copy(f.Data[lo*h:hi*h], x.Data)
	}
	if cache != nil {
		cache.features[key] = f
	}
	return f, nil
}

// trainHead trains the head alone on cached frozen features.
func trainHead(ctx context.Context, cfg RunConfig, cls *Classifier[float32], train *text.Dataset, seqs [][]int, m *Model, opts RunOptions, res *Result, opt *nn.Adam, sched nn.WarmupCosine) error {
	t0 := time.Now()
	feats, err := features(ctx, cls, m, train, seqs, cfg, opts.Cache)
	if err != nil {
		return err
	}
	res.FeatureSeconds = time.Since(t0).Seconds()
	h := feats.Shape[1]
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x73687566))
	steps := train.Len() / cfg.Batch
	epochs := cfg.Epochs
	if cfg.HeadEpochs > 0 {
		epochs = cfg.HeadEpochs
	}
	step := 0
	for ep := 1; ep <= epochs; ep++ {
		t1 := time.Now()
		perm := rng.Perm(train.Len())
		var lossSum, accSum float64
		for s := 0; s < steps; s++ {
			step++
			idx := perm[s*cfg.Batch : (s+1)*cfg.Batch]
			x := nn.New[float32](len(idx), h)
			labels := make([]int, len(idx))
			for i, j := range idx {
				copy(x.Data[i*h:(i+1)*h], feats.Data[j*h:(j+1)*h])
				labels[i] = train.Labels[j]
			}
			opt.SetLR(cfg.LR * lrFactor(sched, step-1))
			loss, acc, _, err := nn.TrainStepChecked[float32](cls.Head, opt, x, labels, cfg.Clip, "head")
			if err != nil {
				return diverged(err, step, "")
			}
			lossSum += loss
			accSum += acc
		}
		sec := time.Since(t1).Seconds()
		res.Epochs = append(res.Epochs, EpochInfo{Epoch: ep, Steps: steps, TrainLoss: lossSum / float64(steps), TrainAcc: accSum / float64(steps), Seconds: sec})
		logf(opts.Log, "epoch %d: train loss %.4f, accuracy %.2f%% (head on cached features)", ep, lossSum/float64(steps), 100*accSum/float64(steps))
	}
	return nil
}

// Predict returns the logits of a classifier for tokenised texts, in batches.
func Predict(ctx context.Context, cls *Classifier[float32], seqs [][]int, batch int) (*nn.Tensor[float32], error) {
	c := cls.Classes()
	out := nn.New[float32](len(seqs), c)
	for lo := 0; lo < len(seqs); lo += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(len(seqs), lo+batch)
		y, err := cls.Forward(NewBatch(seqs[lo:hi]))
		if err != nil {
			return nil, err
		}
		copy(out.Data[lo*c:hi*c], y.Data)
	}
	return out, nil
}

// ScoreLogits scores classifier logits (one row per text) against the labels: the mean
// softmax cross-entropy, the accuracy, and the positive class's (label 1: spam) precision,
// recall and F1 (0 where undefined). Runs and `qpeft eval` score with it.
func ScoreLogits(logits *nn.Tensor[float32], labels []int) Score {
	s := Score{N: len(labels)}
	if len(labels) == 0 {
		return s
	}
	s.Loss, _ = nn.SoftmaxCrossEntropy(logits, labels)
	var tp, fp, fn, correct int
	for i, p := range nn.Argmax(logits) {
		if p == labels[i] {
			correct++
		}
		switch {
		case p == 1 && labels[i] == 1:
			tp++
		case p == 1:
			fp++
		case labels[i] == 1:
			fn++
		}
	}
	s.Accuracy = float64(correct) / float64(len(labels))
	if tp+fp > 0 {
		s.Precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		s.Recall = float64(tp) / float64(tp+fn)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// Clone returns a deep copy of the checkpoint's weights (for full fine-tuning, which
// modifies them).
func (ck *Checkpoint) Clone() *Checkpoint {
	c := *ck
	c.Weights = make(map[string]*nn.Param, len(ck.Weights))
	for k, p := range ck.Weights {
		c.Weights[k] = &nn.Param{Name: p.Name, Shape: append([]int(nil), p.Shape...), Value: append([]float64(nil), p.Value...)}
	}
	return &c
}

// outBytes bounds the size of a run directory (result.json, the head, adapters and their
// LoRA export) for the free-space check of [Run].
const outBytes = 64 << 20

// Save writes the run's directory atomically (see [Run]), with the marker of a qpeft output.
// An existing out is replaced only when it is an earlier qpeft output holding nothing else
// (see package internal/outdir).
func (r *Result) Save(out string) error {
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := outdir.CheckReplace(out, "--out"); err != nil {
		return err
	}
	return outdir.Write(out, "--out", "qpeft train --model hf:", func(dir string) error {
		if err := os.WriteFile(filepath.Join(dir, "result.json"), append(js, '\n'), 0o644); err != nil {
			return err
		}
		if err := saveHead(filepath.Join(dir, "head.safetensors"), r.Classifier); err != nil {
			return err
		}
		if r.Adapters == nil {
			return nil
		}
		if err := r.Adapters.Save(filepath.Join(dir, "adapter")); err != nil {
			return err
		}
		return ExportLoRA(filepath.Join(dir, "lora"), r.Classifier, r.Adapters, r.Config.MaxLen)
	})
}

func saveHead(path string, c *Classifier[float32]) error {
	var ts []safetensors.Tensor
	for _, p := range c.Head.Params() {
		ts = append(ts, safetensors.FromFloat64AsFloat32(strings.TrimPrefix(p.Name, "classifier."), p.Shape, p.Value))
	}
	return safetensors.WriteFile(path, ts, map[string]string{"format": "pt", "pooling": string(c.Pooling)})
}

// ClassifierInfo is classifier.json in a LoRA export: how to turn the adapted encoder's
// hidden states into the logits.
type ClassifierInfo struct {
	// Pooling is mean, cls or pooler; Classes the number of logits; MaxLen the truncation
	// used in training; Weights the file holding "weight" (classes × H) and "bias".
	Pooling Pooling `json:"pooling"`
	Classes int     `json:"classes"`
	MaxLen  int     `json:"max_len"`
	Weights string  `json:"weights"`
}

// ExportLoRA writes the adapters as a Hugging Face PEFT LoRA directory for the encoder's
// checkpoint (module paths as in transformers' BertModel, e.g.
// encoder.layer.0.attention.self.query), plus the classification head
// (classifier.safetensors, F32) and classifier.json.
func ExportLoRA(dir string, c *Classifier[float32], ad *peft.Checkpoint, maxLen int) error {
	if err := peft.ExportLoRA(dir, ad.Modules, ad.BaseModel); err != nil {
		return err
	}
	if err := saveHead(filepath.Join(dir, "classifier.safetensors"), c); err != nil {
		return err
	}
	js, err := json.MarshalIndent(ClassifierInfo{Pooling: c.Pooling, Classes: c.Classes(), MaxLen: maxLen, Weights: "classifier.safetensors"}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "classifier.json"), append(js, '\n'), 0o644)
}

// diverged wraps a *nn.NonFiniteError with its step and what happened to the output.
func diverged(err error, step int, out string) error {
	var nf *nn.NonFiniteError
	if errors.As(err, &nf) {
		nf.Step = step
	}
	if out != "" {
		return fmt.Errorf("bert: %w; nothing was written to %s (an earlier run there is kept)", err, out)
	}
	return fmt.Errorf("bert: %w", err)
}
