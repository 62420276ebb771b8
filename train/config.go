package train

import (
	"fmt"
	"math"
	"strings"

	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// Method is how a run fine-tunes the model.
type Method string

// The methods a run can use.
const (
	// ZeroShot trains nothing: the pretrained head's class k is read as the new task's class
	// k (for MNIST → Fashion-MNIST, digit 0 means T-shirt/top, …).
	ZeroShot Method = "zero-shot"
	// Head trains only a new classifier head on frozen features.
	Head Method = "head"
	// QPEFT trains Quantum-PEFT adapters (and the new head).
	QPEFT Method = "qpeft"
	// LoRA trains LoRA adapters (and the new head).
	LoRA Method = "lora"
	// AdaLoRA trains AdaLoRA-style adapters (and the new head).
	AdaLoRA Method = "adalora"
	// Full trains every weight (and the new head).
	Full Method = "full"
)

// Methods lists the methods in the order tables show them.
var Methods = []Method{ZeroShot, Head, LoRA, QPEFT, AdaLoRA, Full}

// ParseMethod reads a method name (quantum-peft is accepted for qpeft).
func ParseMethod(s string) (Method, error) {
	switch m := Method(strings.ToLower(s)); m {
	case ZeroShot, Head, QPEFT, LoRA, AdaLoRA, Full:
		return m, nil
	case "quantum-peft", "zeroshot", "zero_shot":
		if m == "quantum-peft" {
			return QPEFT, nil
		}
		return ZeroShot, nil
	}
	return "", fmt.Errorf("train: unknown method %q; want qpeft, lora, adalora, head, full or zero-shot", s)
}

// Adapter reports whether the method trains adapters.
func (m Method) Adapter() bool { return m == QPEFT || m == LoRA || m == AdaLoRA }

// peftMethod maps an adapter method to package peft's name.
func (m Method) peftMethod() peft.Method {
	switch m {
	case QPEFT:
		return peft.MethodQuantumPEFT
	case LoRA:
		return peft.MethodLoRA
	}
	return peft.MethodAdaLoRA
}

// Head modes of adapter runs.
const (
	// HeadNew replaces the pretrained classifier by a new, fully trained head (counted
	// separately from the adapters, the same for every method).
	HeadNew = "new"
	// HeadAdapt keeps the pretrained classifier frozen and puts an adapter on it too: the
	// adapters are the only trainable parameters.
	HeadAdapt = "adapt"
)

// Config describes one fine-tuning run. The zero value is not valid; start from
// [DefaultConfig].
type Config struct {
	// Model is mnist-cnn, mlp512 or a .onnx/.safetensors file ([LoadModel]).
	Model string `json:"model"`
	// PixelScale overrides the model's input scaling (0: the model's own).
	PixelScale float64 `json:"pixel_scale,omitempty"`
	// Data is fashion-mnist[:DIR], fashion-subset, mnist[:DIR] or a directory ([LoadData]).
	Data string `json:"data"`
	// Method is the fine-tuning method.
	Method Method `json:"method"`
	// Head is HeadNew (default) or HeadAdapt for adapter methods.
	Head string `json:"head,omitempty"`
	// Targets are the modules that get adapters (aliases such as conv1 allowed); empty means
	// the model's default.
	Targets []string `json:"targets,omitempty"`
	// AdapterSettings are the adapters' rank, ansatz and schedule (adapter methods only).
	AdapterSettings
	// TrainSettings are the epochs, batch, learning rates and their schedule.
	TrainSettings
	// Seed seeds everything random: the new head, the adapters, the shuffling.
	Seed uint64 `json:"seed"`
	// TrainLimit and TestLimit use only the first N samples of each split (0: all).
	TrainLimit int `json:"train_limit,omitempty"`
	TestLimit  int `json:"test_limit,omitempty"`
	// LogEvery is the number of steps averaged into one point of the training curve.
	LogEvery int `json:"log_every"`
	// GroupLRs are the adapters' per-group learning rates (0: LR).
	GroupLRs
	// ProbeSteps, for the adapter methods (with a new head) and full, first trains the new
	// head alone for this many steps on the frozen features, at HeadLR on its own warm-up and
	// cosine schedule, then fine-tunes from there: linear probing then fine-tuning (LP-FT,
	// Kumar et al. 2022). 0: the head starts at zero.
	ProbeSteps int `json:"probe_steps,omitempty"`
	// Name, when set, is the run's label in tables instead of the generated one (a sweep
	// names its head-only rows "head only (matched budget)" and "linear probe (long)").
	Name string `json:"name,omitempty"`
	// ValFraction, when positive, carves a validation part of that fraction out of the
	// training samples (seeded by ValSeed, stratified by class: data.StratifiedSplit) and
	// trains on the rest, evaluating on the validation part instead of the test split, for
	// choosing learning rates without looking at the test set.
	ValFraction float64 `json:"val_fraction,omitempty"`
	ValSeed     uint64  `json:"val_seed,omitempty"`
}

// AdapterSettings are the adapter settings that image runs ([Config]) and text runs
// ([TextConfig]) share; they apply to the adapter methods (qpeft, lora, adalora) only.
type AdapterSettings struct {
	// Rank is K (Quantum-PEFT) or r (LoRA, AdaLoRA).
	Rank int `json:"rank,omitempty"`
	// Layers is L of the Pauli ansatz (Quantum-PEFT).
	Layers int `json:"layers,omitempty"`
	// Ansatz is Quantum-PEFT's circuit family (pauli, givens or alltoall; "" is pauli), or
	// comma-separated OpenQASM files, each serving the factors of its dimension 2^n.
	Ansatz string `json:"ansatz,omitempty"`
	// Start is Quantum-PEFT's start: identity ("") or rotated (peft.StartRotated: a fixed
	// seeded rotation after every circuit block, so U and V do not start on coordinate axes).
	Start string `json:"start,omitempty"`
	// RankPattern gives modules their own rank, as PEFT's rank_pattern: a module name (or
	// alias, or regular expression over module names) → its rank; the others get Rank.
	RankPattern map[string]int `json:"rank_pattern,omitempty"`
	// Alpha scales the adapters' update by Alpha/Rank (0: Alpha = Rank, scale 1).
	Alpha float64 `json:"alpha,omitempty"`
	// InitScale is the half-width of Quantum-PEFT's uniform angle initialisation (0: the
	// peft default 0.02, near the identity; π spreads U and V over every coordinate).
	InitScale float64 `json:"init_scale,omitempty"`
	// ActiveRank and PruneStep set AdaLoRA's (or Quantum-PEFT's) rank mask: K′ active ranks
	// after pruning at step PruneStep (−1: half-way through training).
	ActiveRank int `json:"active_rank,omitempty"`
	PruneStep  int `json:"prune_step,omitempty"`
	// OrthWeight is AdaLoRA's orthogonality penalty γ.
	OrthWeight float64 `json:"orth_weight,omitempty"`
}

// numericSet reports whether any numeric adapter setting is given (the ansatz, start and
// rank pattern are checked by check).
func (a AdapterSettings) numericSet() bool {
	return a.Rank != 0 || a.Layers != 0 || a.Alpha != 0 || a.InitScale != 0 || a.ActiveRank != 0 || a.PruneStep != 0 || a.OrthWeight != 0
}

// peftConfig returns the adapter configuration of method m for a run of totalSteps steps.
func (a AdapterSettings) peftConfig(m Method, seed uint64, totalSteps int) peft.Config {
	return a.withSpec(peft.Config{Method: m.peftMethod(), Rank: a.Rank, Layers: a.Layers, Alpha: a.Alpha, InitScale: a.InitScale,
		ActiveRank: a.ActiveRank, PruneStep: a.PruneStep, OrthWeight: a.OrthWeight, Seed: seed}).ForRun(totalSteps)
}

// TrainSettings are the optimisation settings that image runs ([Config]) and text runs
// ([TextConfig]) share.
type TrainSettings struct {
	// Epochs, Batch and the learning rates: LR for the adapters (or every weight for full),
	// HeadLR for the new head (0: LR). WeightDecay is AdamW's decoupled decay; Clip the
	// global gradient-norm bound (0: none); WarmupFrac the fraction of steps of linear
	// warm-up before the cosine decay to LR/100.
	Epochs      int     `json:"epochs"`
	Batch       int     `json:"batch"`
	LR          float64 `json:"lr"`
	HeadLR      float64 `json:"head_lr,omitempty"`
	WeightDecay float64 `json:"weight_decay,omitempty"`
	Clip        float64 `json:"clip,omitempty"`
	WarmupFrac  float64 `json:"warmup_frac"`
}

// headLR returns the new head's learning rate in a run of method m.
func (t TrainSettings) headLR(m Method) float64 {
	if t.HeadLR > 0 && m != Head {
		return t.HeadLR
	}
	return t.LR
}

// setRates sets the learning rate of a run of method m to lr, and its head's to headLR when
// m trains adapters (a head-only run trains its head at lr).
func (t *TrainSettings) setRates(m Method, lr, headLR float64) {
	t.LR = lr
	if m.Adapter() {
		t.HeadLR = headLR
	}
}

// WarmupSteps returns the linear warm-up of a schedule of total steps: WarmupFrac·total
// rounded to the nearest step.
func (t TrainSettings) WarmupSteps(total int) int {
	return int(math.Round(t.WarmupFrac * float64(total)))
}

// validate checks the settings, with batches of at most maxBatch.
func (t TrainSettings) validate(maxBatch int) error {
	bad := func(format string, args ...any) error { return fmt.Errorf("train: "+format, args...) }
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case t.Epochs < 1:
		return bad("--epochs %d must be ≥ 1", t.Epochs)
	case t.Batch < 1 || t.Batch > maxBatch:
		return bad("--batch %d must be in 1..%d", t.Batch, maxBatch)
	case !finite(t.LR) || t.LR <= 0 || !finite(t.HeadLR) || t.HeadLR < 0:
		return bad("learning rates must be finite and positive (--lr %v, --head-lr %v)", t.LR, t.HeadLR)
	case !finite(t.WeightDecay) || t.WeightDecay < 0 || !finite(t.Clip) || t.Clip < 0:
		return bad("--weight-decay %v and --clip %v must be ≥ 0", t.WeightDecay, t.Clip)
	case !finite(t.WarmupFrac) || t.WarmupFrac < 0 || t.WarmupFrac >= 1:
		return bad("--warmup %v must be in [0, 1) (the fraction of the steps spent warming up)", t.WarmupFrac)
	}
	return nil
}

