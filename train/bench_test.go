package train

import (
	"fmt"
	"testing"

	"github.com/qpeft/qpeft/nn"
)

// BenchmarkTrainStep measures one optimisation step (forward, backward, AdamW) on a batch of
// 64 Fashion-MNIST images for every method on both models, side by side, and reports
// training samples per second. Run with
//
//	go test ./train -run '^$' -bench TrainStep -benchtime 20x
func BenchmarkTrainStep(b *testing.B) {
	d := loadSubset(b)
	const batch = 64
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
	}
	for _, model := range ModelNames {
		for _, c := range []struct {
			name string
			m    Method
			edit func(*Config)
		}{
			{"head", Head, nil},
			{"lora-r1", LoRA, func(c *Config) { c.Rank = 1 }},
			{"lora-r8", LoRA, func(c *Config) { c.Rank = 8 }},
			{"qpeft-L2-K4", QPEFT, func(c *Config) { c.Layers, c.Rank = 2, 4 }},
			{"qpeft-L2-K8", QPEFT, func(c *Config) { c.Layers, c.Rank = 2, 8 }},
			{"adalora-r8", AdaLoRA, nil},
			{"full", Full, nil},
		} {
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
				params := append(append([]*nn.Param(nil), s.Backbone...), s.HeadParams...)
				opt := nn.NewAdamW(params, 1e-4, 0)
				x, labels := batchOf(m, d.Train, idx)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					nn.ZeroGrad(params)
					logits := m.Net.Forward(x)
					_, dl := nn.SoftmaxCrossEntropy(logits, labels)
					m.Net.BackwardParams(dl)
					opt.Step()
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
