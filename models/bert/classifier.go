package bert

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/qpeft/qpeft/nn"
)

// Pooling turns a sequence's hidden states into one vector.
type Pooling string

// Pooling modes.
const (
	// PoolMean averages the hidden states of the sequence's tokens (sentence-transformers'
	// mean pooling, what all-MiniLM-L6-v2 is trained with).
	PoolMean Pooling = "mean"
	// PoolCLS takes the hidden state of the first token ([CLS] or <s>).
	PoolCLS Pooling = "cls"
	// PoolPooler applies BertPooler to the first token: tanh(dense(h₀)), as
	// BertForSequenceClassification does (needs a checkpoint with pooler weights).
	PoolPooler Pooling = "pooler"
)

// ParsePooling reads a pooling name.
func ParsePooling(s string) (Pooling, error) {
	switch p := Pooling(strings.ToLower(s)); p {
	case PoolMean, PoolCLS, PoolPooler:
		return p, nil
	case "":
		return PoolMean, nil
	}
	return "", fmt.Errorf("bert: unknown pooling %q (want mean, cls or pooler)", s)
}

// Classifier is an encoder, a pooling and a linear classification head (no dropout):
// logits = Head(pool(Encoder(batch))).
type Classifier[T nn.Float] struct {
	Encoder *Encoder[T]
	Pooling Pooling
	// Head maps the pooled vector (H) to the class logits; it is trainable.
	Head *nn.Linear[T]

	batch     *Batch
	hidden    *nn.Tensor[T]
	first     *nn.Tensor[T] // first-token states (cls, pooler)
	pooledPre *nn.Tensor[T] // pooler output before tanh
	pooled    *nn.Tensor[T]
}

// NewClassifier returns a classifier with a zero-initialised head of the given number of
// classes (a zero head predicts uniformly, so every fine-tuning method starts from the same
// point). The head's parameters are named "classifier.weight" and "classifier.bias".
func NewClassifier[T nn.Float](enc *Encoder[T], pooling Pooling, classes int) (*Classifier[T], error) {
	if classes < 2 {
		return nil, fmt.Errorf("bert: a classifier needs at least 2 classes, not %d", classes)
	}
	if _, err := ParsePooling(string(pooling)); err != nil {
		return nil, err
	}
	if pooling == PoolPooler && enc.Pooler == nil {
		return nil, fmt.Errorf("bert: pooling %q needs pooler.dense weights, which the checkpoint lacks; use mean or cls", pooling)
	}
	h := enc.Config.HiddenSize
	w, b := nn.NewParam("classifier.weight", classes, h), nn.NewParam("classifier.bias", classes)
	return &Classifier[T]{Encoder: enc, Pooling: pooling, Head: nn.NewLinearFrom[T](w, b)}, nil
}

// Classes returns the number of classes.
func (c *Classifier[T]) Classes() int { o, _ := c.Head.Dims(); return o }

// Features returns the pooled vectors (sequences × H) of a batch.
func (c *Classifier[T]) Features(b *Batch) (*nn.Tensor[T], error) {
	hs, err := c.Encoder.Forward(b)
	if err != nil {
		return nil, err
	}
	c.batch, c.hidden = b, hs
	h := hs.Shape[1]
	out := nn.New[T](b.Len(), h)
	switch c.Pooling {
	case PoolMean:
		for s := 0; s < b.Len(); s++ {
			o, e := b.Offsets[s], b.Offsets[s+1]
			acc := make([]float64, h)
			for t := o; t < e; t++ {
				for j, v := range hs.Data[t*h : (t+1)*h] {
					acc[j] += float64(v)
				}
			}
			for j := range acc {
				out.Data[s*h+j] = T(acc[j] / float64(e-o))
			}
		}
	default:
		c.first = nn.New[T](b.Len(), h)
		for s := 0; s < b.Len(); s++ {
			o := b.Offsets[s]
			copy(c.first.Data[s*h:(s+1)*h], hs.Data[o*h:(o+1)*h])
		}
		if c.Pooling == PoolCLS {
			copy(out.Data, c.first.Data)
			break
		}
		c.pooledPre = c.Encoder.Pooler.Forward(c.first)
		for i, v := range c.pooledPre.Data {
			out.Data[i] = T(math.Tanh(float64(v)))
		}
	}
	c.pooled = out
	return out, nil
}

