package bert

import (
	"fmt"
	"math"

	"github.com/qpeft/qpeft/nn"
)

// Batch is a set of token sequences packed back to back without padding: every linear layer
// runs on exactly the real tokens, and each sequence attends only to itself, so no attention
// mask or padding is ever materialised (the result equals a padded batch with an attention
// mask, for every real token).
type Batch struct {
	// IDs are the token ids of all sequences, back to back.
	IDs []int
	// TypeIDs are the token types (segment ids); nil means all 0.
	TypeIDs []int
	// Offsets has one entry per sequence plus one: sequence b is tokens
	// IDs[Offsets[b]:Offsets[b+1]].
	Offsets []int
}

// NewBatch packs sequences of token ids (types all 0).
func NewBatch(seqs [][]int) *Batch {
	b := &Batch{Offsets: make([]int, 1, len(seqs)+1)}
	for _, s := range seqs {
		b.IDs = append(b.IDs, s...)
		b.Offsets = append(b.Offsets, len(b.IDs))
	}
	return b
}

// Len returns the number of sequences.
func (b *Batch) Len() int { return len(b.Offsets) - 1 }

// Tokens returns the total number of tokens.
func (b *Batch) Tokens() int { return len(b.IDs) }

// check validates the batch against a config.
func (b *Batch) check(c Config) error {
	if len(b.Offsets) < 2 || b.Offsets[0] != 0 || b.Offsets[len(b.Offsets)-1] != len(b.IDs) {
		return fmt.Errorf("bert: batch offsets %v do not cover %d tokens", b.Offsets, len(b.IDs))
	}
	for i := 1; i < len(b.Offsets); i++ {
		l := b.Offsets[i] - b.Offsets[i-1]
		if l < 1 {
			return fmt.Errorf("bert: sequence %d of the batch is empty", i-1)
		}
		if l > c.MaxSequence() {
			return fmt.Errorf("bert: sequence %d has %d tokens; the model takes at most %d", i-1, l, c.MaxSequence())
		}
	}
	for i, id := range b.IDs {
		if id < 0 || id >= c.VocabSize {
			return fmt.Errorf("bert: token %d has id %d outside the vocabulary (0..%d)", i, id, c.VocabSize-1)
		}
	}
	if b.TypeIDs != nil {
		if len(b.TypeIDs) != len(b.IDs) {
			return fmt.Errorf("bert: %d token types for %d tokens", len(b.TypeIDs), len(b.IDs))
		}
		for i, t := range b.TypeIDs {
			if t < 0 || t >= c.TypeVocabSize {
				return fmt.Errorf("bert: token %d has type %d outside 0..%d", i, t, c.TypeVocabSize-1)
			}
		}
	}
	return nil
}

// Embeddings sums the word, position and token-type embeddings of every token and
// normalises the sum (transformers' BertEmbeddings, without dropout).
type Embeddings[T nn.Float] struct {
	// Word, Position and TokenType are the tables ([V, H], [P, H], [T, H]).
	Word, Position, TokenType *nn.Param
	// Norm is the LayerNorm after the sum.
	Norm *LayerNorm[T]

	posOffset int
	batch     *Batch
}

// Forward returns the (tokens × H) embeddings of the batch.
func (e *Embeddings[T]) Forward(b *Batch) *nn.Tensor[T] {
	h := e.Word.Shape[1]
	x := nn.New[T](b.Tokens(), h)
	e.eachToken(b, func(t, word, pos, typ int) {
		w := e.Word.Value[word*h : (word+1)*h]
		p := e.Position.Value[pos*h : (pos+1)*h]
		ty := e.TokenType.Value[typ*h : (typ+1)*h]
		row := x.Data[t*h : (t+1)*h]
		for j := range row {
			// transformers' order: (word + type) + position, in the compute type.
			row[j] = T(w[j]) + T(ty[j]) + T(p[j])
		}
	})
	e.batch = b
	return e.Norm.Forward(x)
}

