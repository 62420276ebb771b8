package mnistcnn_test

import (
	"fmt"

	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
)

func ExampleONNX() {
	b := mnistcnn.ONNX()
	fmt.Println(len(b), "bytes; input", mnistcnn.InputName, "output", mnistcnn.OutputName)
	// Output: 26454 bytes; input Input3 output Plus214_Output_0
}