// Forward returns the logits (sequences × classes) of a batch.
func (c *Classifier[T]) Forward(b *Batch) (*nn.Tensor[T], error) {
	f, err := c.Features(b)
	if err != nil {
		return nil, err
	}
	return c.Head.Forward(f), nil
}

// Backward takes ∂ℓ/∂logits of the last Forward and accumulates the gradients of the head
// and of every trainable encoder parameter (adapters, or all weights for full fine-tuning).
func (c *Classifier[T]) Backward(dlogits *nn.Tensor[T]) {
	encTrain := anyTrainable(c.Encoder.Params())
	if !encTrain {
		nn.BackwardParams[T](c.Head, dlogits)
		return
	}
	dp := c.Head.Backward(dlogits)
	b, h := c.batch, c.hidden.Shape[1]
	dh := nn.New[T](c.hidden.Shape...)
	switch c.Pooling {
	case PoolMean:
		for s := 0; s < b.Len(); s++ {
			o, e := b.Offsets[s], b.Offsets[s+1]
			inv := 1 / float64(e-o)
			src := dp.Data[s*h : (s+1)*h]
			for t := o; t < e; t++ {
				row := dh.Data[t*h : (t+1)*h]
				for j, v := range src {
					row[j] = T(float64(v) * inv)
				}
			}
		}
	default:
		dfirst := dp
		if c.Pooling == PoolPooler {
			pre := nn.New[T](dp.Shape...)
			for i, v := range dp.Data {
				t := c.pooled.Data[i]
				pre.Data[i] = T(float64(v) * (1 - float64(t)*float64(t)))
			}
			dfirst = c.Encoder.Pooler.Backward(pre)
		}
		for s := 0; s < b.Len(); s++ {
			o := b.Offsets[s]
			copy(dh.Data[o*h:(o+1)*h], dfirst.Data[s*h:(s+1)*h])
		}
	}
	c.Encoder.Backward(dh)
}

// Params returns the encoder's parameters followed by the head's.
func (c *Classifier[T]) Params() []*nn.Param {
	return append(c.Encoder.Params(), c.Head.Params()...)
}

// Embed returns sentence embeddings: the pooled vectors, L2-normalised when normalize is
// true (sentence-transformers' Normalize module, as all-MiniLM-L6-v2 applies).
func Embed[T nn.Float](enc *Encoder[T], pooling Pooling, b *Batch, normalize bool) (*nn.Tensor[T], error) {
	c := &Classifier[T]{Encoder: enc, Pooling: pooling}
	if pooling == PoolPooler && enc.Pooler == nil {
		return nil, fmt.Errorf("bert: pooling %q needs pooler weights", pooling)
	}
	f, err := c.Features(b)
	if err != nil {
		return nil, err
	}
	if normalize {
		h := f.Shape[1]
		for s := 0; s < f.Shape[0]; s++ {
			row := f.Data[s*h : (s+1)*h]
			var n float64
			for _, v := range row {
				n += float64(v) * float64(v)
			}
			n = max(math.Sqrt(n), 1e-12) // torch.nn.functional.normalize's eps
			for j, v := range row {
				row[j] = T(float64(v) / n)
			}
		}
	}
	return f, nil
}

// Predict returns the logits of a classifier for tokenised texts, in batches, checking ctx
// between them.
func Predict(ctx context.Context, cls *Classifier[float32], seqs [][]int, batch int) (*nn.Tensor[float32], error) {
	c := cls.Classes()
	out := nn.New[float32](len(seqs), c)
	for lo := 0; lo < len(seqs); lo += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(len(seqs), lo+batch)
		y, err := cls.Forward(NewBatch(seqs[lo:hi]))
		if err != nil {
			return nil, err
		}
		copy(out.Data[lo*c:hi*c], y.Data)
	}
	return out, nil
}
