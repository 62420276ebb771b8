package bert

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/internal/atomicfile"
)

// TinyOptions describe a small, randomly initialised BERT-shaped checkpoint for tests,
// examples and benchmarks (no download needed).
type TinyOptions struct {
	// Config is the model shape. Zero fields take small defaults: hidden 16, 2 layers,
	// 2 heads, intermediate 32, 64 positions, 2 token types, gelu, ε 1e-12, model_type bert.
	// VocabSize is set from the tokenizer vocabulary.
	Config Config
	// Words are extra whole-word vocabulary entries; the vocabulary always holds the special
	// tokens, a–z, 0–9, ASCII punctuation and the ##-continuations of a–z and 0–9, so any
	// ASCII text tokenises.
	Words []string
	// DType is the weights' element type: F32 (default), F16 or BF16.
	DType safetensors.DType
	// Scale is the standard deviation of the random weights (default 0.2).
	Scale float64
	// Pooler adds pooler.dense weights.
	Pooler bool
	// Prefix is prepended to every tensor name (e.g. "bert."), as in checkpoints saved from
	// a model with a task head.
	Prefix string
	// Seed seeds the weights.
	Seed uint64
}

// TinyVocab returns the vocabulary WriteTiny uses, in id order.
func TinyVocab(words []string) []string {
	v := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
	for c := 'a'; c <= 'z'; c++ {
		v = append(v, string(c))
	}
	for c := '0'; c <= '9'; c++ {
		v = append(v, string(c))
	}
	for _, c := range "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" {
		v = append(v, string(c))
	}
	for c := 'a'; c <= 'z'; c++ {
		v = append(v, "##"+string(c))
	}
	for c := '0'; c <= '9'; c++ {
		v = append(v, "##"+string(c))
	}
	seen := map[string]bool{}
	for _, t := range v {
		seen[t] = true
	}
	for _, w := range words {
		if !seen[w] {
			seen[w] = true
			v = append(v, w)
		}
	}
	return v
}

func (o TinyOptions) config(vocab int) Config {
	c := o.Config
	def := func(p *int, d int) {
		if *p == 0 {
			*p = d
		}
	}
	def(&c.HiddenSize, 16)
	def(&c.NumHiddenLayers, 2)
	def(&c.NumAttentionHeads, 2)
	def(&c.IntermediateSize, 32)
	def(&c.MaxPositionEmbeddings, 64)
	def(&c.TypeVocabSize, 2)
	if c.HiddenAct == "" {
		c.HiddenAct = "gelu"
	}
	if c.LayerNormEps == 0 {
		c.LayerNormEps = 1e-12
	}
	if c.ModelType == "" {
		c.ModelType = "bert"
	}
	if c.PositionEmbeddingType == "" {
		c.PositionEmbeddingType = "absolute"
	}
	c.VocabSize = vocab
	c.Architectures = []string{"BertModel"}
	return c
}

// WriteTiny writes a complete model directory (config.json, model.safetensors,
// tokenizer.json) with random weights, atomically.
func WriteTiny(dir string, o TinyOptions) error {
	vocab := TinyVocab(o.Words)
	c := o.config(len(vocab))
	if err := c.Validate(); err != nil {
		return fmt.Errorf("bert: tiny checkpoint: %w", err)
	}
	dt := o.DType
	if dt == 0 {
		dt = safetensors.F32
	}
	if dt != safetensors.F32 && dt != safetensors.F16 && dt != safetensors.BF16 {
		return fmt.Errorf("bert: tiny checkpoint: dtype %s (want F32, F16 or BF16)", dt)
	}
	scale := o.Scale
	if scale == 0 {
		scale = 0.2
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x74696e79))
	var tensors []safetensors.Tensor
	for _, name := range WeightNames(c, o.Pooler) {
		shape, _ := WeightShape(c, name)
		v := make([]float32, prod(shape))
		isNormWeight := len(name) > len("LayerNorm.weight") && name[len(name)-len("LayerNorm.weight"):] == "LayerNorm.weight"
		for i := range v {
			v[i] = float32(rng.NormFloat64() * scale)
			if isNormWeight {
				v[i] += 1
			}
		}
		tensors = append(tensors, encodeTensor(o.Prefix+name, shape, v, dt))
	}
	cfgJSON, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tok, err := tinyTokenizerJSON(vocab)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteDir(dir, 0o755, func(tmp string) error {
		if err := os.WriteFile(filepath.Join(tmp, ConfigFile), cfgJSON, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, TokenizerFile), tok, 0o644); err != nil {
			return err
		}
		return safetensors.WriteFile(filepath.Join(tmp, SafetensorsFile), tensors, map[string]string{"format": "pt"})
	}); err != nil {
		return fmt.Errorf("bert: write tiny checkpoint %s: %w", dir, err)
	}
	return nil
}

