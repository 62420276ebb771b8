package main

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/models/bert"
)

// Generators of the fuzz- cases: inputs the fuzz targets found, reached through the CLI.
func init() {
	// A tiny BERT model directory whose tokenizer.json declares an added token with id 10^12
	// (FuzzTokenizer: ParseTokenizer allocated 16 TB for it and crashed).
	badInputGenerators["tiny-bert-huge-token-id"] = func(dir string) error {
		model := filepath.Join(dir, "model")
		if err := bert.WriteTiny(model, bert.TinyOptions{Seed: 1}); err != nil {
			return err
		}
		path := filepath.Join(model, bert.TokenizerFile)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var tok map[string]any
		if err := json.Unmarshal(b, &tok); err != nil {
			return err
		}
		added, _ := tok["added_tokens"].([]any)
		tok["added_tokens"] = append(added, map[string]any{"id": 1000000000000, "content": "<huge>"})
		if b, err = json.Marshal(tok); err != nil {
			return err
		}
		return os.WriteFile(path, b, 0o644)
	}
}
