package train

// Text classification: fine-tuning a BERT-family encoder (models/bert) on a text data set
// (data/text) with the same training loop as the image models.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/data/text"
	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// DataSpamAssassin names the SpamAssassin corpus in TextConfig.Data.
const DataSpamAssassin = "spam-assassin"

// TextConfig describes one fine-tuning run of a BERT-family text classifier (zero-shot is
// not a text method: the encoder has no classification head).
type TextConfig struct {
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
	// AdapterSettings are the adapters' rank, ansatz and schedule (adapter methods only).
	AdapterSettings
	// Pooling is mean (default), cls or pooler.
	Pooling bert.Pooling `json:"pooling"`
	// MaxLen truncates every text to this many tokens, special tokens included.
	MaxLen int `json:"max_len"`
	// TrainSettings are the epochs, batch (sequences per step), learning rates and their
	// schedule.
	TrainSettings
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
	// GroupLRs are the adapters' per-group learning rates (0: LR).
	GroupLRs
	// ValFraction, when positive, evaluates on a validation part of that fraction carved out
	// of the training split (seeded by ValSeed, stratified by class: data.StratifiedSplit)
	// and trains on the rest; the test split is not used. (Validation is the older fixed
	// quarter; the two are exclusive.)
	ValFraction float64 `json:"val_fraction,omitempty"`
	ValSeed     uint64  `json:"val_seed,omitempty"`
}

