package train

import (
	"fmt"
	"testing"

	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
)

// BenchmarkTrainStep measures one optimisation step (forward, backward, AdamW) on a batch of
// 64 Fashion-MNIST images for every method of the results sweep on both models, side by
// side, and reports training samples per second and the process's CPU time per step
// (cpu-ms/op, steadier than wall time on a shared machine). Run with
//
//	go test ./train -run '^$' -bench TrainStep -benchtime 20x -count 3
//
// (-count repeats the whole set, so that a change of load hits every method). On mnist-cnn
// four adapter settings run a second time with the factored (thin-GEMM) path forced.
func BenchmarkTrainStep(b *testing.B) {
	d := loadSubset(b)
	const batch = 64
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
	}
	type benchCase struct {
		name string
		m    Method
		edit func(*Config)
		path peft.Path // forced on every adapted site (PathAuto: the layer's choice)
	}
	lora := func(rank int) benchCase {
		return benchCase{name: fmt.Sprintf("lora-r%d", rank), m: LoRA, edit: func(c *Config) { c.Rank = rank }}
	}
	qpeft := func(layers, rank int) benchCase {
		return benchCase{name: fmt.Sprintf("qpeft-L%d-K%d", layers, rank), m: QPEFT, edit: func(c *Config) { c.Layers, c.Rank = layers, rank }}
	}
	factored := func(c benchCase) benchCase {
		c.name += "-factored"
		c.path = peft.PathFactored
		return c
	}
	for _, model := range ModelNames {
		cases := []benchCase{{name: "head", m: Head}, lora(1), lora(2), lora(4), lora(8)}
		if model == ModelMNISTCNN {
			cases = append(cases, qpeft(1, 4), qpeft(2, 4), qpeft(4, 4), qpeft(2, 8))
		} else {
			cases = append(cases, qpeft(1, 8), qpeft(2, 8), qpeft(4, 8), qpeft(2, 32))
		}
		cases = append(cases, benchCase{name: "adalora-r8", m: AdaLoRA}, benchCase{name: "full", m: Full})
		if model == ModelMNISTCNN {
			// The thin-GEMM path forced on the CNN's patch maps, for comparison with the
			// dense path PathAuto takes there.
			cases = append(cases, factored(lora(1)), factored(lora(8)), factored(qpeft(2, 4)), factored(qpeft(2, 8)))
		}
		for _, c := range cases {
			b.Run(fmt.Sprintf("%s/%s", model, c.name), func(b *testing.B) {
				cfg := DefaultConfig(model, c.m)
				cfg.Data = DataFashionSubset
				if c.edit != nil {
					c.edit(&cfg)
				}
				m, err := LoadModel(model, 0)
				if err != nil {
					b.Fatal(err)
				}
				s, err := Prepare(cfg, m, 10, 1000)
				if err != nil {
					b.Fatal(err)
				}
				if c.path != peft.PathAuto {
					for _, site := range m.Net.MapSites() {
						if a, ok := site.Map.(*peft.Adapted[float32]); ok {
							a.Path = c.path
						}
					}
				}
				params := append(append([]*nn.Param(nil), s.Backbone...), s.HeadParams...)
				opt := nn.NewAdamW(params, 1e-4, 0)
				x, labels := batchOf(m, d.Train, idx)
				c0 := cpuSeconds()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					nn.ZeroGrad(params)
					logits := m.Net.Forward(x)
					_, dl := nn.SoftmaxCrossEntropy(logits, labels)
					m.Net.BackwardParams(dl)
					opt.Step()
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
				b.ReportMetric((cpuSeconds()-c0)*1e3/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
