package train

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/formats/onnx"
	"github.com/qpeft/qpeft/models/mlp512"
	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
	"github.com/qpeft/qpeft/nn"
)

// Built-in model names accepted by [LoadModel].
const (
	ModelMNISTCNN = "mnist-cnn"
	ModelMLP512   = "mlp512"
)

// Model is a pretrained network ready for fine-tuning, with what a run needs to know about it.
type Model struct {
	// Name is the model as given: a built-in name or a file path.
	Name string
	// Description says what the model is and where it comes from.
	Description string
	// SHA256 is the hex sha256 of the weights file (embedded or on disk).
	SHA256 string
	// Net is the network (float32 compute, float64 master parameters, all trainable).
	Net *nn.Sequential[float32]
	// InputShape is the shape of one sample without the batch dimension, e.g. [1 28 28] or
	// [784].
	InputShape []int
	// Outputs is the number of logits.
	Outputs int
	// PixelScale maps a raw 0–255 pixel to the network's input.
	PixelScale float64
	// Aliases maps friendly module names (conv1, head, …) to the names of the network's
	// LinearMap sites (the adapter module names, e.g. Convolution28).
	Aliases map[string]string
	// DefaultTargets are the modules adapted when --targets is not given (aliases allowed),
	// for a run with a new head; a run adapting the pretrained head adds the head.
	DefaultTargets []string
}

// ModelNames lists the built-in models.
var ModelNames = []string{ModelMNISTCNN, ModelMLP512}

// LoadModel returns a built-in model (mnist-cnn, mlp512) or reads one from a file: an ONNX
// model (.onnx, a chain of the operators formats/onnx supports, fed raw 0–255 pixels unless
// pixelScale is set) or an MLP in the mlp512 safetensors format (.safetensors, fed pixels
// in [0, 1]). pixelScale > 0 overrides the input scaling. Every error names the file and
// the problem.
func LoadModel(name string, pixelScale float64) (*Model, error) {
	if pixelScale < 0 {
		return nil, fmt.Errorf("train: pixel scale %v must be positive (0 for the model's default)", pixelScale)
	}
	var m *Model
	var err error
	switch name {
	case "":
		return nil, fmt.Errorf("train: no model given; use one of %s or a .onnx/.safetensors file", strings.Join(ModelNames, ", "))
	case ModelMNISTCNN:
		b := mnistcnn.ONNX()
		net, err := onnx.Load[float32](b)
		if err != nil {
			return nil, fmt.Errorf("train: embedded %s: %w", name, err)
		}
		m = &Model{Name: name, Description: "ONNX Model Zoo MNIST CNN (MIT), pretrained on MNIST by its authors; models/mnistcnn",
			SHA256: sum(b), Net: net.Model, InputShape: net.InputShape, Outputs: prod(net.OutputShape), PixelScale: mnistcnn.PixelScale,
			Aliases:        map[string]string{"conv1": "Convolution28", "conv2": "Convolution110", "head": "Times212"},
			DefaultTargets: []string{"conv1", "conv2"}}
	case ModelMLP512:
		b := mlp512.Weights()
		net, err := mlp512.Load()
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		m = &Model{Name: name, Description: "784-512-512-10 MLP pretrained on MNIST by this project (seeded, reproducible); models/mlp512",
			SHA256: sum(b), Net: net, InputShape: []int{mlp512.Sizes[0]}, Outputs: 10, PixelScale: mlp512.PixelScale,
			Aliases: map[string]string{"head": "fc3"}, DefaultTargets: []string{"fc2"}}
	default:
		m, err = loadModelFile(name)
		if err != nil {
			return nil, err
		}
	}
	if pixelScale > 0 {
		m.PixelScale = pixelScale
	}
	return m, nil
}

