package hfpeft_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/formats/hfpeft"
)

func Example() {
	parent, err := os.MkdirTemp("", "hfpeft-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(parent)
	dir := filepath.Join(parent, "my-adapter")

	// A rank-1 LoRA on one 2x3 linear layer; alpha 2 gives scale alpha/r = 2.
	a := hfpeft.New(hfpeft.DefaultConfig(1, 2, "q_proj"))
	a.Config.BaseModelNameOrPath = "tiny/base"
	a.Modules["encoder.layer.0.q_proj"] = &hfpeft.LoRAWeights{
		InFeatures: 3, OutFeatures: 2,
		A: []float64{1, 0, -1}, // 1 x 3
		B: []float64{0.5, 2},   // 2 x 1
	}
	if err := a.Save(dir); err != nil {
		log.Fatal(err)
	}

	b, err := hfpeft.Load(dir)
	if err != nil {
		log.Fatal(err)
	}
	dw, err := b.DeltaW("encoder.layer.0.q_proj")
	if err != nil {
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	fmt.Println(b.ModuleNames(), dw)
	// Output:
	// adapter_config.json
	// adapter_model.safetensors
	// [encoder.layer.0.q_proj] [1 0 -1 4 0 -4]
}
