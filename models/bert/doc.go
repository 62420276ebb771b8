// Package bert fine-tunes BERT-family text encoders (MiniLM, BERT) with qpeft's adapters.
//
// It loads a Hugging Face checkpoint directory (config.json, vocab.txt and model.safetensors,
// or pytorch_model.bin through a small pickle reader), tokenizes with the WordPiece
// Tokenizer, runs the Encoder and a Classifier head in float32 or float64, injects
// Quantum-PEFT, LoRA or AdaLoRA adapters into the attention and feed-forward matrices
// (Inject, Attach), trains and sweeps them on text data sets (Run, Sweep), and exports a
// trained LoRA adapter in Hugging Face PEFT's file layout (ExportLoRA). WriteTiny builds a
// tiny random checkpoint for tests. docs/transformer.md describes the method and its checks.
package bert