func loadModelFile(path string) (*Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(path, `/\.`) {
			return nil, fmt.Errorf("train: unknown model %q: not a built-in model (%s) and no such file", path, strings.Join(ModelNames, ", "))
		}
		return nil, fmt.Errorf("train: model: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("train: model %s is a directory; give a .onnx or .safetensors file", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: model: %w", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".onnx":
		net, err := onnx.Load[float32](b)
		if err != nil {
			return nil, fmt.Errorf("train: model %s: %w", path, err)
		}
		if len(net.OutputShape) != 1 {
			return nil, fmt.Errorf("train: model %s: output shape %v per sample, want a vector of logits", path, net.OutputShape)
		}
		m := &Model{Name: path, Description: "ONNX model " + filepath.Base(path), SHA256: sum(b), Net: net.Model,
			InputShape: net.InputShape, Outputs: net.OutputShape[0], PixelScale: 1}
		m.DefaultTargets = siteNames(m.Net, true)
		return m, nil
	case ".safetensors":
		net, meta, err := mlp512.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("train: model %s: %w", path, err)
		}
		w := mlp512.Widths(net)
		scale := mlp512.PixelScale
		if s, ok := meta[mlp512.MetaPixelScale]; ok {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v <= 0 {
				return nil, fmt.Errorf("train: model %s: metadata %s = %q is not a positive number", path, mlp512.MetaPixelScale, s)
			}
			scale = v
		}
		m := &Model{Name: path, Description: "MLP " + filepath.Base(path), SHA256: sum(b), Net: net,
			InputShape: []int{w[0]}, Outputs: w[len(w)-1], PixelScale: scale}
		m.DefaultTargets = siteNames(m.Net, true)
		return m, nil
	}
	return nil, fmt.Errorf("train: model %s: unknown file type %q; want .onnx (ONNX) or .safetensors (MLP in the mlp512 format)", path, filepath.Ext(path))
}

// siteNames lists the LinearMap sites of net, without the last one when skipLast.
func siteNames(net *nn.Sequential[float32], skipLast bool) []string {
	var out []string
	sites := net.MapSites()
	for i, s := range sites {
		if skipLast && i == len(sites)-1 {
			break
		}
		out = append(out, s.Name)
	}
	return out
}

// HeadSite returns the model's last LinearMap site (the classifier head). It must be the
// network's last layer and a plain nn.Linear, so that it can be replaced by a new head.
func (m *Model) HeadSite() (nn.MapSite[float32], error) {
	sites := m.Net.MapSites()
	if len(sites) == 0 {
		return nn.MapSite[float32]{}, fmt.Errorf("train: model %s has no linear layer", m.Name)
	}
	h := sites[len(sites)-1]
	if h.Conv != nil || h.Index != len(m.Net.Layers)-1 {
		return h, fmt.Errorf("train: model %s: the last layer is not a linear classifier head (%v)", m.Name, m.Net.Layers[len(m.Net.Layers)-1])
	}
	return h, nil
}

// Resolve maps target names (aliases or site names) to site names, reporting unknown ones
// with the list of valid names.
func (m *Model) Resolve(targets []string) ([]string, error) {
	sites := map[string]bool{}
	var valid []string
	for _, s := range m.Net.MapSites() {
		sites[s.Name] = true
		valid = append(valid, s.Name)
	}
	for a, s := range m.Aliases {
		valid = append(valid, a+" (= "+s+")")
	}
	slices.Sort(valid)
	var out []string
	seen := map[string]bool{}
	for _, t := range targets {
		name := t
		if s, ok := m.Aliases[t]; ok {
			name = s
		}
		if !sites[name] {
			return nil, fmt.Errorf("train: model %s has no module %q; valid targets: %s", m.Name, t, strings.Join(valid, ", "))
		}
		if seen[name] {
			return nil, fmt.Errorf("train: target %q listed twice", t)
		}
		seen[name] = true
		out = append(out, name)
	}
	return out, nil
}

// patternSites rewrites the keys of a rank pattern that are aliases (conv1) into the site
// names they stand for (Convolution28), which the adapters are named after.
func (m *Model) patternSites(p map[string]int) map[string]int {
	if len(p) == 0 {
		return p
	}
	out := make(map[string]int, len(p))
	for k, r := range p {
		if s, ok := m.Aliases[k]; ok {
			k = regexp.QuoteMeta(s)
		}
		out[k] = r
	}
	return out
}

// Alias returns the friendly name of a site, or the site name itself.
func (m *Model) Alias(site string) string {
	for a, s := range m.Aliases {
		if s == site {
			return a
		}
	}
	return site
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func prod(s []int) int {
	p := 1
	for _, v := range s {
		p *= v
	}
	return p
}
