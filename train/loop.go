package train

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/qpeft/qpeft/internal/cputime"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// Learner is a classifier being fine-tuned, as the training loop sees it: the image networks
// of a [Session], the BERT text classifier of a text run and a head on cached features all
// implement it.
type Learner interface {
	// Forward runs the training samples idx and returns their logits (len(idx) × classes),
	// their labels and the number of tokens the batch held (0 when the samples are not
	// token sequences). An error stops the run (e.g. an adapter whose angles became NaN).
	Forward(idx []int) (logits *nn.Tensor[float32], labels []int, tokens int, err error)
	// Backward accumulates the gradients of the trainable parameters from ∂ℓ/∂logits of the
	// last Forward; an error stops the run.
	Backward(dlogits *nn.Tensor[float32]) error
}

// Group is a set of trainable parameters stepped by its own AdamW at its own learning rate.
type Group struct {
	// Name names the group in messages (adapters, head, pretrained weights, …).
	Name string
	// Params are the parameters of the group.
	Params []*nn.Param
	// LR returns the learning rate of optimisation step step (from 0).
	LR func(step int) float64
}

// WarmupCosineLR returns the schedule of [nn.WarmupCosine] from peak down to peak/100 over
// total steps with warm linear warm-up steps.
func WarmupCosineLR(peak float64, warm, total int) func(int) float64 {
	return nn.WarmupCosine{Peak: peak, Final: peak / 100, WarmupSteps: warm, TotalSteps: total}.LR
}

// Loop is the training loop shared by every model: for each epoch, for each mini-batch,
// it steps the adapters' pruning schedules, computes the loss and its gradients, adds the
// adapters' regularisers, stops on a non-finite loss, gradient or parameter, clips the
// global gradient norm and steps every group's AdamW at its scheduled learning rate; after
// each epoch it evaluates when Eval is set. It reports progress and records the epochs and
// the training curve.
type Loop struct {
	// Learner is the model being trained.
	Learner Learner
	// Groups are the trainable parameters and their learning rates.
	Groups []Group
	// Params, when set, are every trainable parameter in the order the global gradient norm
	// sums them (a run keeps the order of its recorded results); nil: the groups' in order.
	Params []*nn.Param
	// WeightDecay is AdamW's decoupled decay; Clip the global gradient-norm bound (0: none).
	WeightDecay, Clip float64
	// Epochs is the number of epochs; Batches returns the mini-batches (sample indices) of
	// epoch e (from 0).
	Epochs  int
	Batches func(epoch int) [][]int
	// Adapters, when set, are stepped (pruning schedules) and regularised (penalties added
	// to the loss and their gradients) at every step.
	Adapters *peft.Checkpoint
	// Eval, when set, scores the model after every epoch.
	Eval func(ctx context.Context) (Score, error)
	// LogEvery is the number of steps averaged into one point of the training curve (0:
	// no curve).
	LogEvery int
	// Progress receives reports; nil for none.
	Progress Progress
	// AfterBackward is called with the step number (from 1) after the gradients of a step
	// are computed, before they are checked and applied; AfterStep after the step. Tests
	// use them.
	AfterBackward, AfterStep func(step int)
	// Out is the output directory of the run, named in the message of a diverged run.
	Out string
}

// LoopEpoch is what the loop measured in one epoch.
type LoopEpoch struct {
	Epoch, Steps int
	// Step is the global step count at the end of the epoch.
	Step int
	// Loss and Accuracy are the means over the epoch's steps of the batch loss (with the
	// adapters' penalties) and accuracy.
	Loss, Accuracy float64
	// Samples and Tokens are the work done; Seconds and CPUSeconds the wall and process
	// CPU time of the epoch's steps (evaluation excluded).
	Samples, Tokens     int
	Seconds, CPUSeconds float64
	// Test is Eval's score after the epoch (nil without Eval); EvalSeconds its time.
	Test        *Score
	EvalSeconds float64
}

// LoopResult is what a loop recorded.
type LoopResult struct {
	Epochs []LoopEpoch
	// Curve is the training curve (LogEvery > 0).
	Curve []CurvePoint
	// Steps is the number of optimisation steps taken.
	Steps int
}

