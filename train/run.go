package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// Options are the knobs of [Run] that are not part of the experiment's configuration.
type Options struct {
	// Progress receives progress reports; nil for none.
	Progress Progress
	// Model and Data, when set, are used instead of loading cfg.Model and cfg.Data (a sweep
	// loads the data once). The model is modified by the run: pass a fresh one each time.
	Model *Model
	Data  *Data
	// AfterStep, when set, is called after every optimisation step with the global step
	// number (from 1); tests use it to cancel a run part-way.
	AfterStep func(step int)
	// AfterBackward, when set, is called with the step number and the session after the
	// gradients of a step are computed, before they are checked and applied (tests inject
	// non-finite gradients or parameters with it).
	AfterBackward func(step int, s *Session)
}

// Session is a model prepared for a run: the pretrained network with its new head and
// adapters in place and the parameters to train.
type Session struct {
	Config Config
	Model  *Model
	// Checkpoint holds the adapters (nil for head, full and zero-shot).
	Checkpoint *peft.Checkpoint
	// Head is the new classifier head (nil when the pretrained head is kept).
	Head *nn.Linear[float32]
	// Backbone are the parameters trained at Config.LR (adapters, or every pretrained weight
	// for full fine-tuning); HeadParams those of the new head (Config.HeadLR).
	Backbone, HeadParams []*nn.Param
	// Modules describes every adapted module.
	Modules []ModuleInfo

	pretrained int
}

// Prepare freezes the pretrained network, replaces its head by a new one (unless the method
// keeps it) and injects the adapters, as cfg says. totalSteps sets the half-way pruning step.
// classes is the number of classes of the new task.
func Prepare(cfg Config, m *Model, classes, totalSteps int) (*Session, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Session{Config: cfg, Model: m}
	net := m.Net
	_, s.pretrained = nn.CountParams(net.Params())
	nn.Freeze(net.Params())
	if cfg.Method == ZeroShot {
		if m.Outputs != classes {
			return nil, fmt.Errorf("train: zero-shot needs the model's %d outputs to match the task's %d classes", m.Outputs, classes)
		}
		return s, nil
	}
	hs, err := m.HeadSite()
	if err != nil {
		return nil, err
	}
	var targets []string
	if cfg.Method.Adapter() {
		t := cfg.Targets
		if len(t) == 0 {
			t = append([]string(nil), m.DefaultTargets...)
			if cfg.headMode() == HeadAdapt {
				t = append(t, hs.Name)
			}
		}
		if len(t) == 1 && t[0] == AllLinear {
			t = nil
			for _, site := range m.Net.MapSites() {
				if site.Name != hs.Name {
					t = append(t, site.Name)
				}
			}
		}
		if targets, err = m.Resolve(t); err != nil {
			return nil, err
		}
		if len(targets) == 0 {
			return nil, fmt.Errorf("train: model %s: no modules to adapt; give --targets", m.Name)
		}
		for _, t := range targets {
			if t == hs.Name && cfg.headMode() == HeadNew {
				return nil, fmt.Errorf("train: module %s is the classifier head, which --head new replaces; use --head adapt to adapt the pretrained head", m.Alias(t))
			}
		}
	}
	if cfg.headMode() == HeadAdapt {
		if m.Outputs != classes {
			return nil, fmt.Errorf("train: --head adapt keeps the pretrained head, whose %d outputs do not match the task's %d classes; use --head new", m.Outputs, classes)
		}
	} else {
		_, in := hs.Map.Dims()
		s.Head = nn.NewLinear[float32]("head", in, classes, true, rand.New(rand.NewPCG(cfg.Seed, 0x68656164)))
		// A zero head starts every method from the same point (uniform predictions, loss
		// ln C) whatever the scale of the frozen features.
		clear(s.Head.W.Value)
		clear(s.Head.B.Value)
		net.Layers[hs.Index] = s.Head
		s.HeadParams = s.Head.Params()
	}
	switch {
	case cfg.Method == Full:
		for _, p := range net.Params() {
			p.Trainable = true
		}
		for _, p := range net.Params() {
			if s.Head == nil || (p != s.Head.W && p != s.Head.B) {
				s.Backbone = append(s.Backbone, p)
			}
		}
	case cfg.Method.Adapter():
		sites := map[string]nn.MapSite[float32]{}
		for _, site := range net.MapSites() {
			sites[site.Name] = site
		}
		var shapes []peft.ModuleShape
		for _, t := range targets {
			out, in := sites[t].Map.Dims()
			shapes = append(shapes, peft.ModuleShape{Name: t, Out: out, In: in})
		}
		pc := cfg.peftConfig(totalSteps)
		pc.RankPattern = m.patternSites(pc.RankPattern)
		if err := checkPatternMatches(pc.RankPattern, targets); err != nil {
			return nil, err
		}
		ck, err := peft.NewCheckpoint(pc, m.Name, shapes)
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		for i, mod := range ck.Modules {
			site := sites[mod.Name]
			if cv := site.Conv; cv != nil {
				// The LoRA export writes a convolution's factors in PEFT's Conv2d shapes.
				ck.Modules[i].Kernel = []int{cv.Config.InChannels, cv.Config.KernelH, cv.Config.KernelW}
			}
			a, err := peft.NewAdapted[float32](site.Map, mod.Adapter)
			if err != nil {
				return nil, fmt.Errorf("train: module %s: %w", mod.Name, err)
			}
			site.Set(a)
			out, in := mod.Adapter.Dims()
			lora1, _ := peft.CountParams(peft.Config{Method: peft.MethodLoRA, Rank: 1}, out, in)
			s.Modules = append(s.Modules, ModuleInfo{Name: mod.Name, Alias: m.Alias(mod.Name), Out: out, In: in,
				Params: mod.Adapter.NumTrainable(), LoRAr1: lora1})
		}
		s.Checkpoint = ck
		s.Backbone = ck.Params()
	}
	return s, nil
}