// eachToken calls f with every token t of b and the rows of its word, position and token
// type embeddings.
func (e *Embeddings[T]) eachToken(b *Batch, f func(t, word, pos, typ int)) {
	for s := 0; s < b.Len(); s++ {
		for t := b.Offsets[s]; t < b.Offsets[s+1]; t++ {
			typ := 0
			if b.TypeIDs != nil {
				typ = b.TypeIDs[t]
			}
			f(t, b.IDs[t], t-b.Offsets[s]+e.posOffset, typ)
		}
	}
}

// Backward accumulates the gradients of the trainable tables and of the LayerNorm.
func (e *Embeddings[T]) Backward(dy *nn.Tensor[T]) {
	dx := e.Norm.Backward(dy)
	if !e.Word.Trainable && !e.Position.Trainable && !e.TokenType.Trainable {
		return
	}
	b := e.batch
	h := e.Word.Shape[1]
	e.eachToken(b, func(t, word, pos, typ int) {
		d := dx.Data[t*h : (t+1)*h]
		for _, tab := range []struct {
			p   *nn.Param
			row int
		}{{e.Word, word}, {e.Position, pos}, {e.TokenType, typ}} {
			if !tab.p.Trainable {
				continue
			}
			g := tab.p.Grad[tab.row*h : (tab.row+1)*h]
			for j, v := range d {
				g[j] += float64(v)
			}
		}
	})
}

// Params returns the tables and the LayerNorm's parameters.
func (e *Embeddings[T]) Params() []*nn.Param {
	return append([]*nn.Param{e.Word, e.Position, e.TokenType}, e.Norm.Params()...)
}

// Layer is one transformer encoder layer (transformers' BertLayer, post-LayerNorm):
//
//	a  = LN1(AttnOut(MultiHeadAttention(Query(x), Key(x), Value(x))) + x)
//	y  = LN2(Output(act(Intermediate(a))) + a)
//
// The six projections are nn.LinearMaps: adapters replace them (see [Encoder.Sites]).
type Layer[T nn.Float] struct {
	Query, Key, Value, AttnOut, Intermediate, Output nn.LinearMap[T]
	AttnNorm, OutNorm                                *LayerNorm[T]

	heads int
	act   activation

	batch   *Batch
	q, k, v *nn.Tensor[T]
	probs   []T           // softmax probabilities, per sequence and head, L×L each
	probOff []int         // offset of sequence b's block in probs
	deriv   *nn.Tensor[T] // act′ at the intermediate pre-activations (training only)
	train   bool          // cache what Backward needs
}

// maps returns the projections in order.
func (l *Layer[T]) maps() []nn.LinearMap[T] {
	return []nn.LinearMap[T]{l.Query, l.Key, l.Value, l.AttnOut, l.Intermediate, l.Output}
}

// Params returns every parameter of the layer (projections, adapters, norms).
func (l *Layer[T]) Params() []*nn.Param {
	var ps []*nn.Param
	for _, m := range l.maps() {
		ps = append(ps, m.Params()...)
	}
	return append(append(ps, l.AttnNorm.Params()...), l.OutNorm.Params()...)
}

// Forward runs the layer on the (tokens × H) hidden states of a batch.
func (l *Layer[T]) Forward(x *nn.Tensor[T], b *Batch) *nn.Tensor[T] {
	l.batch = b
	l.q = l.Query.Forward(x)
	l.k = l.Key.Forward(x)
	l.v = l.Value.Forward(x)
	ctx := l.attention()
	a := l.AttnOut.Forward(ctx)
	addInto(a, x)
	a = l.AttnNorm.Forward(a)
	inter := l.Intermediate.Forward(a)
	var mid *nn.Tensor[T]
	mid, l.deriv = activate(l.act, inter, l.train)
	y := l.Output.Forward(mid)
	addInto(y, a)
	return l.OutNorm.Forward(y)
}

