// Package train fine-tunes real pretrained networks — the image models (mnist-cnn, mlp512,
// ONNX and MLP files) and BERT-family text encoders (models/bert) — with Quantum-PEFT, LoRA,
// AdaLoRA-style adapters, a new head only, or fully, and records what happened: the training
// behind `qpeft train`, `qpeft eval` and `qpeft demo`, and the sweeps that produce
// docs/results.md and docs/results-minilm.md.
//
// # One loop
//
// [Loop] is the one training loop of every model: epochs of mini-batches, the adapters'
// pruning schedules and penalties, a non-finite loss, gradient or parameter stopping the run
// before anything is written, global gradient-norm clipping, one AdamW per [Group] at its own
// scheduled learning rate, per-epoch evaluation and [Progress] reports. A model takes part
// by implementing [Learner]. [Run] (images) and [RunText] (text) prepare the model, run the
// loop and write the run directory; [Sweep] and [TextSweep] share one sweep engine; every run
// directory is written under one output policy (internal/outdir).
//
// # Models and data
//
// [LoadModel] gives the two built-in pretrained models — mnist-cnn, the ONNX Model Zoo MNIST
// CNN (pretrained by its authors; raw 0–255 pixels), and mlp512, the 784-512-512-10 MLP
// pretrained by this project (models/mlp512; pixels in [0, 1]) — or reads a .onnx file or an
// MLP .safetensors file. [LoadData] gives Fashion-MNIST (the Debian package
// dataset-fashion-mnist, or any directory of IDX files), the subset embedded in the binary,
// or MNIST. Bad files are errors that name the file and the problem.
//
// # The protocol
//
// The pretrained network is frozen. Except for zero-shot (the pretrained head's class k read
// as the new task's class k), its classifier is replaced by a new head, initialised to zero
// and trained by every method, so that its parameters are the same for all and are counted
// separately from the adapters ([ParamInfo]). The adapter methods put adapters on the target
// modules (default conv1 and conv2 of mnist-cnn, fc2 — the 512x512 layer — of mlp512):
// convolutions are adapted through the weight's OC x (C·KH·KW) matrix, so conv1 is 8x25 and
// conv2 16x200, dimensions that are not powers of two. Full fine-tuning trains every weight.
// Training is AdamW with linear warm-up and cosine decay, one learning rate for the adapters
// (or the pretrained weights) and one for the head, gradient-norm clipping, seeded shuffling.
//
// # Outputs
//
// [Run] writes a run directory: metrics.json ([Metrics]: configuration, parameter counts,
// zero-shot, per-epoch and final test scores, the training curve — nothing that depends on the
// clock, so the same configuration gives the same file, bit for bit, on a given machine),
// timing.json ([Timing]: seconds and CPU seconds per epoch, samples per second), curves.png
// (loss and accuracy against the step, internal/plots), the adapter checkpoint (adapter/, package
// peft's format), its Hugging Face PEFT LoRA export (lora/), the new head (head.safetensors)
// or, after full fine-tuning, every weight (model.safetensors). The directory is built next
// to its destination and renamed into place, so an interrupted run leaves nothing half
// written. [EvaluateRun] reloads a run directory and scores it again.
//
// [Sweep] runs every method on both image models over several seeds and writes the tables of
// docs/results.md; [TextSweep] runs settings × seeds on a text model (docs/results-minilm.md);
// [Demo] is `qpeft demo`.
package train