// AdapterParams returns the number of trainable adapter parameters (after any pruning).
func (s *Session) AdapterParams() int {
	if s.Checkpoint == nil {
		return 0
	}
	return s.Checkpoint.NumTrainable()
}

// paramInfo counts the parameters of the prepared session.
func (s *Session) paramInfo() ParamInfo {
	pi := ParamInfo{Pretrained: s.pretrained}
	if s.Head != nil {
		_, pi.Head = nn.CountParams(s.HeadParams)
	}
	if s.Config.Method == Full {
		_, pi.Backbone = nn.CountParams(s.Backbone)
	}
	if s.Checkpoint != nil {
		pi.Adapter = s.Checkpoint.NumTrainable()
		for i := range s.Modules {
			s.Modules[i].Params = s.Checkpoint.Modules[i].Adapter.NumTrainable()
			pi.LoRAr1 += s.Modules[i].LoRAr1
		}
		if pi.LoRAr1 > 0 {
			pi.RatioToLoRAr1 = float64(pi.Adapter) / float64(pi.LoRAr1)
		}
	}
	pi.Trainable = pi.Adapter + pi.Head + pi.Backbone
	return pi
}

// batchOf returns the samples at idx as a model input.
func batchOf(m *Model, d *data.Dataset, idx []int) (*nn.Tensor[float32], []int) {
	x, labels := data.Batch[float32](d, idx, m.PixelScale)
	return x.Reshape(append([]int{len(idx)}, m.InputShape...)...), labels
}

// evalBatch is the mini-batch size of evaluation.
const evalBatch = 500

// Evaluate scores the model's network on the first n samples of d (all when n is 0 or
// larger than d), in mini-batches, checking ctx between them.
func Evaluate(ctx context.Context, m *Model, d *data.Dataset, n int) (Score, error) {
	if n <= 0 || n > d.N {
		n = d.N
	}
	var loss float64
	correct := 0
	for lo := 0; lo < n; lo += evalBatch {
		if err := ctx.Err(); err != nil {
			return Score{}, err
		}
		hi := min(n, lo+evalBatch)
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		x, labels := batchOf(m, d, idx)
		logits, err := forward(m.Net, x)
		if err != nil {
			return Score{}, err
		}
		l, _ := nn.SoftmaxCrossEntropy(logits, labels)
		loss += l * float64(hi-lo)
		for i, p := range nn.Argmax(logits) {
			if p == labels[i] {
				correct++
			}
		}
	}
	if n == 0 {
		return Score{}, nil
	}
	return Score{Loss: loss / float64(n), Accuracy: float64(correct) / float64(n), N: n}, nil
}

// forward runs the network and returns the first adapter failure (angles that became NaN
// after a diverged step) as an error.
func forward(net *nn.Sequential[float32], x *nn.Tensor[float32]) (*nn.Tensor[float32], error) {
	y := net.Forward(x)
	if err := adapterErr(net); err != nil {
		return nil, fmt.Errorf("train: forward pass failed (did training diverge? lower --lr): %w", err)
	}
	return y, nil
}