// Run trains. It returns ctx's error when ctx is cancelled between steps, and a wrapped
// *nn.NonFiniteError naming the step, tensor and group when the loss, a gradient or a
// parameter becomes non-finite (before the optimiser step for the loss and gradients).
func (l *Loop) Run(ctx context.Context) (*LoopResult, error) {
	prog := progressOrNop(l.Progress)
	opts := make([]*nn.Adam, len(l.Groups))
	trainable := l.Params
	for i, g := range l.Groups {
		opts[i] = nn.NewAdamW(g.Params, g.LR(0), l.WeightDecay)
		if l.Params == nil {
			trainable = append(trainable, g.Params...)
		}
	}
	var prunables []peft.Prunable
	var regs []interface{ Regularize() float64 }
	if l.Adapters != nil {
		for _, mod := range l.Adapters.Modules {
			if p, ok := mod.Adapter.(peft.Prunable); ok {
				prunables = append(prunables, p)
			}
			if r, ok := mod.Adapter.(interface{ Regularize() float64 }); ok {
				regs = append(regs, r)
			}
		}
	}
	res := &LoopResult{}
	step := 0
	// diverged stops the run on a non-finite loss, gradient or parameter.
	diverged := func(err error) error {
		prog.Abort()
		var nf *nn.NonFiniteError
		if errors.As(err, &nf) {
			nf.Step = step + 1
		}
		if l.Out != "" {
			return fmt.Errorf("train: %w; nothing was written to %s (an earlier run there is kept)", err, l.Out)
		}
		return fmt.Errorf("train: %w", err)
	}
	var win curveWindow
	lastBatch := 0
	for e := 0; e < l.Epochs; e++ {
		batches := l.Batches(e)
		prog.BeginEpoch(e+1, l.Epochs, len(batches))
		start, cpuStart := time.Now(), cputime.Process().Seconds()
		ep := LoopEpoch{Epoch: e + 1, Steps: len(batches)}
		var lossSum, accSum float64
		for bi, idx := range batches {
			if err := ctx.Err(); err != nil {
				prog.Abort()
				return nil, err
			}
			for _, p := range prunables {
				if err := p.OnStep(step + 1); err != nil {
					prog.Abort()
					return nil, fmt.Errorf("train: step %d: %w", step+1, err)
				}
			}
			nn.ZeroGrad(trainable)
			logits, labels, tokens, err := l.Learner.Forward(idx)
			if err != nil {
				prog.Abort()
				return nil, fmt.Errorf("step %d: %w", step+1, err)
			}
			loss, dlogits := nn.SoftmaxCrossEntropy(logits, labels)
			acc := nn.Accuracy(logits, labels)
			if err := l.Learner.Backward(dlogits); err != nil {
				prog.Abort()
				return nil, fmt.Errorf("step %d: %w", step+1, err)
			}
			for _, r := range regs {
				loss += r.Regularize()
			}
			if l.AfterBackward != nil {
				l.AfterBackward(step + 1)
			}
			if err := nn.CheckLoss(loss); err != nil {
				return nil, diverged(err)
			}
			for _, g := range l.Groups {
				if err := nn.CheckGrads(g.Name, g.Params); err != nil {
					return nil, diverged(err)
				}
			}
			nn.ClipGradNorm(trainable, l.Clip)
			for i, g := range l.Groups {
				opts[i].SetLR(g.LR(step))
				opts[i].Step()
				if err := nn.CheckValues(g.Name, g.Params); err != nil {
					return nil, diverged(err)
				}
			}
			step++
			lossSum += loss
			accSum += acc
			ep.Samples += len(idx)
			ep.Tokens += tokens
			lastBatch = len(idx)
			if l.LogEvery > 0 {
				if pt, ok := win.add(step, step*lastBatch, loss, acc, l.LogEvery); ok {
					res.Curve = append(res.Curve, pt)
				}
			}
			prog.Step(bi+1, lossSum/float64(bi+1), accSum/float64(bi+1), float64(ep.Samples)/time.Since(start).Seconds())
			if l.AfterStep != nil {
				l.AfterStep(step)
			}
		}
		ep.Seconds, ep.CPUSeconds = time.Since(start).Seconds(), cputime.Process().Seconds()-cpuStart
		ep.Step = step
		if n := len(batches); n > 0 {
			ep.Loss, ep.Accuracy = lossSum/float64(n), accSum/float64(n)
		}
		info := EpochInfo{Epoch: e + 1, Step: step, TrainLoss: ep.Loss, TrainAccuracy: ep.Accuracy}
		if l.Eval != nil {
			t0 := time.Now()
			sc, err := l.Eval(ctx)
			if err != nil {
				prog.Abort()
				return nil, err
			}
			ep.Test, ep.EvalSeconds = &sc, time.Since(t0).Seconds()
			info.TestLoss, info.TestAccuracy, info.tested = sc.Loss, sc.Accuracy, true
		}
		res.Epochs = append(res.Epochs, ep)
		prog.EndEpoch(info, ep.Seconds, float64(ep.Samples)/ep.Seconds)
	}
	res.Steps = step
	if l.LogEvery > 0 {
		if pt, ok := win.flush(step, step*lastBatch); ok {
			res.Curve = append(res.Curve, pt)
		}
	}
	return res, nil
}

// curveWindow averages the per-step loss and accuracy over windows of steps.
type curveWindow struct {
	loss, acc float64
	n         int
}

func (w *curveWindow) add(step, samples int, loss, acc float64, every int) (CurvePoint, bool) {
	w.loss += loss
	w.acc += acc
	w.n++
	if w.n < every {
		return CurvePoint{}, false
	}
	return w.flush(step, samples)
}

func (w *curveWindow) flush(step, samples int) (CurvePoint, bool) {
	if w.n == 0 {
		return CurvePoint{}, false
	}
	pt := CurvePoint{Step: step, Samples: samples, Loss: w.loss / float64(w.n), Accuracy: w.acc / float64(w.n)}
	*w = curveWindow{}
	return pt, true
}