// GroupLRs are the learning rates of the adapters' parameter groups, each stepped by its own
// AdamW on the run's warm-up and cosine schedule; 0 means the run's LR. The head has its own
// rate (HeadLR) and full fine-tuning's pretrained weights take LR.
type GroupLRs struct {
	// Angles is the rate of Quantum-PEFT's circuit angles (θ_U, θ_V).
	Angles float64 `json:"lr_angles,omitempty"`
	// Scales is the rate of the scales: Quantum-PEFT's λ, LoRA's B, AdaLoRA's singular
	// values E.
	Scales float64 `json:"lr_scales,omitempty"`
	// Dense is the rate of the dense factors: LoRA's A, AdaLoRA's A and B.
	Dense float64 `json:"lr_dense,omitempty"`
}

// validate checks the rates for a run of method m.
func (g GroupLRs) validate(m Method) error {
	for _, r := range []struct {
		flag string
		v    float64
	}{{"--lr-angles", g.Angles}, {"--lr-scales", g.Scales}, {"--lr-dense", g.Dense}} {
		if math.IsNaN(r.v) || math.IsInf(r.v, 0) || r.v < 0 {
			return fmt.Errorf("%s %v must be a finite learning rate ≥ 0 (0: --lr)", r.flag, r.v)
		}
		if r.v != 0 && !m.Adapter() {
			return fmt.Errorf("%s applies to the adapter methods (qpeft, lora, adalora), not %s", r.flag, m)
		}
	}
	return nil
}

