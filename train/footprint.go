package train

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/sim"
)

// trainBaseline is what a training process holds besides the parts Footprint counts: the Go
// runtime, the program with its embedded models and data, and the set-up (qpeft train of
// mlp512 on the 5 MiB embedded subset peaks at 52 MiB, of which the probed parts are about
// 10).
const trainBaseline = 40 << 20

// gcHeadroom is how far above the bytes one step or one evaluation batch allocates and
// drops the heap may grow before the collector reclaims them (the Go collector lets the heap
// reach about twice what was live after the last collection, and a little more while it
// marks).
const gcHeadroom = 2.5

// probeBatches are the two batch sizes Footprint runs to measure how the buffers a batch
// keeps, and those it drops, grow with the batch.
var probeBatches = [2]int{32, 128}

// Footprint predicts the peak memory of Run(ctx, cfg, out, Options{Data: d}) before any
// training: the process, the data, the weights with their gradients and optimiser state, the
// buffers the layers and adapters keep between calls (sized by the largest batch they see:
// the training batch or the evaluation batch of up to 500), the smaller ones they drop when
// they grow, and what one call allocates and drops, with the collector's headroom. The
// buffers are measured on a private copy of the model with the run's adapters: an evaluation
// pass and a training step, each run twice (the first run allocates the kept buffers, the
// second only what a call drops) at two small batch sizes (probeBatches), extended linearly
// to the run's batch sizes. The run itself is left untouched (same results, bit for bit).
func Footprint(cfg Config, d *Data) (sim.Footprint, error) {
	f := sim.Footprint{What: fmt.Sprintf("training %s on %s (%s)", cfg.Model, d.Name, cfg.Label()),
		Hint: "use a smaller --batch or --test-limit"}
	f.Add("the training process", trainBaseline-sim.ProcessBaseline)
	dataBytes := 0.0
	for _, ds := range []*data.Dataset{d.Train, d.Test} {
		dataBytes += float64(len(ds.Images) + len(ds.Labels))
	}
	f.Add("data", dataBytes)
	m, err := LoadModel(cfg.Model, cfg.PixelScale)
	if err != nil {
		return f, err
	}
	// The probe's copy of the model and its buffers are garbage once it is done: collect
	// them and give their pages back, so that the run starts from where it would have.
	defer func() {
		m = nil
		debug.FreeOSMemory()
	}()
	trainN, testN := cfg.sizes(d)
	evalN := min(evalBatch, testN)
	batch := 0
	if cfg.Method != ZeroShot {
		batch = min(cfg.Batch, trainN)
		if _, err := Prepare(cfg, m, d.Train.Classes, max(1, trainN/max(batch, 1)*cfg.Epochs)); err != nil {
			return f, err
		}
	}
	params := 0.0
	for _, p := range m.Net.Params() {
		params += float64(len(p.Value)) * 4
		if p.Trainable {
			params += float64(len(p.Value)) * (4 + 8 + 8) // gradient, Adam's two moments
		}
	}
	f.Add("weights, gradients and optimiser state", params)

	evalKept, evalDropped, err := probe(func(b int) error {
		x, _ := batchOf(m, d.Test, probeIndices(b, d.Test.N))
		_, err := forward(m.Net, x)
		return err
	})
	if err != nil {
		return f, err
	}
	stepKept, stepDropped := evalKept, evalDropped
	if batch > 0 {
		ps := m.Net.Params()
		stepKept, stepDropped, err = probe(func(b int) error {
			x, labels := batchOf(m, d.Train, probeIndices(b, d.Train.N))
			nn.ZeroGrad(ps)
			logits, err := forward(m.Net, x)
			if err != nil {
				return err
			}
			_, dl := nn.SoftmaxCrossEntropy(logits, labels)
			m.Net.BackwardParams(dl)
			return adapterErr(m.Net)
		})
		if err != nil {
			return f, err
		}
	}
	largest := max(evalN, batch)
	f.Add(fmt.Sprintf("buffers the layers keep for batches of %d", largest), evalKept(largest))
	if batch > 0 {
		f.Add(fmt.Sprintf("buffers the backward pass keeps for batches of %d", batch), stepKept(batch))
		f.Add("buffers dropped when they grow", evalKept(min(evalN, batch)))
	}
	dropped := evalDropped(evalN)
	if batch > 0 {
		dropped = math.Max(dropped, stepDropped(batch))
	}
	f.Add("what a call allocates and drops, with the collector's headroom", gcHeadroom*dropped)
	return f, nil
}

// allocated returns the bytes f allocates on the heap, after a collection (which also
// empties the pools of scratch buffers, as collections during the run do).
func allocated(f func() error) (float64, error) {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	err := f()
	runtime.ReadMemStats(&b)
	return float64(b.TotalAlloc - a.TotalAlloc), err
}

// probe runs f twice at each of the probe batch sizes, in increasing order, and returns
// the bytes the buffers f keeps take (what the first run at a size allocates beyond the
// second) and the bytes one call allocates and drops (the second run), each as a line through
// the two sizes extended to any batch size (the smaller probe's value below it).
func probe(f func(b int) error) (kept, dropped func(n int) float64, err error) {
	var k, d [2]float64
	for i, b := range probeBatches {
		first, err := allocated(func() error { return f(b) })
		if err != nil {
			return nil, nil, err
		}
		// The least of three repeats: goroutines that happen to take part in a call, or a
		// collection emptying a pool, add a little to some calls.
		again := math.Inf(1)
		for range 3 {
			v, err := allocated(func() error { return f(b) })
			if err != nil {
				return nil, nil, err
			}
			again = math.Min(again, v)
		}
		k[i], d[i] = math.Max(0, first-again), again
	}
	line := func(y [2]float64) func(n int) float64 {
		b0, b1 := float64(probeBatches[0]), float64(probeBatches[1])
		slope := math.Max(0, (y[1]-y[0])/(b1-b0))
		return func(n int) float64 { return y[0] + slope*math.Max(0, float64(n)-b0) }
	}
	return line(k), line(d), nil
}

func probeIndices(b, n int) []int {
	idx := make([]int, b)
	for i := range idx {
		idx[i] = i % max(n, 1)
	}
	return idx
}
