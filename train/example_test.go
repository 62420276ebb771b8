package train_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/train"
)

// Fine-tune the embedded ONNX MNIST CNN to Fashion-MNIST with Quantum-PEFT adapters on its two
// convolutions (plus a new head), on a few images of the embedded subset, and look at what
// the run directory holds.
func ExampleRun() {
	cfg := train.DefaultConfig(train.ModelMNISTCNN, train.QPEFT) // L = 2, K = 4
	cfg.Data = train.DataFashionSubset
	cfg.Epochs, cfg.TrainLimit, cfg.TestLimit = 1, 128, 100

	dir, err := os.MkdirTemp("", "qpeft-train-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "run")
	res, err := train.Run(context.Background(), cfg, out, train.Options{})
	if err != nil {
		log.Fatal(err)
	}
	p := res.Metrics.Params
	fmt.Println(res.Metrics.Label)
	for _, m := range res.Metrics.Modules {
		fmt.Printf("  %s %dx%d: %d parameters (LoRA r=1: %d)\n", m.Alias, m.Out, m.In, m.Params, m.LoRAr1)
	}
	fmt.Println("adapter parameters:", p.Adapter, "new head:", p.Head)
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// Quantum-PEFT L=2 K=4
	//   conv1 8x25: 75 parameters (LoRA r=1: 33)
	//   conv2 16x200: 157 parameters (LoRA r=1: 216)
	// adapter parameters: 232 new head: 2570
	// .qpeft-output
	// adapter
	// curves.png
	// head.safetensors
	// lora
	// metrics.json
	// timing.json
}

// The points of a Pareto front (`qpeft train --front`): the head rows, LoRA at every rank
// and AdaLoRA, then Quantum-PEFT at its centre and one factor at a time around it.
func ExampleFrontPlan() {
	points, err := train.FrontPlan(train.FrontConfig{Out: "runs"}, train.ModelMNISTCNN, "")
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range points {
		fmt.Printf("%-28s %-7s %s\n", p.Series, p.Factor, p.Name)
	}
	// Output:
	// head only (matched budget)           head only (matched budget)
	// linear probe (long)                  linear probe (10× the epochs)
	// LoRA (conv1,conv2)                   LoRA r=1 (conv1,conv2)
	// LoRA (conv1,conv2)                   LoRA r=2 (conv1,conv2)
	// LoRA (conv1,conv2)                   LoRA r=4 (conv1,conv2)
	// LoRA (conv1,conv2)                   LoRA r=8 (conv1,conv2)
	// AdaLoRA (conv1,conv2)                AdaLoRA r=8→4 (conv1,conv2)
	// Quantum-PEFT (conv1,conv2)   centre  Quantum-PEFT L=2 K=16, conv1 K=8 (conv1,conv2; centre)
	// Quantum-PEFT (conv1,conv2)   L       Quantum-PEFT L=1 K=16, conv1 K=8 (conv1,conv2; L)
	// Quantum-PEFT (conv1,conv2)   L       Quantum-PEFT L=4 K=16, conv1 K=8 (conv1,conv2; L)
	// Quantum-PEFT (conv1,conv2)   K       Quantum-PEFT L=2 K=4 (conv1,conv2; K)
	// Quantum-PEFT (conv1,conv2)   K       Quantum-PEFT L=2 K=8 (conv1,conv2; K)
	// Quantum-PEFT (conv1,conv2)   start   Quantum-PEFT L=2 K=16 rotated, conv1 K=8 (conv1,conv2; start)
	// Quantum-PEFT (conv1,conv2)   ansatz  Quantum-PEFT L=2 K=16 givens, conv1 K=8 (conv1,conv2; ansatz)
	// Quantum-PEFT (conv1,conv2)   ansatz  Quantum-PEFT L=2 K=16 alltoall, conv1 K=8 (conv1,conv2; ansatz)
}
