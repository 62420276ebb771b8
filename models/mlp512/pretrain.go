package mlp512

import (
	"context"
	"fmt"
	"io"

	"github.com/qpeft/qpeft/data"
	"github.com/qpeft/qpeft/nn"
)

// PretrainConfig are the settings of [Pretrain].
type PretrainConfig struct {
	// Epochs over the training set, mini-batch size, peak learning rate and AdamW's
	// decoupled weight decay.
	Epochs, Batch   int
	LR, WeightDecay float64
	// WarmupSteps of linear warm-up before the cosine decay to LR/100.
	WarmupSteps int
	// Seed seeds the initialisation and the shuffling.
	Seed uint64
}

// DefaultPretrain is the recipe the embedded weights were made with (see PROVENANCE.md).
var DefaultPretrain = PretrainConfig{Epochs: 6, Batch: 128, LR: 2e-3, WeightDecay: 1e-4, WarmupSteps: 200, Seed: 20260512}

// Pretrain trains a fresh 784-512-512-10 MLP ([New] with cfg.Seed) on train with AdamW and a
// warm-up + cosine schedule, and returns it with its metrics on test. The result depends only
// on the data, the settings and the float32 kernel (nn.SIMD): same inputs, same bits. Progress
// lines go to log (nil for none). It stops with ctx's error if ctx is cancelled.
func Pretrain(ctx context.Context, train, test *data.Dataset, cfg PretrainConfig, log io.Writer) (*nn.Sequential[float32], nn.Metrics, error) {
	if cfg.Epochs < 1 || cfg.Batch < 1 || cfg.LR <= 0 || cfg.WeightDecay < 0 || cfg.WarmupSteps < 0 {
		return nil, nn.Metrics{}, fmt.Errorf("mlp512: pretrain settings %+v: epochs, batch and lr must be positive", cfg)
	}
	if train.Rows*train.Cols != Sizes[0] || test.Rows*test.Cols != Sizes[0] {
		return nil, nn.Metrics{}, fmt.Errorf("mlp512: pretraining needs %d-pixel images, got %dx%d", Sizes[0], train.Rows, train.Cols)
	}
	if log == nil {
		log = io.Discard
	}
	net := New(Sizes, cfg.Seed)
	params := net.Params()
	opt := nn.NewAdamW(params, cfg.LR, cfg.WeightDecay)
	perEpoch := train.N / cfg.Batch
	sched := nn.WarmupCosine{Peak: cfg.LR, Final: cfg.LR / 100, WarmupSteps: cfg.WarmupSteps, TotalSteps: cfg.Epochs * perEpoch}
	xt, lt := data.All[float32](test, PixelScale)
	step := 0
	for e := 0; e < cfg.Epochs; e++ {
		var loss, acc float64
		batches := data.EpochBatches(train.N, cfg.Batch, cfg.Seed, e, true)
		for _, idx := range batches {
			if err := ctx.Err(); err != nil {
				return nil, nn.Metrics{}, err
			}
			x, labels := data.Batch[float32](train, idx, PixelScale)
			opt.SetLR(sched.LR(step))
			l, a, _ := nn.TrainStep[float32](net, opt, x, labels, 1)
			loss += l
			acc += a
			step++
		}
		m := nn.Evaluate[float32](net, xt, lt, 1000)
		fmt.Fprintf(log, "epoch %d/%d: train loss %.4f, train accuracy %.2f%%; test %v\n", e+1, cfg.Epochs,
			loss/float64(len(batches)), 100*acc/float64(len(batches)), m)
	}
	return net, nn.Evaluate[float32](net, xt, lt, 1000), nil
}