func encodeTensor(name string, shape []int, v []float32, dt safetensors.DType) safetensors.Tensor {
	switch dt {
	case safetensors.F16, safetensors.BF16:
		b := make([]byte, 2*len(v))
		for i, x := range v {
			h := Float32ToBF16(x)
			if dt == safetensors.F16 {
				h = Float32ToF16(x)
			}
			binary.LittleEndian.PutUint16(b[2*i:], h)
		}
		return safetensors.Tensor{Name: name, DType: dt, Shape: append([]int(nil), shape...), Data: b}
	}
	return safetensors.FromFloat32(name, shape, v)
}

// Float32ToF16 rounds a float32 to IEEE half precision (round to nearest, ties to even;
// overflow to ±Inf, NaN kept as a quiet NaN).
func Float32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	e := int((b >> 23) & 0xff)
	mant := b & 0x7fffff
	if e == 0xff {
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	exp := e - 127 + 15
	if exp >= 0x1f {
		return sign | 0x7c00
	}
	if exp <= 0 {
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - exp)
		half := uint32(1) << (shift - 1)
		r := mant >> shift
		rem := mant & (1<<shift - 1)
		if rem > half || (rem == half && r&1 == 1) {
			r++ // may carry into the smallest normal, which is the right encoding
		}
		return sign | uint16(r)
	}
	r := mant >> 13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++
		if r == 0x400 {
			r = 0
			exp++
			if exp >= 0x1f {
				return sign | 0x7c00
			}
		}
	}
	return sign | uint16(exp)<<10 | uint16(r)
}

// Float32ToBF16 rounds a float32 to bfloat16 (round to nearest, ties to even; NaN kept).
func Float32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

// tinyTokenizerJSON writes a tokenizer.json in the format of Hugging Face tokenizers for a
// lowercasing BERT WordPiece tokenizer over vocab.
func tinyTokenizerJSON(vocab []string) ([]byte, error) {
	ids := map[string]int{}
	for i, t := range vocab {
		ids[t] = i
	}
	var addedTokens []addedToken
	for i, t := range vocab[:5] {
		addedTokens = append(addedTokens, addedToken{ID: i, Content: t, Special: true})
	}
	special := func(tok string) map[string]any {
		return map[string]any{"id": tok, "ids": []int{ids[tok]}, "tokens": []string{tok}}
	}
	doc := map[string]any{
		"version":      "1.0",
		"truncation":   nil,
		"padding":      nil,
		"added_tokens": addedTokens,
		"normalizer": map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
			"strip_accents": nil, "lowercase": true},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"post_processor": map[string]any{
			"type":   "TemplateProcessing",
			"single": []any{map[string]any{"SpecialToken": map[string]any{"id": "[CLS]", "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}}, map[string]any{"SpecialToken": map[string]any{"id": "[SEP]", "type_id": 0}}},
			"pair": []any{map[string]any{"SpecialToken": map[string]any{"id": "[CLS]", "type_id": 0}}, map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}}, map[string]any{"SpecialToken": map[string]any{"id": "[SEP]", "type_id": 0}},
				map[string]any{"Sequence": map[string]any{"id": "B", "type_id": 1}}, map[string]any{"SpecialToken": map[string]any{"id": "[SEP]", "type_id": 1}}},
			"special_tokens": map[string]any{"[CLS]": special("[CLS]"), "[SEP]": special("[SEP]")},
		},
		"decoder": map[string]any{"type": "WordPiece", "prefix": "##", "cleanup": true},
		"model": map[string]any{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
			"max_input_chars_per_word": 100, "vocab": ids},
	}
	return json.MarshalIndent(doc, "", "  ")
}
