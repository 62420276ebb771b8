package onnx_test

import (
	"fmt"

	"github.com/qpeft/qpeft/formats/onnx"
	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
	"github.com/qpeft/qpeft/nn"
)

// Loading the ONNX Model Zoo MNIST CNN and running a blank image.
func ExampleLoad() {
	net, err := onnx.Load[float32](mnistcnn.ONNX())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(net.Input, net.InputShape, "->", net.Output, net.OutputShape)
	for _, l := range net.Model.Layers {
		fmt.Println(l)
	}
	y := net.Model.Forward(nn.New[float32](2, 1, 28, 28)) // any batch size
	fmt.Println("logits:", y.Shape)
	// Output:
	// Input3 [1 28 28] -> Plus214_Output_0 [10]
	// Conv2D(in=1, out=8, kernel=5x5, stride=1,1, pad=2,2,2,2, map=Linear(Convolution28.weight: in=25, out=8, bias=true))
	// ReLU
	// MaxPool2D(kernel=2x2, stride=2,2, pad=0,0,0,0)
	// Conv2D(in=8, out=16, kernel=5x5, stride=1,1, pad=2,2,2,2, map=Linear(Convolution110.weight: in=200, out=16, bias=true))
	// ReLU
	// MaxPool2D(kernel=3x3, stride=3,3, pad=0,0,0,0)
	// Flatten
	// Linear(Times212.weight: in=256, out=10, bias=true)
	// logits: [2 10]
}

// Malformed input gives a DecodeError with the message path and byte offset.
func ExampleDecode_truncated() {
	_, err := onnx.Decode([]byte{0x3a, 0x05, 0x01})
	fmt.Println(err)
	// Output: onnx: model at byte 2: field 7 (graph): truncated: length 5 but 1 bytes left
}
