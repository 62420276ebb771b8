// Package bert is the BERT family of text encoders (MiniLM, BERT, RoBERTa) as models: it
// loads a Hugging Face checkpoint directory (config.json, vocab.txt or tokenizer.json and
// model.safetensors, or pytorch_model.bin through a small pickle reader), tokenizes with the
// WordPiece or byte-level BPE Tokenizer, and runs the Encoder and a Classifier head in
// float32 or float64, forward and backward. Its linear projections are nn.LinearMaps listed
// by Encoder.Sites, so that adapters can wrap them from above: the package knows nothing of
// adapters or training (package train injects Quantum-PEFT, LoRA or AdaLoRA adapters, trains,
// sweeps and exports). WriteTiny builds a tiny random checkpoint for tests.
// docs/transformer.md describes the method and its checks.
package bert
