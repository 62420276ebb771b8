package bert

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/formats/hfpeft"
	"github.com/qpeft/qpeft/nn"
)

// Model is a loaded Hugging Face model directory: the validated checkpoint, its tokenizer
// and a float32 encoder over its weights.
type Model struct {
	Dir        string
	Checkpoint *Checkpoint
	Tokenizer  *Tokenizer
	Encoder    *Encoder[float32]
}

// Load reads a model directory (config.json, model.safetensors or pytorch_model.bin,
// tokenizer.json) and builds a float32 encoder. Every parameter starts frozen.
func Load(dir string) (*Model, error) {
	ck, err := LoadCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	tp := filepath.Join(dir, TokenizerFile)
	if _, err := os.Stat(tp); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("bert: %s has no %s (the fast-tokenizer file transformers saves next to the weights)", dir, TokenizerFile)
	}
	tok, err := LoadTokenizer(tp)
	if err != nil {
		return nil, err
	}
	if tok.VocabSize() > ck.Config.VocabSize {
		return nil, fmt.Errorf("bert: %s: the tokenizer has %d ids but the model's vocab_size is %d", dir, tok.VocabSize(), ck.Config.VocabSize)
	}
	enc, err := NewEncoder[float32](ck)
	if err != nil {
		return nil, err
	}
	return &Model{Dir: dir, Checkpoint: ck, Tokenizer: tok, Encoder: enc}, nil
}

// Batch tokenises texts, each truncated to maxLen tokens including the special tokens
// (maxLen ≤ 0: the model's position limit).
func (m *Model) Batch(texts []string, maxLen int) *Batch {
	return TokenizeBatch(m.Tokenizer, m.Checkpoint.Config, texts, maxLen)
}

// TokenizeBatch tokenises texts for a model with config c, each truncated to maxLen tokens
// (clamped to the position limit; maxLen ≤ 0 means the limit).
func TokenizeBatch(t *Tokenizer, c Config, texts []string, maxLen int) *Batch {
	if maxLen <= 0 || maxLen > c.MaxSequence() {
		maxLen = c.MaxSequence()
	}
	seqs := make([][]int, len(texts))
	nn.ParallelFor(len(texts), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			seqs[i] = t.Encode(texts[i], maxLen)
		}
	})
	return NewBatch(seqs)
}

// ParseTargets reads a target-module specification as PEFT's target_modules: a
// comma-separated list of names ("query,value": a module is selected if its path equals a
// name or ends with "." + name), or a regular expression that must match the whole module
// path (any specification containing one of the characters ^$*+?()[]{}|\).
func ParseTargets(s string) (hfpeft.TargetModules, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return hfpeft.TargetModules{}, fmt.Errorf("bert: empty target modules")
	}
	if strings.ContainsAny(s, `^$*+?()[]{}|\`) {
		if _, err := (hfpeft.TargetModules{Regex: s}).Regexp(); err != nil {
			return hfpeft.TargetModules{}, fmt.Errorf("bert: target regex %q: %w", s, err)
		}
		return hfpeft.TargetModules{Regex: s}, nil
	}
	var names []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return hfpeft.TargetModules{}, fmt.Errorf("bert: no target module names in %q", s)
	}
	return hfpeft.TargetModules{Names: names}, nil
}

// MatchTargets returns the names of the encoder's sites that t selects, in module order.
// It is an error if t selects nothing (the message lists the module names) or if a listed
// name matches no module.
func MatchTargets[T nn.Float](e *Encoder[T], t hfpeft.TargetModules) ([]string, error) {
	cfg := hfpeft.Config{TargetModules: t}
	var out, all []string
	for _, s := range e.Sites() {
		all = append(all, s.Name)
		if cfg.Targets(s.Name) {
			out = append(out, s.Name)
		}
	}
	for _, n := range t.Names {
		one := hfpeft.Config{TargetModules: hfpeft.TargetModules{Names: []string{n}}}
		found := false
		for _, s := range all {
			if one.Targets(s) {
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("bert: target %q matches no module; module names are like %s", n, exampleSites(all))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bert: target regex %q matches no module; module names are like %s", t.Regex, exampleSites(all))
	}
	return out, nil
}

func exampleSites(all []string) string {
	seen := map[string]bool{}
	var ex []string
	for _, s := range all {
		short := s
		if i := strings.Index(s, ".attention."); i >= 0 {
			short = s[i+1:]
		} else if parts := strings.SplitN(s, ".", 4); len(parts) == 4 {
			short = parts[3]
		}
		if !seen[short] {
			seen[short] = true
			ex = append(ex, short)
		}
	}
	sort.Strings(ex)
	first := ""
	if len(all) > 0 {
		first = all[0] + "; "
	}
	return first + "suffixes: " + strings.Join(ex, ", ")
}