// adapterErr returns the first failure recorded by an adapter of net.
func adapterErr(net *nn.Sequential[float32]) error {
	for _, site := range net.MapSites() {
		if err := peft.SiteErr(site.Name, site.Map); err != nil {
			return err
		}
	}
	return nil
}

// Result is what a run produced: the deterministic metrics (metrics.json) and the timings
// (timing.json).
type Result struct {
	Metrics *Metrics
	Timing  *Timing
	// Session is the trained model (its network holds the trained adapters and head).
	Session *Session
}

// Run fine-tunes a pretrained model as cfg says and, when out is not empty, writes the run
// directory there ([Save]): metrics.json, timing.json, curves.png, the adapter directory, its
// LoRA export and the new head. Nothing is written until training has finished, and then
// the whole directory is replaced atomically, so an interrupted run (ctx cancelled, e.g. by
// Ctrl-C) leaves out as it was. The same cfg gives the same metrics.json, bit for bit, on a
// given machine. Before any training it predicts the run's peak memory (Footprint) and
// refuses, with a *sim.MemoryError, a run above the memory limit (sim.MemoryLimit).
func Run(ctx context.Context, cfg Config, out string, opts Options) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	prog := opts.Progress
	if prog == nil {
		prog = nopProgress{}
	}
	// The output is checked before anything is loaded, and its free space again once the
	// model's size is known (full fine-tuning writes every weight).
	if err := checkOut(out, outBaseBytes, prog); err != nil {
		return nil, err
	}
	m := opts.Model
	if m == nil {
		var err error
		if m, err = LoadModel(cfg.Model, cfg.PixelScale); err != nil {
			return nil, err
		}
	}
	if cfg.Method == Full && out != "" {
		_, n := nn.CountParams(m.Net.Params())
		if err := checkOut(out, outBaseBytes+4*int64(n), prog); err != nil {
			return nil, err
		}
	}
	d := opts.Data
	if d == nil {
		var err error
		if d, err = LoadData(cfg.Data); err != nil {
			return nil, err
		}
	}
	if err := d.check(m); err != nil {
		return nil, err
	}
	if opts.Model == nil {
		// The peak memory of the whole run, predicted before any training (a model given
		// in opts is the caller's to size).
		fp, err := Footprint(cfg, d)
		if err != nil {
			return nil, err
		}
		if err := fp.Check(0); err != nil {
			return nil, err
		}
	}
	trainN, testN := cfg.sizes(d)
	evalDesc := ""
	if cfg.ValFraction > 0 {
		var err error
		if d, evalDesc, err = validationData(d, trainN, cfg.ValFraction, cfg.ValSeed); err != nil {
			return nil, err
		}
		trainN, testN = d.Train.N, d.Test.N
	}
	classes := d.Train.Classes
	perEpoch := 0
	if cfg.Method != ZeroShot {
		if cfg.Batch > trainN {
			return nil, fmt.Errorf("train: --batch %d is larger than the %d training samples", cfg.Batch, trainN)
		}
		perEpoch = trainN / cfg.Batch
	}
	total := perEpoch * cfg.Epochs

	start := time.Now()
	met := &Metrics{Format: MetricsFormat, Label: cfg.Label(), Config: cfg,
		Model: ModelInfo{Name: m.Name, Description: m.Description, SHA256: m.SHA256},
		Data:  DataInfo{Name: d.Name, Source: d.Source, Train: trainN, Test: testN, Classes: classes, Eval: evalDesc}}
	tim := &Timing{Format: TimingFormat, GOMAXPROCS: runtime.GOMAXPROCS(0), SIMD: nn.SIMD(), GoVersion: runtime.Version()}
	res := &Result{Metrics: met, Timing: tim}
	ri, err := RunHash(cfg)
	if err != nil {
		return nil, err
	}
	met.Run = ri

	evalStart := time.Now()
	if m.Outputs == classes {
		prog.Logf("zero-shot: evaluating the pretrained %s on %d test images of %s (class k read as class k)", m.Name, testN, d.Name)
		zs, err := Evaluate(ctx, m, d.Test, testN)
		if err != nil {
			return nil, err
		}
		met.ZeroShot = &zs
		prog.Logf("zero-shot: %s", zs)
	}
	tim.EvalSeconds += time.Since(evalStart).Seconds()

	s, err := Prepare(cfg, m, classes, total)
	if err != nil {
		return nil, err
	}
	res.Session = s
	met.Params = s.paramInfo()
	met.Modules = s.Modules
	if cfg.Method == ZeroShot {
		met.Final = *met.ZeroShot
		tim.TotalSeconds = time.Since(start).Seconds()
		if out != "" {
			if err := Save(out, res); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	prog.Logf("%s: trainable parameters: %d adapter + %d new head + %d pretrained (model: %d); %d epoch(s) × %d steps of %d",
		cfg.Label(), met.Params.Adapter, met.Params.Head, met.Params.Backbone, met.Params.Pretrained, cfg.Epochs, perEpoch, cfg.Batch)

	if cfg.ProbeSteps > 0 {
		t0 := time.Now()
		if met.Probe, err = probeHead(ctx, cfg, s, d.Train, trainN, prog); err != nil {
			return nil, err
		}
		tim.ProbeSeconds = time.Since(t0).Seconds()
		prog.Logf("linear probe: %d steps of the head alone, train loss %.4f, accuracy %.2f%%, %.1f s", met.Probe.Steps, met.Probe.TrainLoss, 100*met.Probe.TrainAccuracy, tim.ProbeSeconds)
	}
	warm := cfg.WarmupSteps(total)
	sched := func(peak float64) func(int) float64 { return WarmupCosineLR(peak, warm, total) }
	var groups []Group
	switch {
	case s.Checkpoint != nil:
		groups = adapterGroups(s.Checkpoint, cfg.LR, cfg.GroupLRs, sched)
	case len(s.Backbone) > 0:
		groups = []Group{{"pretrained weights", s.Backbone, sched(cfg.LR)}}
	}
	if len(s.HeadParams) > 0 {
		groups = append(groups, Group{"head", s.HeadParams, sched(cfg.headLR())})
	}
	loop := &Loop{Learner: &imageLearner{m: m, d: d.Train}, Groups: groups, WeightDecay: cfg.WeightDecay, Clip: cfg.Clip,
		Params: append(append([]*nn.Param(nil), s.Backbone...), s.HeadParams...),
		Epochs: cfg.Epochs, Batches: func(e int) [][]int { return data.EpochBatches(trainN, cfg.Batch, cfg.Seed, e, true) },
		Adapters: s.Checkpoint, LogEvery: cfg.LogEvery, Progress: prog, AfterStep: opts.AfterStep, Out: out,
		Eval: func(ctx context.Context) (Score, error) { return Evaluate(ctx, m, d.Test, testN) }}
	if opts.AfterBackward != nil {
		loop.AfterBackward = func(step int) { opts.AfterBackward(step, s) }
	}
	lr, err := loop.Run(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range lr.Epochs {
		tim.SecondsPerEpoch = append(tim.SecondsPerEpoch, e.Seconds)
		tim.CPUSecondsPerEpoch += e.CPUSeconds / float64(cfg.Epochs)
		tim.EvalSeconds += e.EvalSeconds
		met.Epochs = append(met.Epochs, EpochInfo{Epoch: e.Epoch, Step: e.Step, TrainLoss: e.Loss,
			TrainAccuracy: e.Accuracy, TestLoss: e.Test.Loss, TestAccuracy: e.Test.Accuracy, tested: true})
		met.Final = *e.Test
	}
	met.Curve = lr.Curve
	step := lr.Steps
	met.Steps, met.Samples = step, step*cfg.Batch
	met.Params = s.paramInfo()
	met.Modules = s.Modules
	if s.Checkpoint != nil {
		for i, mod := range s.Checkpoint.Modules {
			if q, ok := mod.Adapter.(*peft.QuantumPEFT); ok {
				du, dv, err := q.Orthogonality()
				if err != nil {
					return nil, fmt.Errorf("train: module %s: %w", mod.Name, err)
				}
				met.Modules[i].OrthU, met.Modules[i].OrthV = &du, &dv
			}
		}
	}
	var trainSecs float64
	for _, v := range tim.SecondsPerEpoch {
		trainSecs += v
	}
	tim.MeanSecondsPerEpoch = trainSecs / float64(len(tim.SecondsPerEpoch))
	tim.SamplesPerSecond = float64(met.Samples) / trainSecs
	tim.TotalSeconds = time.Since(start).Seconds()
	if out != "" {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := Save(out, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// imageLearner trains an image network on a data set.
type imageLearner struct {
	m *Model
	d *data.Dataset
}

func (l *imageLearner) Forward(idx []int) (*nn.Tensor[float32], []int, int, error) {
	x, labels := batchOf(l.m, l.d, idx)
	logits, err := forward(l.m.Net, x)
	return logits, labels, 0, err
}

func (l *imageLearner) Backward(dlogits *nn.Tensor[float32]) error {
	l.m.Net.BackwardParams(dlogits)
	if err := adapterErr(l.m.Net); err != nil {
		return fmt.Errorf("train: backward pass failed (did training diverge? lower --lr): %w", err)
	}
	return nil
}

// sizes returns the number of training and test samples a run of c uses on d (the first
// TrainLimit and TestLimit of each split; 0: all).
func (c Config) sizes(d *Data) (trainN, testN int) {
	trainN, testN = d.Train.N, d.Test.N
	if c.TrainLimit > 0 && c.TrainLimit < trainN {
		trainN = c.TrainLimit
	}
	if c.TestLimit > 0 && c.TestLimit < testN {
		testN = c.TestLimit
	}
	return trainN, testN
}

// probeHead trains the session's new head alone for cfg.ProbeSteps steps on the frozen
// features of the first n training samples (the network's layers before the head, computed
// once, with the adapters at their initialisation, where they change nothing): the linear
// probe of LP-FT. The steps take the run's mini-batches in order (the shuffles of epochs 0,
// 1, …) at the head's learning rate on a warm-up and cosine schedule over the probe. The
// adapters are not touched.
func probeHead(ctx context.Context, cfg Config, s *Session, d *data.Dataset, n int, prog Progress) (*ProbeInfo, error) {
	hs, err := s.Model.HeadSite()
	if err != nil {
		return nil, err
	}
	body := &nn.Sequential[float32]{Layers: s.Model.Net.Layers[:hs.Index]}
	_, in := s.Head.Dims()
	feats := nn.New[float32](n, in)
	for lo := 0; lo < n; lo += evalBatch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(n, lo+evalBatch)
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		x, _ := batchOf(s.Model, d, idx)
		copy(feats.Data[lo*in:hi*in], body.Forward(x).Data)
	}
	if err := adapterErr(s.Model.Net); err != nil {
		return nil, fmt.Errorf("train: linear probe: %w", err)
	}
	perEpoch := n / cfg.Batch
	steps := cfg.ProbeSteps
	epochs := (steps + perEpoch - 1) / perEpoch
	labels := make([]int, n)
	for i := range labels {
		labels[i] = int(d.Labels[i])
	}
	warm := cfg.WarmupSteps(steps)
	l := &Loop{Learner: &featureLearner{head: s.Head, feats: feats, labels: labels},
		Groups:      []Group{{"head", s.HeadParams, WarmupCosineLR(cfg.headLR(), warm, steps)}},
		WeightDecay: cfg.WeightDecay, Clip: cfg.Clip, Epochs: epochs, Progress: prog,
		Batches: func(e int) [][]int {
			b := data.EpochBatches(n, cfg.Batch, cfg.Seed, e, true)
			return b[:min(len(b), steps-e*perEpoch)]
		}}
	res, err := l.Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("linear probe: %w", err)
	}
	last := res.Epochs[len(res.Epochs)-1]
	return &ProbeInfo{Steps: res.Steps, TrainLoss: last.Loss, TrainAccuracy: last.Accuracy}, nil
}

// validationData returns the task a run with a validation fraction trains and is evaluated
// on: the first n training samples of d split by data.StratifiedSplit (class by class,
// seeded) into a training part and a validation part of fraction frac, the validation part
// in place of the test split, which is not used. It describes the split for metrics.json.
func validationData(d *Data, n int, frac float64, seed uint64) (*Data, string, error) {
	labels := make([]int, n)
	for i := range labels {
		labels[i] = int(d.Train.Labels[i])
	}
	tr, va, _, err := data.StratifiedSplit(labels, d.Train.Classes, frac, 0, seed, d.Train.ClassName)
	if err != nil {
		return nil, "", fmt.Errorf("train: --val-fraction %v of %d training samples: %w", frac, n, err)
	}
	v := &Data{Name: d.Name + " (validation split)", Source: d.Source, Train: d.Train.Subset(tr), Test: d.Train.Subset(va)}
	return v, fmt.Sprintf("validation: %d of the first %d training samples (stratified, seed %d), not the test split", len(va), n, seed), nil
}