// rate returns v, or lr when v is 0.
func rate(v, lr float64) float64 {
	if v > 0 {
		return v
	}
	return lr
}

// adapterGroups splits the adapters' parameters into the groups of GroupLRs — "adapter
// angles", "adapter scales" and "adapter dense factors", each with its rate (lr when the
// group's is 0) on the schedule sched — leaving out empty groups. Parameters of other
// adapter types form one group "adapters" at lr.
func adapterGroups(ck *peft.Checkpoint, lr float64, g GroupLRs, sched func(peak float64) func(int) float64) []Group {
	var angles, scales, dense, other []*nn.Param
	for _, mod := range ck.Modules {
		switch a := mod.Adapter.(type) {
		case *peft.QuantumPEFT:
			angles = append(angles, a.ThetaU, a.ThetaV)
			scales = append(scales, a.Lambda)
		case *peft.LoRA:
			dense = append(dense, a.A)
			scales = append(scales, a.B)
		case *peft.AdaLoRA:
			dense = append(dense, a.A, a.B)
			scales = append(scales, a.E)
		default:
			other = append(other, mod.Adapter.Params()...)
		}
	}
	var out []Group
	for _, grp := range []struct {
		name string
		ps   []*nn.Param
		lr   float64
	}{{"adapter angles", angles, rate(g.Angles, lr)}, {"adapter scales", scales, rate(g.Scales, lr)},
		{"adapter dense factors", dense, rate(g.Dense, lr)}, {"adapters", other, lr}} {
		if len(grp.ps) > 0 {
			out = append(out, Group{Name: grp.name, Params: grp.ps, LR: sched(grp.lr)})
		}
	}
	return out
}

