package nn

import "fmt"

// Metrics summarises a model on a set of labelled samples.
type Metrics struct {
	// Loss is the mean softmax cross-entropy.
	Loss float64
	// Accuracy is the fraction of samples whose argmax is the label.
	Accuracy float64
	// N is the number of samples.
	N int
}

// String formats the metrics.
func (m Metrics) String() string {
	return fmt.Sprintf("loss %.4f, accuracy %.2f%% (%d samples)", m.Loss, 100*m.Accuracy, m.N)
}

// Evaluate runs model on x (shape (N, ...)) in mini-batches of batchSize along the first
// dimension and returns the mean cross-entropy and accuracy against labels. It panics if
// len(labels) differs from N or batchSize is not positive.
func Evaluate[T Float](model Layer[T], x *Tensor[T], labels []int, batchSize int) Metrics {
	if len(x.Shape) == 0 || x.Shape[0] != len(labels) || batchSize <= 0 {
		panic(fmt.Sprintf("nn: Evaluate: inputs %v with %d labels, batch %d", x.Shape, len(labels), batchSize))
	}
	n := len(labels)
	var loss float64
	correct := 0
	for lo := 0; lo < n; lo += batchSize {
		hi := min(n, lo+batchSize)
		logits := model.Forward(x.Slice(lo, hi))
		l, _ := SoftmaxCrossEntropy(logits, labels[lo:hi])
		loss += l * float64(hi-lo)
		for i, p := range Argmax(logits) {
			if p == labels[lo+i] {
				correct++
			}
		}
	}
	if n == 0 {
		return Metrics{}
	}
	return Metrics{Loss: loss / float64(n), Accuracy: float64(correct) / float64(n), N: n}
}

// TrainStep performs one optimisation step on a mini-batch: it zeroes the gradients of the
// optimiser's parameters, runs Forward, the softmax cross-entropy loss and [BackwardParams]
// (only the work trainable parameters need), clips the
// global gradient norm to clip (if clip > 0) and calls opt.Step. It returns the batch loss,
// accuracy and gradient norm before clipping.
func TrainStep[T Float](model Layer[T], opt Optimizer, x *Tensor[T], labels []int, clip float64) (loss, acc, gradNorm float64) {
	ZeroGrad(opt.Params())
	logits := model.Forward(x)
	loss, dlogits := SoftmaxCrossEntropy(logits, labels)
	acc = Accuracy(logits, labels)
	BackwardParams(model, dlogits)
	gradNorm = ClipGradNorm(opt.Params(), clip)
	opt.Step()
	return loss, acc, gradNorm
}
