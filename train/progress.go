package train

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress receives reports from a run.
type Progress interface {
	// Logf reports a line of information.
	Logf(format string, args ...any)
	// BeginEpoch starts epoch (from 1) of epochs, with steps optimisation steps.
	BeginEpoch(epoch, epochs, steps int)
	// Step reports step (from 1) of the current epoch, with the epoch's mean loss and
	// accuracy so far and the training throughput.
	Step(step int, loss, acc, samplesPerSec float64)
	// EndEpoch reports the finished epoch with its test score and timing.
	EndEpoch(e EpochInfo, seconds, samplesPerSec float64)
	// Abort ends the current epoch's display early (the run is failing or cancelled).
	Abort()
}

type nopProgress struct{}

// progressOrNop returns p, or a Progress that reports nothing when p is nil.
func progressOrNop(p Progress) Progress {
	if p == nil {
		return nopProgress{}
	}
	return p
}

func (nopProgress) Logf(string, ...any)                  {}
func (nopProgress) BeginEpoch(int, int, int)             {}
func (nopProgress) Step(int, float64, float64, float64)  {}
func (nopProgress) EndEpoch(EpochInfo, float64, float64) {}
func (nopProgress) Abort()                               {}

// NewProgress returns a Progress writing to w: an animated progress bar with loss, accuracy
// and samples/s when bar is true (a terminal), plain lines otherwise (about ten per epoch),
// which suit logs and CI.
func NewProgress(w io.Writer, bar bool) Progress {
	if bar {
		return &barProgress{w: w}
	}
	return &lineProgress{w: w}
}

type lineProgress struct {
	w              io.Writer
	epoch, epochs  int
	steps, every   int
	lastLoss, last float64
}

func (p *lineProgress) Logf(format string, args ...any) { fmt.Fprintf(p.w, format+"\n", args...) }

func (p *lineProgress) BeginEpoch(epoch, epochs, steps int) {
	p.epoch, p.epochs, p.steps = epoch, epochs, steps
	p.every = max(1, steps/10)
}

func (p *lineProgress) Step(step int, loss, acc, sps float64) {
	if step%p.every == 0 && step != p.steps {
		fmt.Fprintf(p.w, "epoch %d/%d  step %d/%d  loss %.4f  accuracy %.2f%%  %.0f samples/s\n",
			p.epoch, p.epochs, step, p.steps, loss, 100*acc, sps)
	}
}

func (p *lineProgress) EndEpoch(e EpochInfo, secs, sps float64) {
	endEpochLine(p.w, p.epochs, e, secs, sps)
}

// endEpochLine prints the summary line of a finished epoch (the test part when the epoch was
// evaluated).
func endEpochLine(w io.Writer, epochs int, e EpochInfo, secs, sps float64) {
	fmt.Fprintf(w, "epoch %d/%d  done in %.1fs (%.0f samples/s)  train loss %.4f accuracy %.2f%%", e.Epoch, epochs, secs, sps, e.TrainLoss, 100*e.TrainAccuracy)
	if e.tested {
		fmt.Fprintf(w, "  test loss %.4f accuracy %.2f%%", e.TestLoss, 100*e.TestAccuracy)
	}
	fmt.Fprintln(w)
}

func (p *lineProgress) Abort() {}

type barProgress struct {
	w             io.Writer
	bar           *progressbar.ProgressBar
	epoch, epochs int
}

func (p *barProgress) Logf(format string, args ...any) { fmt.Fprintf(p.w, format+"\n", args...) }

func (p *barProgress) BeginEpoch(epoch, epochs, steps int) {
	p.epoch, p.epochs = epoch, epochs
	p.bar = progressbar.NewOptions(steps,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, epochs)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true),
	)
}

func (p *barProgress) Step(step int, loss, acc, sps float64) {
	if p.bar == nil {
		return
	}
	p.bar.Describe(fmt.Sprintf("epoch %d/%d  loss %.4f  acc %.2f%%  %.0f samples/s", p.epoch, p.epochs, loss, 100*acc, sps))
	_ = p.bar.Set(step)
}

func (p *barProgress) EndEpoch(e EpochInfo, secs, sps float64) {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
	endEpochLine(p.w, p.epochs, e, secs, sps)
}

func (p *barProgress) Abort() {
	if p.bar != nil {
		_ = p.bar.Exit()
		fmt.Fprintln(p.w)
		p.bar = nil
	}
}