// attention computes softmax(Q·Kᵀ/√d)·V for every sequence and head, caching the
// probabilities; only each sequence's own L×L block is formed.
func (l *Layer[T]) attention() *nn.Tensor[T] {
	b := l.batch
	n, h := l.q.Shape[0], l.q.Shape[1]
	d := h / l.heads
	l.probOff = make([]int, b.Len()+1)
	for s := 0; s < b.Len(); s++ {
		ln := b.Offsets[s+1] - b.Offsets[s]
		l.probOff[s+1] = l.probOff[s] + l.heads*ln*ln
	}
	l.probs = make([]T, l.probOff[b.Len()])
	ctx := nn.New[T](n, h)
	scale := 1 / math.Sqrt(float64(d))
	pairs := b.Len() * l.heads
	nn.ParallelFor(pairs, 1, func(lo, hi int) {
		for pi := lo; pi < hi; pi++ {
			s, hd := pi/l.heads, pi%l.heads
			o, ln := b.Offsets[s], b.Offsets[s+1]-b.Offsets[s]
			p := l.probs[l.probOff[s]+hd*ln*ln : l.probOff[s]+(hd+1)*ln*ln]
			base := o*h + hd*d
			nn.Gemm(false, true, ln, ln, d, l.q.Data[base:], h, l.k.Data[base:], h, false, p, ln)
			for i := 0; i < ln; i++ {
				softmaxRow(p[i*ln:(i+1)*ln], scale)
			}
			nn.Gemm(false, false, ln, d, ln, p, ln, l.v.Data[base:], h, false, ctx.Data[base:], h)
		}
	})
	return ctx
}

// softmaxRow replaces row by softmax(scale·row), in float64 arithmetic.
func softmaxRow[T nn.Float](row []T, scale float64) {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, float64(v)*scale)
	}
	var sum float64
	for j, v := range row {
		e := math.Exp(float64(v)*scale - m)
		row[j] = T(e)
		sum += e
	}
	inv := 1 / sum
	for j, v := range row {
		row[j] = T(float64(v) * inv)
	}
}

// Backward takes ∂ℓ/∂y, accumulates the gradients of the trainable parameters and returns
// ∂ℓ/∂x, or nil when needDx is false (the lowest layer with trainable parameters).
func (l *Layer[T]) Backward(dy *nn.Tensor[T], needDx bool) *nn.Tensor[T] {
	dy = l.OutNorm.Backward(dy)
	if l.deriv == nil {
		panic("bert: Layer.Backward after a Forward without trainable parameters")
	}
	dmid := l.Output.Backward(dy)
	dinter := mulInto(dmid, l.deriv)
	da := l.Intermediate.Backward(dinter)
	addInto(da, dy) // residual
	da = l.AttnNorm.Backward(da)
	dctx := l.AttnOut.Backward(da)
	needK := needDx || anyTrainable(l.Key.Params())
	dq, dk, dv := l.attentionBackward(dctx, needK)
	if !needDx {
		nn.BackwardParams[T](l.Query, dq)
		if needK {
			nn.BackwardParams[T](l.Key, dk)
		}
		nn.BackwardParams[T](l.Value, dv)
		return nil
	}
	dx := l.Query.Backward(dq)
	addInto(dx, l.Key.Backward(dk))
	addInto(dx, l.Value.Backward(dv))
	addInto(dx, da) // residual
	return dx
}

