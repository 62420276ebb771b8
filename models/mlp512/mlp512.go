// Package mlp512 is the project's own pretrained 784-512-512-10 multilayer perceptron: the
// wider model on which qpeft shows how Quantum-PEFT scales (its 512 x 512 layer is adapted by
// 9-qubit circuits).
//
// Unlike models/mnistcnn (pretrained by the ONNX Model Zoo), this network was pretrained BY
// THIS PROJECT on MNIST, deterministically from a fixed seed, with the command recorded in
// PROVENANCE.md; the weights are embedded ([Load]) as safetensors (model.safetensors).
//
// Architecture (PyTorch names and conventions, W is out x in):
//
//	Flatten → fc1 Linear(784, 512) → ReLU → fc2 Linear(512, 512) → ReLU → fc3 Linear(512, 10)
//
// Input: (N, 1, 28, 28) or (N, 784) images with pixels scaled to [0, 1] ([PixelScale] = 1/255
// of the raw byte). Output: 10 logits.
//
// The file format is the safetensors state dict of that module: fc1.weight [512 784],
// fc1.bias [512], fc2.weight, fc2.bias, fc3.weight, fc3.bias, F32 (F64 is accepted too), with
// metadata recording the architecture and the pixel scale. [ReadFile] reads any chain
// fc1 … fcN of this form (an MLP of any widths) and validates every shape.
package mlp512

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/nn"
)

// Name is the model's name in qpeft commands (--model mlp512).
const Name = "mlp512"

// Sizes are the layer widths: input 784, two hidden layers of 512, 10 outputs.
var Sizes = []int{784, 512, 512, 10}

// PixelScale maps a raw 0–255 pixel to the model's input range [0, 1].
const PixelScale = 1.0 / 255

// SHA256 is the hex sha256 of the embedded model.safetensors.
const SHA256 = "4402ba4cf10cbdb18bb8b27e31b4a19f19cd2ebb44f78230973a3daadb5beefc"

//go:embed model.safetensors
var weights []byte

// Weights returns a copy of the embedded safetensors file.
func Weights() []byte { return append([]byte(nil), weights...) }

// Load returns the pretrained network from the embedded weights (float32 compute, float64
// master parameters, every parameter trainable; freeze them with nn.Freeze to fine-tune).
func Load() (*nn.Sequential[float32], error) {
	net, _, err := Parse(weights)
	if err != nil {
		return nil, fmt.Errorf("mlp512: embedded weights: %w", err)
	}
	if err := checkSizes(net); err != nil {
		return nil, fmt.Errorf("mlp512: embedded weights: %w", err)
	}
	return net, nil
}

// checkSizes verifies that net has the 784-512-512-10 widths.
func checkSizes(net *nn.Sequential[float32]) error {
	got := Widths(net)
	if len(got) != len(Sizes) {
		return fmt.Errorf("widths %v, want %v", got, Sizes)
	}
	for i := range got {
		if got[i] != Sizes[i] {
			return fmt.Errorf("widths %v, want %v", got, Sizes)
		}
	}
	return nil
}

// Widths returns the input width followed by every Linear layer's output width.
func Widths(net *nn.Sequential[float32]) []int {
	var w []int
	for _, l := range net.Layers {
		if lin, ok := l.(*nn.Linear[float32]); ok {
			out, in := lin.Dims()
			if len(w) == 0 {
				w = append(w, in)
			}
			w = append(w, out)
		}
	}
	return w
}

// New returns a freshly initialised MLP with the given widths (input first), PyTorch's
// default initialisation drawn from a PCG seeded with seed: Flatten, then fc1 … fcN with a
// ReLU between consecutive layers. It panics if fewer than two widths are given or one is
// not positive.
func New(widths []int, seed uint64) *nn.Sequential[float32] {
	if len(widths) < 2 {
		panic(fmt.Sprintf("mlp512: New: widths %v need an input and at least one layer", widths))
	}
	rng := rand.New(rand.NewPCG(seed, 0x6d6c7035313221))
	layers := []nn.Layer[float32]{&nn.Flatten[float32]{}}
	for i := 1; i < len(widths); i++ {
		if i > 1 {
			layers = append(layers, &nn.ReLU[float32]{})
		}
		layers = append(layers, nn.NewLinear[float32](fmt.Sprintf("fc%d", i), widths[i-1], widths[i], true, rng))
	}
	return nn.NewSequential(layers...)
}

// Metadata keys written by [Write].
const (
	MetaArchitecture = "architecture"
	MetaPixelScale   = "pixel_scale"
)