// DefaultConfig returns the settings `qpeft train` starts from for a model and method:
// Quantum-PEFT L = 2, K = 4; LoRA r = 4; AdaLoRA r = 8 pruned to K′ = 4 half-way with
// γ = 0.1; 2 epochs of batch 64, seed 1, on full Fashion-MNIST. The new head's learning rate
// depends on the model: the ONNX CNN takes raw 0–255 pixels and its features are ~100 times
// larger than the MLP's, so its head needs a ~30 times smaller step.
func DefaultConfig(model string, m Method) Config {
	c := Config{Model: model, Data: DataFashion, Method: m, TrainSettings: TrainSettings{Epochs: 2, Batch: 64,
		Clip: 1, WarmupFrac: 0.05}, Seed: 1, LogEvery: 20}
	headLR, fullLR := 3e-3, 5e-4
	if model == ModelMNISTCNN {
		headLR, fullLR = 1e-4, 1e-3
	}
	switch m {
	case QPEFT:
		c.Rank, c.Layers, c.LR, c.HeadLR = 4, 2, 3e-2, headLR
	case LoRA:
		c.Rank, c.LR, c.HeadLR = 4, 3e-3, headLR
	case AdaLoRA:
		c.Rank, c.ActiveRank, c.PruneStep, c.OrthWeight, c.LR, c.HeadLR = 8, 4, -1, 0.1, 3e-3, headLR
	case Head:
		c.LR = headLR
	case Full:
		c.LR, c.HeadLR = fullLR, headLR
	case ZeroShot:
		c.Epochs, c.Batch, c.Clip, c.WarmupFrac, c.Seed = 0, 0, 0, 0, 0
	}
	return c
}

// headLR returns the new head's learning rate.
func (c Config) headLR() float64 { return c.TrainSettings.headLR(c.Method) }

