package safetensors_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/formats/safetensors"
)

func Example() {
	dir, err := os.MkdirTemp("", "safetensors-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	// Write two tensors and some metadata, atomically.
	tensors := []safetensors.Tensor{
		safetensors.FromFloat32("layer.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}),
		safetensors.FromFloat64("layer.bias", []int{2}, []float64{0.5, -0.5}),
	}
	if err := safetensors.WriteFile(path, tensors, map[string]string{"format": "pt"}); err != nil {
		log.Fatal(err)
	}

	// Open validates the whole file and maps it.
	f, err := safetensors.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for _, t := range f.Tensors() {
		fmt.Println(t.Name, t.DType, t.Shape, t.Begin, t.End)
	}
	w, err := f.Float64("layer.weight")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(w, f.Metadata())
	// Output:
	// layer.bias F64 [2] 0 16
	// layer.weight F32 [2 3] 16 40
	// [1 2 3 4 5 6] map[format:pt]
}
