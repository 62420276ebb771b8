package bert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

// Config is the part of a Hugging Face config.json that defines a BERT-family encoder.
// Field names follow transformers' BertConfig / RobertaConfig.
type Config struct {
	// ModelType is "bert" (BERT, MiniLM, …) or "roberta" (RoBERTa, XLM-R style: positions
	// start after the padding index).
	ModelType string `json:"model_type"`
	// VocabSize is the number of rows of the word-embedding table.
	VocabSize int `json:"vocab_size"`
	// HiddenSize is the model width H.
	HiddenSize int `json:"hidden_size"`
	// NumHiddenLayers is the number of transformer layers.
	NumHiddenLayers int `json:"num_hidden_layers"`
	// NumAttentionHeads divides HiddenSize.
	NumAttentionHeads int `json:"num_attention_heads"`
	// IntermediateSize is the width of the feed-forward layer.
	IntermediateSize int `json:"intermediate_size"`
	// HiddenAct is the feed-forward activation: gelu (erf), gelu_new / gelu_pytorch_tanh
	// (tanh approximation) or relu.
	HiddenAct string `json:"hidden_act"`
	// MaxPositionEmbeddings is the number of rows of the position table.
	MaxPositionEmbeddings int `json:"max_position_embeddings"`
	// TypeVocabSize is the number of token types (segments).
	TypeVocabSize int `json:"type_vocab_size"`
	// LayerNormEps is ε of every LayerNorm.
	LayerNormEps float64 `json:"layer_norm_eps"`
	// PadTokenID is the padding token (RoBERTa positions are offset by it).
	PadTokenID int `json:"pad_token_id"`
	// PositionEmbeddingType must be "absolute" (or empty).
	PositionEmbeddingType string `json:"position_embedding_type"`
	// Architectures is informational (e.g. ["BertModel"]).
	Architectures []string `json:"architectures,omitempty"`
}

// ReadConfig reads and validates a config.json.
func ReadConfig(path string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("bert: %w", err)
	}
	c, err := ParseConfig(raw)
	if err != nil {
		return Config{}, fmt.Errorf("bert: %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig parses and validates the contents of a config.json. Fields that do not change
// the encoder's computation (dropout rates, initializer_range, …) are ignored. Missing
// optional fields take BertConfig's defaults: hidden_act gelu, layer_norm_eps 1e-12,
// type_vocab_size 2, position_embedding_type absolute.
func ParseConfig(raw []byte) (Config, error) {
	c := Config{HiddenAct: "gelu", LayerNormEps: 1e-12, TypeVocabSize: 2, PositionEmbeddingType: "absolute"}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("config.json is not a valid BERT config: %w", err)
	}
	return c, c.Validate()
}

// Validate checks that the config describes an encoder this package can run.
func (c Config) Validate() error {
	switch c.ModelType {
	case "bert", "roberta", "xlm-roberta", "camembert":
	case "":
		return fmt.Errorf("config.json has no model_type (want bert or roberta)")
	default:
		return fmt.Errorf("model_type %q is not supported: this package runs BERT-family encoders (bert, roberta, xlm-roberta, camembert)", c.ModelType)
	}
	pos := func(name string, v int) error {
		if v < 1 {
			return fmt.Errorf("%s = %d must be ≥ 1", name, v)
		}
		return nil
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads}, {"intermediate_size", c.IntermediateSize},
		{"max_position_embeddings", c.MaxPositionEmbeddings}, {"type_vocab_size", c.TypeVocabSize}} {
		if err := pos(f.name, f.v); err != nil {
			return err
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("hidden_size %d is not a multiple of num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	if _, err := parseActivation(c.HiddenAct); err != nil {
		return err
	}
	if !(c.LayerNormEps > 0) || math.IsInf(c.LayerNormEps, 0) {
		return fmt.Errorf("layer_norm_eps = %v must be positive and finite", c.LayerNormEps)
	}
	if t := c.PositionEmbeddingType; t != "" && t != "absolute" {
		return fmt.Errorf("position_embedding_type %q is not supported (only absolute)", t)
	}
	if c.PadTokenID < 0 || c.PadTokenID >= c.VocabSize {
		return fmt.Errorf("pad_token_id %d is outside the vocabulary (0..%d)", c.PadTokenID, c.VocabSize-1)
	}
	if c.PositionOffset() >= c.MaxPositionEmbeddings {
		return fmt.Errorf("positions start at %d but there are only %d position embeddings", c.PositionOffset(), c.MaxPositionEmbeddings)
	}
	const limit = 1 << 31
	if float64(c.VocabSize)*float64(c.HiddenSize) > limit || float64(c.IntermediateSize)*float64(c.HiddenSize) > limit {
		return fmt.Errorf("vocab_size %d, hidden_size %d, intermediate_size %d: a weight matrix would exceed 2^31 elements", c.VocabSize, c.HiddenSize, c.IntermediateSize)
	}
	return nil
}

// HeadDim returns the width of one attention head.
func (c Config) HeadDim() int { return c.HiddenSize / c.NumAttentionHeads }

// PositionOffset returns the position index of a sequence's first token: 0 for BERT,
// pad_token_id + 1 for RoBERTa-style models (transformers' create_position_ids_from_input_ids
// for an unpadded sequence).
func (c Config) PositionOffset() int {
	if c.isRoberta() {
		return c.PadTokenID + 1
	}
	return 0
}

// MaxSequence returns the longest sequence the position table allows.
func (c Config) MaxSequence() int { return c.MaxPositionEmbeddings - c.PositionOffset() }

func (c Config) isRoberta() bool {
	return c.ModelType == "roberta" || c.ModelType == "xlm-roberta" || c.ModelType == "camembert"
}

// NumParams returns the number of scalars of the encoder (embeddings, layers and, with
// pooler, the pooler), as in the checkpoint.
func (c Config) NumParams(pooler bool) int {
	h, i := c.HiddenSize, c.IntermediateSize
	n := (c.VocabSize+c.MaxPositionEmbeddings+c.TypeVocabSize)*h + 2*h
	layer := 4*(h*h+h) + (h*i + i) + (i*h + h) + 4*h
	n += c.NumHiddenLayers * layer
	if pooler {
		n += h*h + h
	}
	return n
}

// activation is a feed-forward nonlinearity.
type activation int

const (
	actGELU     activation = iota // x·Φ(x), exact (erf)
	actGELUTanh                   // tanh approximation
	actReLU
)

func parseActivation(s string) (activation, error) {
	switch strings.ToLower(s) {
	case "gelu":
		return actGELU, nil
	case "gelu_new", "gelu_pytorch_tanh", "gelu_fast":
		return actGELUTanh, nil
	case "relu":
		return actReLU, nil
	}
	return 0, fmt.Errorf("hidden_act %q is not supported (want gelu, gelu_new, gelu_pytorch_tanh or relu)", s)
}
