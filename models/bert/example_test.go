package bert_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/models/bert"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/train"
)

// Load a Hugging Face model directory (here a tiny random one), tokenise, and put
// Quantum-PEFT adapters (with package train's Inject) on the attention query and value
// projections, selected like PEFT's target_modules.
func Example() {
	dir, err := os.MkdirTemp("", "bert-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	model := filepath.Join(dir, "tiny")
	if err := bert.WriteTiny(model, bert.TinyOptions{Seed: 1, Words: []string{"hello", "world"}}); err != nil {
		panic(err)
	}
	m, err := bert.Load(model)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Tokenizer.Tokens("Hello, World!"), m.Tokenizer.Encode("hi", 0))

	targets, _ := bert.ParseTargets("query,value")
	names, _ := bert.MatchTargets(m.Encoder, targets)
	ck, err := train.Inject(m.Encoder, peft.Config{Method: peft.MethodQuantumPEFT, Rank: 2, Layers: 1}, names, model)
	if err != nil {
		panic(err)
	}
	// 4 modules of 16 × 16: two Pauli circuits of P(4, 1) = 10 angles and K = 2 scales each.
	fmt.Println(len(names), names[0], ck.NumTrainable())

	h, err := m.Encoder.Forward(m.Batch([]string{"hello world", "hi"}, 16))
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Shape) // 4 + 4 tokens, packed without padding, × hidden 16
	// Output:
	// [hello , world !] [2 12 81 3]
	// 4 encoder.layer.0.attention.self.query 88
	// [8 16]
}
