// Package mnistcnn embeds the ONNX Model Zoo MNIST CNN (MIT licence; see PROVENANCE.md in
// this directory), so programs can run it with no files.
//
// The network: Conv 8@5x5 → ReLU → MaxPool 2 → Conv 16@5x5 → ReLU → MaxPool 3 → Linear
// 256 → 10. Input: float (N, 1, 28, 28) with raw pixel values 0–255 (MNIST convention, white
// digit on black); output: 10 logits per image. Accuracy on the MNIST test set: 98.9 %.
//
// Convert it to a trainable network with formats/onnx:
//
//	net, err := onnx.Load[float32](mnistcnn.ONNX())
//
// Its parameters are "Convolution28.weight", "Convolution28.bias", "Convolution110.weight",
// "Convolution110.bias", "Times212.weight" and "Times212.bias".
package mnistcnn

import _ "embed"

//go:embed model.onnx
var model []byte

// SHA256 is the hex sha256 of the embedded model file.
const SHA256 = "0d715376572e89832685c56a65ef1391f5f0b7dd31d61050c91ff3ecab16c032"

// Input and output names and the pixel scale of the model.
const (
	InputName  = "Input3"
	OutputName = "Plus214_Output_0"
	// PixelScale maps a uint8 pixel to the model's input: the model takes raw 0–255 values.
	PixelScale = 1.0
)

// ONNX returns a copy of the serialized model (26,454 bytes).
func ONNX() []byte { return append([]byte(nil), model...) }