// Write encodes the Linear layers of net (fc1 … fcN, in order) as a safetensors file in F32
// with the given extra metadata (architecture and pixel scale are added).
func Write(net *nn.Sequential[float32], extra map[string]string) ([]byte, error) {
	var tensors []safetensors.Tensor
	var widths []string
	k := 0
	for _, l := range net.Layers {
		lin, ok := l.(*nn.Linear[float32])
		if !ok {
			continue
		}
		k++
		name := fmt.Sprintf("fc%d", k)
		out, in := lin.Dims()
		if k == 1 {
			widths = append(widths, strconv.Itoa(in))
		}
		widths = append(widths, strconv.Itoa(out))
		if lin.B == nil {
			return nil, fmt.Errorf("mlp512: layer %s has no bias; the format needs one", name)
		}
		tensors = append(tensors,
			safetensors.FromFloat64AsFloat32(name+".weight", []int{out, in}, lin.W.Value),
			safetensors.FromFloat64AsFloat32(name+".bias", []int{out}, lin.B.Value))
	}
	if k == 0 {
		return nil, fmt.Errorf("mlp512: the network has no Linear layer")
	}
	meta := map[string]string{"format": "pt"}
	for key, v := range extra {
		meta[key] = v
	}
	meta[MetaArchitecture] = "mlp " + strings.Join(widths, "-") + " relu"
	meta[MetaPixelScale] = strconv.FormatFloat(PixelScale, 'g', -1, 64)
	return safetensors.Marshal(tensors, meta)
}

// Parse reads an MLP from the bytes of a safetensors file of the form Write produces and
// returns it with the file's metadata. It reports every problem with its tensor name: a
// missing or unexpected tensor, a wrong dtype or rank, widths that do not chain (fcK's input
// must equal fc(K−1)'s output), non-finite values.
func Parse(b []byte) (*nn.Sequential[float32], map[string]string, error) {
	f, err := safetensors.Parse(b)
	if err != nil {
		return nil, nil, err
	}
	return fromFile(f)
}

// ReadFile reads an MLP safetensors file (see [Parse]).
func ReadFile(path string) (*nn.Sequential[float32], map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("mlp512: %w", err)
	}
	net, meta, err := Parse(b)
	if err != nil {
		return nil, nil, fmt.Errorf("mlp512: %s: %w", path, err)
	}
	return net, meta, nil
}

func fromFile(f *safetensors.File) (*nn.Sequential[float32], map[string]string, error) {
	names := f.Names()
	used := map[string]bool{}
	var layers []nn.Layer[float32]
	layers = append(layers, &nn.Flatten[float32]{})
	prevOut := -1
	k := 0
	for {
		name := fmt.Sprintf("fc%d", k+1)
		wi, okW := f.Info(name + ".weight")
		bi, okB := f.Info(name + ".bias")
		if !okW && !okB {
			break
		}
		if !okW || !okB {
			missing := name + ".weight"
			if okW {
				missing = name + ".bias"
			}
			return nil, nil, fmt.Errorf("tensor %s is missing (each layer needs weight and bias)", missing)
		}
		k++
		used[wi.Name], used[bi.Name] = true, true
		if len(wi.Shape) != 2 || wi.Shape[0] < 1 || wi.Shape[1] < 1 {
			return nil, nil, fmt.Errorf("tensor %s has shape %v, want [out in]", wi.Name, wi.Shape)
		}
		out, in := wi.Shape[0], wi.Shape[1]
		if len(bi.Shape) != 1 || bi.Shape[0] != out {
			return nil, nil, fmt.Errorf("tensor %s has shape %v, want [%d] to match %s %v", bi.Name, bi.Shape, out, wi.Name, wi.Shape)
		}
		if prevOut >= 0 && in != prevOut {
			return nil, nil, fmt.Errorf("tensor %s has shape %v: its input width %d does not match fc%d's output width %d", wi.Name, wi.Shape, in, k-1, prevOut)
		}
		prevOut = out
		w, err := f.Float64(wi.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %s: %w", wi.Name, err)
		}
		bv, err := f.Float64(bi.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %s: %w", bi.Name, err)
		}
		for _, t := range []struct {
			name string
			v    []float64
		}{{wi.Name, w}, {bi.Name, bv}} {
			if i := nn.FirstNonFinite(t.v); i >= 0 {
				return nil, nil, fmt.Errorf("tensor %s: element %d is %v", t.name, i, t.v[i])
			}
		}
		wp := nn.NewParam(wi.Name, out, in)
		copy(wp.Value, w)
		bp := nn.NewParam(bi.Name, out)
		copy(bp.Value, bv)
		if k > 1 {
			layers = append(layers, &nn.ReLU[float32]{})
		}
		layers = append(layers, nn.NewLinearFrom[float32](wp, bp))
	}
	if k == 0 {
		return nil, nil, fmt.Errorf("no tensor fc1.weight: not an MLP in the mlp512 format (tensors fc1.weight, fc1.bias, fc2.weight, …)")
	}
	var extra []string
	for _, n := range names {
		if !used[n] {
			extra = append(extra, n)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, nil, fmt.Errorf("unexpected tensors %v (layers must be numbered fc1, fc2, … without gaps)", extra)
	}
	return nn.NewSequential(layers...), f.Metadata(), nil
}