// DefaultTextConfig returns the settings runs start from: mean pooling, 128 tokens, 1 epoch
// of batch 16, AdamW, clip 1, 6 % warm-up; LoRA r = 8 (lr 1e-3), Quantum-PEFT L = 2, K = 8
// (lr 1e-2), AdaLoRA r = 8 (lr 1e-3), full (lr 3e-5); head lr 3e-3; targets query,value.
func DefaultTextConfig(model string, m Method) TextConfig {
	c := TextConfig{Model: model, Data: DataSpamAssassin, Method: m, Pooling: bert.PoolMean, MaxLen: 128,
		TrainSettings: TrainSettings{Epochs: 1, Batch: 16, Clip: 1, WarmupFrac: 0.06, HeadLR: 3e-3}, Seed: 1}
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
func (c TextConfig) Label() string {
	switch c.Method {
	case Head:
		if c.HeadEpochs > 0 && c.HeadEpochs != c.Epochs {
			// Not the adapter runs' budget: the long linear probe.
			return fmt.Sprintf("linear probe (%d epochs)", c.HeadEpochs)
		}
		return "head only"
	case LoRA, QPEFT, AdaLoRA:
		return c.peftConfig(0).Label()
	case Full:
		return "full fine-tuning"
	}
	return string(c.Method)
}

// ModelDir returns the model directory of c.Model (without an "hf:" prefix).
func (c TextConfig) ModelDir() string { return strings.TrimPrefix(c.Model, "hf:") }

// Validate checks the settings on their own.
func (c TextConfig) Validate() error {
	bad := func(format string, args ...any) error { return fmt.Errorf("train: "+format, args...) }
	if _, err := ParseMethod(string(c.Method)); err != nil {
		return err
	}
	if c.Method == ZeroShot {
		return bad("--method zero-shot needs a pretrained classification head; a text encoder gets a new one, so use head, lora, qpeft, adalora or full")
	}
	if c.ModelDir() == "" {
		return bad("no model directory (--model hf:DIR)")
	}
	if c.Data != DataSpamAssassin && !strings.HasPrefix(c.Data, DataSpamAssassin+":") && !isTextFile(c.Data) {
		return bad("--data %q: want %s[:DIR], csv:FILE or jsonl:FILE", c.Data, DataSpamAssassin)
	}
	if _, err := bert.ParsePooling(string(c.Pooling)); err != nil {
		return err
	}
	if c.MaxLen < 3 {
		return bad("--max-len %d must be ≥ 3", c.MaxLen)
	}
	if err := c.TrainSettings.validate(4096); err != nil {
		return err
	}
	if c.TrainLimit < 0 || c.TestLimit < 0 {
		return bad("--train-limit and --test-limit must be ≥ 0")
	}
	if err := c.AdapterSettings.check(c.Method); err != nil {
		return err
	}
	if c.Method.Adapter() {
		if _, err := bert.ParseTargets(c.targets()); err != nil {
			return err
		}
		if err := c.peftConfig(100).Validate(); err != nil {
			return fmt.Errorf("train: %w", err)
		}
	} else if c.numericSet() || c.Targets != "" {
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
	if err := c.GroupLRs.validate(c.Method); err != nil {
		return bad("%v", err)
	}
	if !(c.ValFraction >= 0 && c.ValFraction < 1) {
		return bad("--val-fraction %v must be in [0, 1) (the share of the training texts held out for validation)", c.ValFraction)
	}
	if c.ValFraction > 0 && c.Validation {
		return bad("--val-fraction and --validation both choose a validation part; give one")
	}
	if c.ValSeed != 0 && c.ValFraction == 0 {
		return bad("--val-seed applies with --val-fraction")
	}
	return nil
}

func (c TextConfig) targets() string {
	if c.Targets == "" {
		return "query,value"
	}
	return c.Targets
}

func (c TextConfig) peftConfig(totalSteps int) peft.Config {
	return c.AdapterSettings.peftConfig(c.Method, c.Seed, totalSteps)
}

func (c TextConfig) headLR() float64 { return c.TrainSettings.headLR(c.Method) }

// TextScore is the evaluation of a text classifier on a labelled set; the positive class of
// precision, recall and F1 is class 1 (spam).
type TextScore struct {
	Loss      float64 `json:"loss"`
	Accuracy  float64 `json:"accuracy"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	N         int     `json:"n"`
}

func (s TextScore) String() string {
	return fmt.Sprintf("loss %.4f, accuracy %.2f%%, F1 %.2f%% (precision %.2f%%, recall %.2f%%; %d texts)",
		s.Loss, 100*s.Accuracy, 100*s.F1, 100*s.Precision, 100*s.Recall, s.N)
}

// TextEpoch records one training epoch of a text run.
type TextEpoch struct {
	Epoch        int     `json:"epoch"`
	Steps        int     `json:"steps"`
	TrainLoss    float64 `json:"train_loss"`
	TrainAcc     float64 `json:"train_accuracy"`
	Seconds      float64 `json:"seconds"`
	TokensPerSec float64 `json:"tokens_per_second"`
}

// TextResult is what a text run measured (result.json).
type TextResult struct {
	Format string     `json:"format"`
	Label  string     `json:"label"`
	Config TextConfig `json:"config"`
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
	Epochs        []TextEpoch `json:"epochs"`
	Test          TextScore   `json:"test"`
	// SecondsPerEpoch is the mean wall time of a training epoch (for head, over the cached
	// features, plus the one-off feature extraction in FeatureSeconds).
	SecondsPerEpoch float64 `json:"seconds_per_epoch"`
	FeatureSeconds  float64 `json:"feature_seconds,omitempty"`
	// Probe is the last epoch of the linear probe (ProbeEpochs) and ProbeSeconds its time,
	// features included.
	Probe        *TextEpoch `json:"probe,omitempty"`
	ProbeSeconds float64    `json:"probe_seconds,omitempty"`
	EvalSeconds  float64    `json:"eval_seconds"`
	TotalSeconds float64    `json:"total_seconds"`
	GOMAXPROCS   int        `json:"gomaxprocs"`
	SIMD         bool       `json:"simd"`
	// Run identifies the code and configuration of the run (absent in runs recorded before
	// run hashing).
	Run *RunInfo `json:"run,omitempty"`

	// Classifier is the trained model (not serialised); Adapters the adapters (nil for head
	// and full).
	Classifier *bert.Classifier[float32] `json:"-"`
	Adapters   *peft.Checkpoint          `json:"-"`
}

// TextResultFormat marks result.json.
const TextResultFormat = "qpeft-bert-run-v1"

// TextResultFile is the file of a text run directory that [RunText] writes its
// [TextResult] to.
const TextResultFile = "result.json"

// TextOptions are the knobs of [RunText] outside the experiment's configuration. A sweep
// sets Model, Train, Test and the cache so that the model and data are read once.
type TextOptions struct {
	// Progress receives progress reports; nil for none.
	Progress Progress
	// Model, Train and Test replace loading cfg.Model and cfg.Data (Train and Test are used
	// as given, before TrainLimit/TestLimit sampling). RunText never modifies Model's
	// weights: it builds its own encoder over them (over a copy for full fine-tuning).
	Model       *bert.Model
	Train, Test *text.Dataset
	// Validation is the data set's own validation part (a user's CSV or JSONL file), used
	// instead of the hash-carved quarter when cfg.Validation is set; nil for none.
	Validation *text.Dataset
	// Cache holds tokenised texts and frozen features shared between runs; nil for none.
	Cache *TextCache
	// AfterBackward, when set, is called with the step number and the trainable parameters
	// (head, then adapters or encoder weights) after the gradients of a step are computed,
	// before they are checked and applied (tests inject non-finite values with it).
	AfterBackward func(step int, params []*nn.Param)
}

// TextCache holds what text runs over the same model, data and max length can share.
type TextCache struct {
	seqs     map[string][][]int
	features map[string]*nn.Tensor[float32]
}

// NewTextCache returns an empty cache.
func NewTextCache() *TextCache {
	return &TextCache{seqs: map[string][][]int{}, features: map[string]*nn.Tensor[float32]{}}
}

func (c *TextCache) tokens(m *bert.Model, d *text.Dataset, maxLen int) [][]int {
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
// the corpus's train/test split: with c.Validation or c.ValFraction the training split minus
// a validation part and that part instead of the test split; then each sampled as c.TrainLimit and
// c.TestLimit say. RunText and `qpeft eval` both select their data with it.
func (c TextConfig) RunDatasets(train, test *text.Dataset) (tr, te *text.Dataset, err error) {
	return c.RunDatasetsWith(train, nil, test)
}

// RunDatasetsWith is [TextConfig.RunDatasets] for a data set that has its own validation
// part (val, not nil): with c.Validation the run trains on train and is evaluated on val.
func (c TextConfig) RunDatasetsWith(train, val, test *text.Dataset) (tr, te *text.Dataset, err error) {
	switch {
	case c.Validation && val != nil:
		test = val
	case c.Validation:
		rest, val, err := train.Split(2 * text.SpamTestFraction)
		if err != nil {
			return nil, nil, err
		}
		train, test = rest, val
		train.Name, test.Name = train.Name+"-minus-validation", test.Name+"-validation"
	}
	if c.ValFraction > 0 {
		tr, va, _, err := data.StratifiedSplit(train.Labels, len(train.Classes), c.ValFraction, 0, c.ValSeed, func(k int) string { return train.Classes[k] })
		if err != nil {
			return nil, nil, fmt.Errorf("train: --val-fraction %v of %s: %w", c.ValFraction, train.Name, err)
		}
		train, test = train.Subset(train.Name+"-minus-validation", tr), train.Subset(train.Name+"-validation", va)
	}
	return train.Sample(train.Name, c.TrainLimit, 0), test.Sample(test.Name, c.TestLimit, 0), nil
}

// Text file kinds accepted by [LoadTextData]: a user's labelled texts.
const (
	DataCSV   = "csv"   // csv:FILE, columns text and label (text.LoadCSV)
	DataJSONL = "jsonl" // jsonl:FILE, fields text and label (text.LoadJSONL)
)

// isTextFile reports whether spec names a user's text file (csv:FILE or jsonl:FILE).
func isTextFile(spec string) bool {
	kind, path, ok := strings.Cut(spec, ":")
	return ok && path != "" && (kind == DataCSV || kind == DataJSONL)
}

// LoadTextData loads the text data set a configuration names and returns its fixed
// train/test split (for a user's file, the validation part is held out: see
// [LoadTextSplits]).
func LoadTextData(spec string) (train, test *text.Dataset, err error) {
	train, _, test, err = LoadTextSplits(spec)
	return train, test, err
}

// LoadTextSplits loads the text data set a configuration names: spam-assassin[:DIR] (its
// fixed train/test split, no validation part), or a user's csv:FILE or jsonl:FILE (the
// file's split column, or a stratified 80/10/10 train/validation/test split seeded with
// [SplitSeed]).
func LoadTextSplits(spec string) (train, val, test *text.Dataset, err error) {
	if kind, path, ok := strings.Cut(spec, ":"); ok && (kind == DataCSV || kind == DataJSONL) {
		if path == "" {
			return nil, nil, nil, fmt.Errorf("train: data %q: no file after ':'", spec)
		}
		load := text.LoadCSV
		if kind == DataJSONL {
			load = text.LoadJSONL
		}
		s, err := load(path, SplitSeed)
		if err != nil {
			return nil, nil, nil, err
		}
		return s.Train, s.Validation, s.Test, nil
	}
	dir, ok := strings.CutPrefix(spec, DataSpamAssassin+":")
	if spec == DataSpamAssassin {
		dir, ok = "", true
	}
	if !ok {
		return nil, nil, nil, fmt.Errorf("train: data %q: want %s[:DIR], csv:FILE or jsonl:FILE", spec, DataSpamAssassin)
	}
	if dir == "" {
		if dir, err = text.FindSpamAssassin(); err != nil {
			return nil, nil, nil, err
		}
	}
	train, test, err = text.SpamAssassinSplit(dir)
	return train, nil, test, err
}

// RunText fine-tunes a text classifier as cfg says, evaluates it on the test split and, when
// out is not empty, writes out/ atomically: result.json; for adapter methods adapter/ (the
// qpeft checkpoint, peft.Load reads it) and lora/ (the adapters as a Hugging Face PEFT LoRA
// directory, plus classifier.safetensors and classifier.json describing the head and
// pooling); head.safetensors (the trained head). It trains with the [Loop] of every model.
// The same cfg gives the same result.json metrics bit for bit on a given machine and thread
// count.
func RunText(ctx context.Context, cfg TextConfig, out string, opts TextOptions) (*TextResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	prog := progressOrNop(opts.Progress)
	// The output is checked before anything is loaded.
	if err := checkOut(out, textOutBytes, prog); err != nil {
		return nil, err
	}
	start := time.Now()
	m := opts.Model
	if m == nil {
		var err error
		if m, err = bert.Load(cfg.ModelDir()); err != nil {
			return nil, err
		}
	}
	train, val, test := opts.Train, opts.Validation, opts.Test
	if train == nil || test == nil {
		var err error
		if train, val, test, err = LoadTextSplits(cfg.Data); err != nil {
			return nil, err
		}
	}
	train, test, err := cfg.RunDatasetsWith(train, val, test)
	if err != nil {
		return nil, err
	}
	if len(train.Classes) < 2 {
		return nil, fmt.Errorf("train: dataset %s has %d classes", train.Name, len(train.Classes))
	}
	if cfg.Batch > train.Len() {
		return nil, fmt.Errorf("train: --batch %d is larger than the %d training texts", cfg.Batch, train.Len())
	}
	ck := m.Checkpoint
	if cfg.Method == Full {
		ck = ck.Clone()
	}
	enc, err := bert.NewEncoder[float32](ck)
	if err != nil {
		return nil, err
	}
	cls, err := bert.NewClassifier(enc, cfg.Pooling, len(train.Classes))
	if err != nil {
		return nil, err
	}
	steps := train.Len() / cfg.Batch
	epochs := cfg.Epochs
	if cfg.Method == Head && cfg.HeadEpochs > 0 {
		epochs = cfg.HeadEpochs
	}
	total := steps * epochs
	res := &TextResult{Format: TextResultFormat, Label: cfg.Label(), Config: cfg, Classifier: cls,
		GOMAXPROCS: runtime.GOMAXPROCS(0), SIMD: nn.SIMD()}
	res.Model.Dir, res.Model.SHA256, res.Model.DTypes = m.Dir, ck.SHA256, ck.DTypes
	res.Model.Params, res.Model.Hidden, res.Model.Layers = ck.Config.NumParams(ck.HasPooler), ck.Config.HiddenSize, ck.Config.NumHiddenLayers
	res.Model.Ignored = ck.Ignored
	res.Data.Name, res.Data.Classes, res.Data.Train, res.Data.Test = train.Name, train.Classes, train.Len(), test.Len()
	res.Data.Digest = digest2(train, test)
	_, res.HeadParams = nn.CountParams(cls.Head.Params())
	if res.Run, err = RunHash(cfg); err != nil {
		return nil, err
	}

	trainSeqs := opts.Cache.tokens(m, train, cfg.MaxLen)
	testSeqs := opts.Cache.tokens(m, test, cfg.MaxLen)
	// headLoop trains the head alone on cached frozen features for the given epochs.
	headLoop := func(epochs int, lr float64, out string) (*LoopResult, float64, error) {
		t0 := time.Now()
		feats, err := textFeatures(ctx, cls, m, train, trainSeqs, cfg, opts.Cache)
		if err != nil {
			return nil, 0, err
		}
		featSecs := time.Since(t0).Seconds()
		n := steps * epochs
		l := &Loop{Learner: &featureLearner{head: cls.Head, feats: feats, labels: train.Labels},
			Groups:      []Group{{"head", cls.Head.Params(), unitScheduleLR(lr, cfg.WarmupSteps(n), n)}},
			WeightDecay: cfg.WeightDecay, Clip: cfg.Clip, Epochs: epochs, Batches: textBatches(cfg.Seed, train.Len(), cfg.Batch),
			Progress: prog, Out: out}
		lr2, err := l.Run(ctx)
		return lr2, featSecs, err
	}
	if cfg.ProbeEpochs > 0 {
		t0 := time.Now()
		pr, _, err := headLoop(cfg.ProbeEpochs, cfg.headLR(), out)
		if err != nil {
			return nil, err
		}
		res.ProbeSeconds = time.Since(t0).Seconds()
		last := textEpochs(pr)[len(pr.Epochs)-1]
		res.Probe = &last
		prog.Logf("linear probe: %d epochs, train loss %.4f, accuracy %.2f%%, %.1f s", cfg.ProbeEpochs, last.TrainLoss, 100*last.TrainAcc, res.ProbeSeconds)
	}

	var backbone []*nn.Param
	switch {
	case cfg.Method.Adapter():
		names, err := textTargets(enc, cfg.targets())
		if err != nil {
			return nil, err
		}
		pc := cfg.peftConfig(total)
		if err := checkPatternMatches(pc.RankPattern, names); err != nil {
			return nil, err
		}
		ad, err := Inject(enc, pc, names, cfg.ModelDir())
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
			bert.MakeTrainable(p)
		}
		backbone = enc.Params()
		_, res.EncoderParams = nn.CountParams(backbone)
	}
	prog.Logf("%s: %d adapter + %d head + %d encoder trainable parameters; %d train / %d test texts of %s, ≤ %d tokens; %d epoch(s) × %d steps of %d",
		cfg.Label(), res.AdapterParams, res.HeadParams, res.EncoderParams, train.Len(), test.Len(), train.Name, cfg.MaxLen, epochs, steps, cfg.Batch)

	var lr *LoopResult
	if cfg.Method == Head {
		if lr, res.FeatureSeconds, err = headLoop(epochs, cfg.LR, out); err != nil {
			return nil, err
		}
	} else {
		warm := cfg.WarmupSteps(total)
		sched := func(peak float64) func(int) float64 { return unitScheduleLR(peak, warm, total) }
		groups := []Group{{"head", cls.Head.Params(), sched(cfg.headLR())}}
		if res.Adapters != nil {
			groups = append(groups, adapterGroups(res.Adapters, cfg.LR, cfg.GroupLRs, sched)...)
		} else {
			groups = append(groups, Group{"encoder weights", backbone, sched(cfg.LR)})
		}
		all := append(append([]*nn.Param(nil), cls.Head.Params()...), backbone...)
		l := &Loop{Learner: &textLearner{cls: cls, seqs: trainSeqs, labels: train.Labels}, Groups: groups, Params: all,
			WeightDecay: cfg.WeightDecay, Clip: cfg.Clip, Epochs: cfg.Epochs, Batches: textBatches(cfg.Seed, train.Len(), cfg.Batch),
			Adapters: res.Adapters, Progress: prog, Out: out}
		if opts.AfterBackward != nil {
			l.AfterBackward = func(step int) { opts.AfterBackward(step, all) }
		}
		if lr, err = l.Run(ctx); err != nil {
			return nil, err
		}
	}
	res.Epochs = textEpochs(lr)
	for _, e := range res.Epochs {
		res.SecondsPerEpoch += e.Seconds / float64(len(res.Epochs))
	}
	t0 := time.Now()
	var logits *nn.Tensor[float32]
	if cfg.Method == Head {
		feats, err := textFeatures(ctx, cls, m, test, testSeqs, cfg, opts.Cache)
		if err != nil {
			return nil, err
		}
		logits = cls.Head.Forward(feats)
	} else if logits, err = bert.Predict(ctx, cls, testSeqs, 32); err != nil {
		return nil, err
	}
	res.Test = ScoreLogits(logits, test.Labels)
	res.EvalSeconds = time.Since(t0).Seconds()
	res.TotalSeconds = time.Since(start).Seconds()
	prog.Logf("%s: test %s", cfg.Label(), res.Test)
	if out != "" {
		if err := res.Save(out); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// textEpochs converts the loop's epochs to result.json's.
func textEpochs(lr *LoopResult) []TextEpoch {
	var out []TextEpoch
	for _, e := range lr.Epochs {
		te := TextEpoch{Epoch: e.Epoch, Steps: e.Steps, TrainLoss: e.Loss, TrainAcc: e.Accuracy, Seconds: e.Seconds}
		if e.Tokens > 0 {
			te.TokensPerSec = float64(e.Tokens) / e.Seconds
		}
		out = append(out, te)
	}
	return out
}

func digest2(a, b *text.Dataset) string {
	return (&text.Dataset{Classes: a.Classes, Texts: append(append([]string(nil), a.Texts...), b.Texts...),
		Labels: append(append([]int(nil), a.Labels...), b.Labels...), IDs: append(append([]string(nil), a.IDs...), b.IDs...)}).Digest()
}

// unitScheduleLR is the schedule of text runs: peak times a warm-up and cosine decay from 1
// to 1/100 (the same curve as [WarmupCosineLR], computed as a factor of peak so that text
// runs keep their recorded results bit for bit).
func unitScheduleLR(peak float64, warm, total int) func(int) float64 {
	s := nn.WarmupCosine{Peak: 1, Final: 0.01, WarmupSteps: warm, TotalSteps: total}
	return func(step int) float64 {
		if s.TotalSteps <= 0 {
			return peak
		}
		return peak * s.LR(step)
	}
}

// textBatches returns the mini-batches of text runs: a permutation of the n training texts
// per epoch from one seeded stream, cut into n/batch full batches.
func textBatches(seed uint64, n, batch int) func(int) [][]int {
	rng := rand.New(rand.NewPCG(seed, 0x73687566))
	return func(int) [][]int {
		perm := rng.Perm(n)
		out := make([][]int, n/batch)
		for s := range out {
			out[s] = perm[s*batch : (s+1)*batch]
		}
		return out
	}
}

// textLearner trains a BERT classifier on tokenised texts.
type textLearner struct {
	cls    *bert.Classifier[float32]
	seqs   [][]int
	labels []int
}

func (l *textLearner) Forward(idx []int) (*nn.Tensor[float32], []int, int, error) {
	sel := make([][]int, len(idx))
	lab := make([]int, len(idx))
	for i, j := range idx {
		sel[i], lab[i] = l.seqs[j], l.labels[j]
	}
	b := bert.NewBatch(sel)
	logits, err := l.cls.Forward(b)
	return logits, lab, b.Tokens(), err
}

func (l *textLearner) Backward(dlogits *nn.Tensor[float32]) error {
	l.cls.Backward(dlogits)
	if err := l.cls.Encoder.AdapterErr(); err != nil {
		return fmt.Errorf("train: backward pass failed (did training diverge? lower --lr): %w", err)
	}
	return nil
}

// featureLearner trains a linear head on cached features.
type featureLearner struct {
	head   *nn.Linear[float32]
	feats  *nn.Tensor[float32]
	labels []int
}

func (l *featureLearner) Forward(idx []int) (*nn.Tensor[float32], []int, int, error) {
	h := l.feats.Shape[1]
	x := nn.New[float32](len(idx), h)
	labels := make([]int, len(idx))
	for i, j := range idx {
		copy(x.Data[i*h:(i+1)*h], l.feats.Data[j*h:(j+1)*h])
		labels[i] = l.labels[j]
	}
	return l.head.Forward(x), labels, 0, nil
}

func (l *featureLearner) Backward(dlogits *nn.Tensor[float32]) error {
	nn.BackwardParams[float32](l.head, dlogits)
	return nil
}

// textFeatures returns the frozen pooled features of a dataset (cached per model and data).
func textFeatures(ctx context.Context, cls *bert.Classifier[float32], m *bert.Model, d *text.Dataset, seqs [][]int, cfg TextConfig, cache *TextCache) (*nn.Tensor[float32], error) {
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
		x, err := cls.Features(bert.NewBatch(seqs[lo:hi]))
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

// ScoreLogits scores classifier logits (one row per text) against the labels: the mean
// softmax cross-entropy, the accuracy, and the positive class's (label 1: spam) precision,
// recall and F1 (0 where undefined). Text runs and `qpeft eval` score with it.
func ScoreLogits(logits *nn.Tensor[float32], labels []int) TextScore {
	s := TextScore{N: len(labels)}
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

// textOutBytes bounds the size of a text run directory (result.json, the head, adapters and
// their LoRA export) for the free-space check of [RunText].
const textOutBytes = 64 << 20

// Save writes the run's directory atomically (see [RunText]) under the output policy of
// every run directory ([Save]).
func (r *TextResult) Save(out string) error {
	js, err := marshal(r)
	if err != nil {
		return err
	}
	return writeRunDir(out, "qpeft train --model hf:", func(dir string) error {
		if err := os.WriteFile(filepath.Join(dir, TextResultFile), js, 0o644); err != nil {
			return err
		}
		if err := saveTextHead(filepath.Join(dir, HeadFile), r.Classifier); err != nil {
			return err
		}
		if r.Adapters == nil {
			return nil
		}
		if err := r.Adapters.Save(filepath.Join(dir, AdapterDir)); err != nil {
			return err
		}
		return ExportTextLoRA(filepath.Join(dir, LoRADir), r.Classifier, r.Adapters, r.Config.MaxLen)
	})
}

func saveTextHead(path string, c *bert.Classifier[float32]) error {
	var ts []safetensors.Tensor
	for _, p := range c.Head.Params() {
		ts = append(ts, safetensors.FromFloat64AsFloat32(strings.TrimPrefix(p.Name, "classifier."), p.Shape, p.Value))
	}
	return safetensors.WriteFile(path, ts, map[string]string{"format": "pt", "pooling": string(c.Pooling)})
}

// ClassifierInfo is classifier.json in a text run's LoRA export: how to turn the adapted
// encoder's hidden states into the logits.
type ClassifierInfo struct {
	// Pooling is mean, cls or pooler; Classes the number of logits; MaxLen the truncation
	// used in training; Weights the file holding "weight" (classes × H) and "bias".
	Pooling bert.Pooling `json:"pooling"`
	Classes int          `json:"classes"`
	MaxLen  int          `json:"max_len"`
	Weights string       `json:"weights"`
}

// ExportTextLoRA writes the adapters as a Hugging Face PEFT LoRA directory for the encoder's
// checkpoint (module paths as in transformers' BertModel, e.g.
// encoder.layer.0.attention.self.query), plus the classification head
// (classifier.safetensors, F32) and classifier.json.
func ExportTextLoRA(dir string, c *bert.Classifier[float32], ad *peft.Checkpoint, maxLen int) error {
	if err := peft.ExportLoRA(dir, ad.Modules, ad.BaseModel); err != nil {
		return err
	}
	if err := saveTextHead(filepath.Join(dir, "classifier.safetensors"), c); err != nil {
		return err
	}
	js, err := json.MarshalIndent(ClassifierInfo{Pooling: c.Pooling, Classes: c.Classes(), MaxLen: maxLen, Weights: "classifier.safetensors"}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "classifier.json"), append(js, '\n'), 0o644)
}
