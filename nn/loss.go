package nn

import (
	"fmt"
	"math"
)

// SoftmaxCrossEntropy returns the mean over the batch of −log softmax(logits)[label] and its
// gradient with respect to the logits, (softmax − onehot)/N. logits has shape (N, C); labels
// has N entries in [0, C). The log-sum-exp is computed stably in float64 (max subtracted).
// It panics on mismatched sizes or an out-of-range label (programmer errors: data loaders
// validate labels).
func SoftmaxCrossEntropy[T Float](logits *Tensor[T], labels []int) (loss float64, dlogits *Tensor[T]) {
	n, c := checkLogits(logits, labels, "SoftmaxCrossEntropy")
	dlogits = New[T](n, c)
	p := make([]float64, c)
	inv := 1 / float64(n)
	for i := 0; i < n; i++ {
		row := logits.Data[i*c : (i+1)*c]
		lse := logSumExp(row, p)
		loss += lse - float64(row[labels[i]])
		d := dlogits.Data[i*c : (i+1)*c]
		for j := range d {
			g := p[j]
			if j == labels[i] {
				g--
			}
			d[j] = T(g * inv)
		}
	}
	return loss * inv, dlogits
}

// logSumExp returns log Σ exp(row) and leaves softmax(row) in p.
func logSumExp[T Float](row []T, p []float64) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, float64(v))
	}
	var s float64
	for j, v := range row {
		p[j] = math.Exp(float64(v) - m)
		s += p[j]
	}
	for j := range p {
		p[j] /= s
	}
	return m + math.Log(s)
}

func checkLogits[T Float](logits *Tensor[T], labels []int, fn string) (n, c int) {
	if len(logits.Shape) != 2 || logits.Shape[0] != len(labels) || logits.Shape[1] == 0 {
		panic(fmt.Sprintf("nn: %s: logits %v with %d labels, want (%d, C)", fn, logits.Shape, len(labels), len(labels)))
	}
	n, c = logits.Shape[0], logits.Shape[1]
	for i, l := range labels {
		if l < 0 || l >= c {
			panic(fmt.Sprintf("nn: %s: label %d of sample %d outside [0, %d)", fn, l, i, c))
		}
	}
	return n, c
}

// Softmax returns the row-wise softmax of logits of shape (N, C), computed stably in float64.
func Softmax[T Float](logits *Tensor[T]) *Tensor[T] {
	if len(logits.Shape) != 2 {
		panic(fmt.Sprintf("nn: Softmax: logits %v, want (N, C)", logits.Shape))
	}
	n, c := logits.Shape[0], logits.Shape[1]
	out := New[T](n, c)
	p := make([]float64, c)
	for i := 0; i < n; i++ {
		logSumExp(logits.Data[i*c:(i+1)*c], p)
		for j, v := range p {
			out.Data[i*c+j] = T(v)
		}
	}
	return out
}

// Argmax returns, for each row of logits (N, C), the index of its largest entry (the first on
// ties).
func Argmax[T Float](logits *Tensor[T]) []int {
	if len(logits.Shape) != 2 || logits.Shape[1] == 0 {
		panic(fmt.Sprintf("nn: Argmax: logits %v, want (N, C) with C > 0", logits.Shape))
	}
	n, c := logits.Shape[0], logits.Shape[1]
	out := make([]int, n)
	for i := range out {
		row := logits.Data[i*c : (i+1)*c]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[i] = best
	}
	return out
}

// Accuracy returns the fraction of rows whose argmax equals the label (0 for an empty batch).
func Accuracy[T Float](logits *Tensor[T], labels []int) float64 {
	checkLogits(logits, labels, "Accuracy")
	if len(labels) == 0 {
		return 0
	}
	correct := 0
	for i, p := range Argmax(logits) {
		if p == labels[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(labels))
}