// attentionBackward returns ∂ℓ/∂Q, ∂ℓ/∂K (nil unless needK) and ∂ℓ/∂V.
func (l *Layer[T]) attentionBackward(dctx *nn.Tensor[T], needK bool) (dq, dk, dv *nn.Tensor[T]) {
	b := l.batch
	n, h := dctx.Shape[0], dctx.Shape[1]
	d := h / l.heads
	scale := 1 / math.Sqrt(float64(d))
	dq, dv = nn.New[T](n, h), nn.New[T](n, h)
	if needK {
		dk = nn.New[T](n, h)
	}
	pairs := b.Len() * l.heads
	nn.ParallelFor(pairs, 1, func(lo, hi int) {
		var ds []T
		for pi := lo; pi < hi; pi++ {
			s, hd := pi/l.heads, pi%l.heads
			o, ln := b.Offsets[s], b.Offsets[s+1]-b.Offsets[s]
			p := l.probs[l.probOff[s]+hd*ln*ln : l.probOff[s]+(hd+1)*ln*ln]
			base := o*h + hd*d
			if cap(ds) < ln*ln {
				ds = make([]T, ln*ln)
			}
			ds = ds[:ln*ln]
			// dP = dC·Vᵀ; dV = Pᵀ·dC.
			nn.Gemm(false, true, ln, ln, d, dctx.Data[base:], h, l.v.Data[base:], h, false, ds, ln)
			nn.Gemm(true, false, ln, d, ln, p, ln, dctx.Data[base:], h, false, dv.Data[base:], h)
			// dS = P ⊙ (dP − rowsum(dP ⊙ P)), times the score scale.
			for i := 0; i < ln; i++ {
				pr, dr := p[i*ln:(i+1)*ln], ds[i*ln:(i+1)*ln]
				var dot float64
				for j := range pr {
					dot += float64(pr[j]) * float64(dr[j])
				}
				for j := range pr {
					dr[j] = T(float64(pr[j]) * (float64(dr[j]) - dot) * scale)
				}
			}
			nn.Gemm(false, false, ln, d, ln, ds, ln, l.k.Data[base:], h, false, dq.Data[base:], h)
			if needK {
				nn.Gemm(true, false, ln, d, ln, ds, ln, l.q.Data[base:], h, false, dk.Data[base:], h)
			}
		}
	})
	return dq, dk, dv
}

// Encoder is a BERT-family transformer encoder: embeddings, layers and an optional pooler
// (transformers' BertModel / RobertaModel without dropout). It computes in T (float32 for
// speed, float64 for gradient checks) with float64 master parameters.
type Encoder[T nn.Float] struct {
	Config     Config
	Embeddings *Embeddings[T]
	Layers     []*Layer[T]
	// Pooler is BertPooler's dense layer (applied to the first token, then tanh), or nil
	// when the checkpoint has no pooler.
	Pooler nn.LinearMap[T]
}

