package train

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/cputime"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// benchCase is one method setting of the step benchmarks.
type benchCase struct {
	name string
	m    Method
	edit func(*Config)
	path peft.Path // forced on every adapted site (PathAuto: the layer's own choice)
}

// benchCases returns the settings of the results sweep for model (head, LoRA r = 1, 2, 4, 8,
// the model's four Quantum-PEFT settings, AdaLoRA, full fine-tuning) and, on mnist-cnn, four
// adapter settings again with the factored (thin-GEMM) path forced and two with the dense
// path forced (∂ℓ/∂W = dyᵀ·x projected on the factors), for comparison with the fused path
// PathAuto takes on the CNN's patch maps.
func benchCases(model string) []benchCase {
	lora := func(rank int) benchCase {
		return benchCase{name: fmt.Sprintf("lora-r%d", rank), m: LoRA, edit: func(c *Config) { c.Rank = rank }}
	}
	qpeft := func(layers, rank int) benchCase {
		return benchCase{name: fmt.Sprintf("qpeft-L%d-K%d", layers, rank), m: QPEFT, edit: func(c *Config) { c.Layers, c.Rank = layers, rank }}
	}
	forced := func(c benchCase, p peft.Path) benchCase {
		c.name += "-" + p.String()
		c.path = p
		return c
	}
	factored := func(c benchCase) benchCase { return forced(c, peft.PathFactored) }
	cases := []benchCase{{name: "head", m: Head}, lora(1), lora(2), lora(4), lora(8)}
	if model == ModelMNISTCNN {
		cases = append(cases, qpeft(1, 4), qpeft(2, 4), qpeft(4, 4), qpeft(2, 8))
	} else {
		cases = append(cases, qpeft(1, 8), qpeft(2, 8), qpeft(4, 8), qpeft(2, 32))
	}
	cases = append(cases, benchCase{name: "adalora-r8", m: AdaLoRA}, benchCase{name: "full", m: Full})
	if model == ModelMNISTCNN {
		cases = append(cases, factored(lora(1)), factored(lora(8)), factored(qpeft(2, 4)), factored(qpeft(2, 8)),
			forced(lora(8), peft.PathDense), forced(qpeft(2, 4), peft.PathDense))
	}
	return cases
}

// benchBatch is the mini-batch of the step benchmarks.
const benchBatch = 64

// prepareStep prepares c on a fresh copy of model and returns one optimisation step
// (forward, backward, AdamW) on the first 64 images of d.
func prepareStep(b *testing.B, model string, c benchCase, d *Data) func() {
	b.Helper()
	cfg := DefaultConfig(model, c.m)
	cfg.Data = DataFashionSubset
	if c.edit != nil {
		c.edit(&cfg)
	}
	m, err := LoadModel(model, 0)
	require.NoError(b, err)
	s, err := Prepare(cfg, m, 10, 1000)
	require.NoError(b, err)
	if c.path != peft.PathAuto {
		for _, site := range m.Net.MapSites() {
			if a, ok := site.Map.(*peft.Adapted[float32]); ok {
				a.Path = c.path
			}
		}
	}
	params := append(append([]*nn.Param(nil), s.Backbone...), s.HeadParams...)
	opt := nn.NewAdamW(params, 1e-4, 0)
	idx := make([]int, benchBatch)
	for i := range idx {
		idx[i] = i
	}
	x, labels := batchOf(m, d.Train, idx)
	return func() {
		nn.ZeroGrad(params)
		logits := m.Net.Forward(x)
		_, dl := nn.SoftmaxCrossEntropy(logits, labels)
		m.Net.BackwardParams(dl)
		opt.Step()
	}
}

// BenchmarkTrainStep measures one optimisation step (forward, backward, AdamW) on a batch of
// 64 Fashion-MNIST images for every method of the results sweep on both models, side by
// side, and reports training samples per second and the process's CPU time per step
// (cpu-ms/op, steadier than wall time on a shared machine). Run with
//
//	go test ./train -run '^$' -bench TrainStep -benchtime 20x -count 3
//
// (-count repeats the whole set, so that a change of load hits every method).
func BenchmarkTrainStep(b *testing.B) {
	d := loadSubset(b)
	for _, model := range ModelNames {
		for _, c := range benchCases(model) {
			b.Run(fmt.Sprintf("%s/%s", model, c.name), func(b *testing.B) {
				step := prepareStep(b, model, c, d)
				c0 := cputime.Process().Seconds()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					step()
				}
				b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "samples/s")
				b.ReportMetric((cputime.Process().Seconds()-c0)*1e3/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// BenchmarkTrainStepVsFull times every method's step interleaved with a full fine-tuning
// step of the same model (method, full, method, full, …), so that both see the same load,
// and reports full's time over the method's (above 1: the method is faster) in wall time
// (vs-full), in the process's CPU time (cpu-vs-full, steadier on a shared machine) and for
// the fastest step of each (best-vs-full), with the method's samples per second:
//
//	go test ./train -run '^$' -bench TrainStepVsFull -benchtime 40x -count 3
func BenchmarkTrainStepVsFull(b *testing.B) {
	d := loadSubset(b)
	for _, model := range ModelNames {
		for _, c := range benchCases(model) {
			if c.m == Full {
				continue
			}
			b.Run(fmt.Sprintf("%s/%s", model, c.name), func(b *testing.B) {
				step := prepareStep(b, model, c, d)
				full := prepareStep(b, model, benchCase{name: "full", m: Full}, d)
				var tm, tf, bm, bf time.Duration
				var cm, cf float64
				timed := func(f func(), wall *time.Duration, cpu *float64, best *time.Duration) {
					c0, t0 := cputime.Process().Seconds(), time.Now()
					f()
					dt := time.Since(t0)
					*cpu += cputime.Process().Seconds() - c0
					*wall += dt
					if *best == 0 || dt < *best {
						*best = dt
					}
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					timed(step, &tm, &cm, &bm)
					timed(full, &tf, &cf, &bf)
				}
				b.ReportMetric(tf.Seconds()/tm.Seconds(), "vs-full")
				b.ReportMetric(cf/cm, "cpu-vs-full")
				b.ReportMetric(bf.Seconds()/bm.Seconds(), "best-vs-full")
				b.ReportMetric(float64(b.N*benchBatch)/tm.Seconds(), "samples/s")
			})
		}
	}
}
