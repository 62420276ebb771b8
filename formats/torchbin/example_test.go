package torchbin_test

import (
	"fmt"

	"github.com/qpeft/qpeft/formats/torchbin"
)

// Open reads a state dict written by torch.save; views keep their strides and offsets.
func ExampleOpen() {
	f, err := torchbin.Open("testdata/p2.bin")
	if err != nil {
		fmt.Println(err)
		return
	}
	info, _ := f.Info("f64.slice")
	v, _ := f.Float64("expand")
	fmt.Println(f.Len(), "tensors")
	fmt.Println(info.DType, info.Shape, info.Stride, info.Offset)
	fmt.Println(v)
	// Output:
	// 15 tensors
	// F64 [3] [4] 6
	// [1.5 1.5 1.5 -2.5 -2.5 -2.5]
}
