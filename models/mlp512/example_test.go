package mlp512_test

import (
	"fmt"
	"log"

	"github.com/qpeft/qpeft/models/mlp512"
	"github.com/qpeft/qpeft/nn"
)

// Load the embedded, project-pretrained MLP and classify a blank image.
func ExampleLoad() {
	net, err := mlp512.Load()
	if err != nil {
		log.Fatal(err)
	}
	_, total := nn.CountParams(net.Params())
	fmt.Println("widths:", mlp512.Widths(net), "parameters:", total)
	x := nn.New[float32](1, 1, 28, 28) // pixels scaled by mlp512.PixelScale, here all 0
	fmt.Println("logits per image:", net.Forward(x).Shape[1])
	// Output:
	// widths: [784 512 512 10] parameters: 669706
	// logits per image: 10
}