// headMode returns the effective head mode.
func (c Config) headMode() string {
	if c.Head == "" || !c.Method.Adapter() {
		return HeadNew
	}
	return c.Head
}

// Validate checks the settings on their own (model and data are checked when loaded).
func (c Config) Validate() error {
	if _, err := ParseMethod(string(c.Method)); err != nil {
		return err
	}
	bad := func(format string, args ...any) error { return fmt.Errorf("train: "+format, args...) }
	if c.Model == "" {
		return bad("no model (--model mnist-cnn, mlp512 or a file)")
	}
	if c.Data == "" {
		return bad("no data (--data fashion-mnist[:DIR], fashion-subset or mnist[:DIR])")
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !finite(c.PixelScale) || c.PixelScale < 0 {
		return bad("--pixel-scale %v must be positive (0 for the model's default)", c.PixelScale)
	}
	switch c.Head {
	case "", HeadNew:
	case HeadAdapt:
		if !c.Method.Adapter() {
			return bad("--head adapt applies to the adapter methods (qpeft, lora, adalora), not %s", c.Method)
		}
	default:
		return bad("--head %q: want new or adapt", c.Head)
	}
	if !(c.ValFraction >= 0 && c.ValFraction < 1) {
		return bad("--val-fraction %v must be in [0, 1) (the share of the training samples held out for validation)", c.ValFraction)
	}
	if c.ValSeed != 0 && c.ValFraction == 0 {
		return bad("--val-seed applies with --val-fraction")
	}
	if c.ProbeSteps < 0 || (c.ProbeSteps > 0 && (!(c.Method.Adapter() || c.Method == Full) || c.headMode() != HeadNew)) {
		return bad("--probe-steps %d applies to the adapter methods with a new head and to full (it trains the new head first)", c.ProbeSteps)
	}
	if c.Method == ZeroShot {
		return nil
	}
	if err := c.TrainSettings.validate(1 << 16); err != nil {
		return err
	}
	if c.Method == Head && c.HeadLR != 0 {
		return bad("--head-lr applies to methods that train more than the head; for head use --lr")
	}
	if c.TrainLimit < 0 || c.TestLimit < 0 {
		return bad("--train-limit and --test-limit must be ≥ 0")
	}
	if c.LogEvery < 1 {
		return bad("--log-every %d must be ≥ 1", c.LogEvery)
	}
	if err := c.AdapterSettings.check(c.Method); err != nil {
		return err
	}
	if err := c.GroupLRs.validate(c.Method); err != nil {
		return bad("%v", err)
	}
	if c.Method.Adapter() {
		if c.Rank < 1 {
			return bad("--rank %d must be ≥ 1", c.Rank)
		}
		if c.PruneStep < -1 {
			return bad("--prune-step %d must be ≥ 0, or −1 for half-way", c.PruneStep)
		}
		if err := c.peftConfig(100).Validate(); err != nil {
			return fmt.Errorf("train: %w", err)
		}
	} else if c.numericSet() || len(c.Targets) > 0 {
		return bad("--rank, --layers, --alpha, --init-scale, --active-rank, --prune-step, --orth-weight and --targets apply to qpeft, lora and adalora, not %s", c.Method)
	}
	return nil
}

// peftConfig returns the adapter configuration for a run of totalSteps steps.
func (c Config) peftConfig(totalSteps int) peft.Config {
	return c.AdapterSettings.peftConfig(c.Method, c.Seed, totalSteps)
}

// Label is a short description of the method and its settings, e.g. "Quantum-PEFT L=2 K=4".
func (c Config) Label() string {
	if c.Name != "" {
		return c.Name
	}
	switch c.Method {
	case ZeroShot:
		return "zero-shot"
	case Head:
		return "head only"
	case Full:
		return "full fine-tuning"
	case LoRA, QPEFT, AdaLoRA:
		return c.peftConfig(0).Label()
	}
	return string(c.Method)
}
