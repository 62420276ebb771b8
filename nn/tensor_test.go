package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTensorViews(t *testing.T) {
	x := FromSlice([]float32{0, 1, 2, 3, 4, 5}, 3, 2)
	r := x.Reshape(-1, 3)
	assert.Equal(t, "[2 3]", fmt.Sprint(r.Shape), "Reshape -1")
	s := x.Slice(1, 3)
	assert.Equal(t, "[2 2] [2 3 4 5]", fmt.Sprint(s.Shape, s.Data), "Slice")
	s.Data[0] = 9
	assert.Equal(t, float32(9), x.Data[2], "Slice does not share data")
	c := x.Clone()
	c.Data[0] = 7
	assert.Equal(t, float32(0), x.Data[0], "Clone shares data")
	assert.Equal(t, "[0 1 9 3 4 5]", fmt.Sprint(Convert[float64](x).Data), "Convert")
}

func TestTensorPanics(t *testing.T) {
	cases := map[string]func(){
		"FromSlice": func() { FromSlice([]float32{1, 2, 3}, 2, 2) },
		"Reshape":   func() { New[float32](2, 3).Reshape(4, 2) },
		"Reshape-1": func() { New[float32](2, 3).Reshape(-1, 4) },
		"Slice":     func() { New[float32](2, 3).Slice(1, 3) },
		"Negative":  func() { New[float32](2, -1) },
		"LinearIn":  func() { NewLinearFrom[float32](NewParam("w", 2, 3), nil).Forward(New[float32](1, 2)) },
		"ConvInput": func() {
			NewConv2D[float32]("c", Conv2DConfig{InChannels: 2, OutChannels: 1, KernelH: 1, KernelW: 1}, rand.New(rand.NewPCG(1, 1))).Forward(New[float32](1, 1, 2, 2))
		},
		"Label":      func() { SoftmaxCrossEntropy(New[float32](1, 2), []int{2}) },
		"PoolConfig": func() { NewMaxPool2D[float32](MaxPool2DConfig{KernelH: 2, KernelW: 2, PadTop: 2}) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			assert.Panics(t, f)
		})
	}
}