// NewEncoder builds an encoder over the checkpoint's weights (shared, not copied: training
// updates ck.Weights). Every parameter starts frozen.
func NewEncoder[T nn.Float](ck *Checkpoint) (*Encoder[T], error) {
	c := ck.Config
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	act, _ := parseActivation(c.HiddenAct)
	w := func(name string) (*nn.Param, error) {
		p, ok := ck.Weights[name]
		if !ok {
			return nil, fmt.Errorf("bert: checkpoint has no tensor %s", name)
		}
		if want, _ := WeightShape(c, name); len(p.Value) != prod(want) {
			return nil, fmt.Errorf("bert: tensor %s has %d elements, want %v", name, len(p.Value), want)
		}
		return p, nil
	}
	var firstErr error
	get := func(name string) *nn.Param {
		p, err := w(name)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return p
	}
	lin := func(prefix string) nn.LinearMap[T] {
		wt, b := get(prefix+".weight"), get(prefix+".bias")
		if wt == nil || b == nil {
			return nil
		}
		return nn.NewLinearFrom[T](wt, b)
	}
	norm := func(prefix string) *LayerNorm[T] {
		return &LayerNorm[T]{Weight: get(prefix + ".weight"), Bias: get(prefix + ".bias"), Eps: c.LayerNormEps}
	}
	e := &Encoder[T]{Config: c}
	e.Embeddings = &Embeddings[T]{Word: get("embeddings.word_embeddings.weight"), Position: get("embeddings.position_embeddings.weight"),
		TokenType: get("embeddings.token_type_embeddings.weight"), Norm: norm("embeddings.LayerNorm"), posOffset: c.PositionOffset()}
	for i := 0; i < c.NumHiddenLayers; i++ {
		p := fmt.Sprintf("encoder.layer.%d.", i)
		e.Layers = append(e.Layers, &Layer[T]{
			Query: lin(p + "attention.self.query"), Key: lin(p + "attention.self.key"), Value: lin(p + "attention.self.value"),
			AttnOut: lin(p + "attention.output.dense"), AttnNorm: norm(p + "attention.output.LayerNorm"),
			Intermediate: lin(p + "intermediate.dense"), Output: lin(p + "output.dense"), OutNorm: norm(p + "output.LayerNorm"),
			heads: c.NumAttentionHeads, act: act})
	}
	if ck.HasPooler {
		e.Pooler = lin("pooler.dense")
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return e, nil
}

func prod(s []int) int {
	p := 1
	for _, v := range s {
		p *= v
	}
	return p
}

// Params returns every parameter: embeddings, layers (with any adapters), pooler.
func (e *Encoder[T]) Params() []*nn.Param {
	ps := e.Embeddings.Params()
	for _, l := range e.Layers {
		ps = append(ps, l.Params()...)
	}
	if e.Pooler != nil {
		ps = append(ps, e.Pooler.Params()...)
	}
	return ps
}

// Forward returns the last hidden states (tokens × H) of a batch. It returns an error for a
// batch the model cannot take (token ids outside the vocabulary, sequences longer than the
// position table).
func (e *Encoder[T]) Forward(b *Batch) (*nn.Tensor[T], error) {
	if err := b.check(e.Config); err != nil {
		return nil, err
	}
	train := anyTrainable(e.Params())
	x := e.Embeddings.Forward(b)
	for _, l := range e.Layers {
		l.train = train
		x = l.Forward(x, b)
	}
	if err := e.AdapterErr(); err != nil {
		return nil, fmt.Errorf("bert: %w", err)
	}
	return x, nil
}

// AdapterErr returns the first failure recorded by a projection of the encoder that reports
// one through an Err() error method, as an adapter does (peft.Adapted: angles that became
// NaN after a diverged step). Forward checks it; a training loop checks it again after
// Backward.
func (e *Encoder[T]) AdapterErr() error {
	for _, s := range e.Sites() {
		if f, ok := s.Map.(interface{ Err() error }); ok {
			if err := f.Err(); err != nil {
				return fmt.Errorf("module %s: %w", s.Name, err)
			}
		}
	}
	return nil
}

// Backward takes ∂ℓ/∂(last hidden states) of the last Forward and accumulates the gradients
// of every trainable parameter, going down only as far as the lowest trainable one.
func (e *Encoder[T]) Backward(dh *nn.Tensor[T]) {
	embTrain := anyTrainable(e.Embeddings.Params())
	lowest := len(e.Layers)
	if embTrain {
		lowest = -1
	} else {
		for i, l := range e.Layers {
			if anyTrainable(l.Params()) {
				lowest = i
				break
			}
		}
	}
	for i := len(e.Layers) - 1; i >= 0 && i >= lowest; i-- {
		dh = e.Layers[i].Backward(dh, i > lowest)
	}
	if embTrain {
		e.Embeddings.Backward(dh)
	}
}

// Site is a place in the encoder holding a projection that an adapter can wrap.
type Site[T nn.Float] struct {
	// Name is the module path in transformers' BertModel, e.g.
	// "encoder.layer.0.attention.self.query" (what PEFT's target_modules match against).
	Name string
	// Map is the current projection; Set replaces it.
	Map nn.LinearMap[T]
	Set func(nn.LinearMap[T])
}

// Sites lists every linear projection of the encoder in module order: per layer
// attention.self.{query,key,value}, attention.output.dense, intermediate.dense,
// output.dense; then pooler.dense if present.
func (e *Encoder[T]) Sites() []Site[T] {
	var out []Site[T]
	for i, l := range e.Layers {
		p := fmt.Sprintf("encoder.layer.%d.", i)
		for _, s := range []struct {
			name string
			m    *nn.LinearMap[T]
		}{{"attention.self.query", &l.Query}, {"attention.self.key", &l.Key}, {"attention.self.value", &l.Value},
			{"attention.output.dense", &l.AttnOut}, {"intermediate.dense", &l.Intermediate}, {"output.dense", &l.Output}} {
			ptr := s.m
			out = append(out, Site[T]{Name: p + s.name, Map: *ptr, Set: func(m nn.LinearMap[T]) { *ptr = m }})
		}
	}
	if e.Pooler != nil {
		out = append(out, Site[T]{Name: "pooler.dense", Map: e.Pooler, Set: func(m nn.LinearMap[T]) { e.Pooler = m }})
	}
	return out
}
