package onnx

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/qpeft/qpeft/internal/memlimit"

	"github.com/qpeft/qpeft/nn"
)

// SupportedOps lists the operators [Convert] understands (default ONNX domain).
var SupportedOps = []string{"Add", "Constant", "Conv", "Dropout", "Flatten", "Gemm", "Identity", "MatMul", "MaxPool", "Relu", "Reshape"}

// Network is an ONNX graph converted to a [nn.Sequential] with its weights.
type Network[T nn.Float] struct {
	// Model computes the graph's output from its input, for any batch size.
	Model *nn.Sequential[T]
	// Input and Output are the names of the graph's data input and output.
	Input, Output string
	// InputShape is the shape of one sample (without the batch dimension), e.g. [1 28 28].
	InputShape []int
	// OutputShape is the shape of one sample's output, e.g. [10].
	OutputShape []int
}

// maxFileSize is the largest model file ReadFile accepts (protobuf's 2 GiB limit).
const maxFileSize = 2 << 30

// ReadFile reads and decodes an ONNX model file.
func ReadFile(path string) (*Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("onnx: %s is %d bytes, larger than the 2 GiB protobuf limit (external-data models are not supported)", path, st.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	m, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Load decodes a serialized ONNX model and converts it (Decode followed by Convert).
func Load[T nn.Float](b []byte) (*Network[T], error) {
	m, err := Decode(b)
	if err != nil {
		return nil, err
	}
	return Convert[T](m)
}

// constant is a folded constant value.
type constant struct {
	shape []int
	f     []float32 // numeric value (nil for non-numeric)
	i     []int64   // integer value when the tensor is integer-typed
}

type converter[T nn.Float] struct {
	consts map[string]*constant
	layers []nn.Layer[T]
	cur    string
	shape  []int // per-sample shape of cur
}

func nodeLabel(n *Node, idx int) string {
	name := n.Name
	if name == "" {
		name = fmt.Sprintf("#%d", idx)
	}
	return fmt.Sprintf("node %q (%s)", name, n.OpType)
}

// Convert turns a model whose graph is a chain of supported operators (see [SupportedOps])
// into a Network. Conv+Add and MatMul+Add pairs become layers with biases; Reshape to
// (1|−1|0, features) becomes Flatten so the network accepts any batch size. Parameter names
// are the ONNX node names with ".weight" and ".bias". Every parameter is trainable; freeze
// them with [nn.Freeze] for fine-tuning. Unsupported operators, branching graphs and
// inconsistent shapes are reported as errors naming the node.
func Convert[T nn.Float](m *Model) (*Network[T], error) {
	g := m.Graph
	if g == nil {
		return nil, errors.New("onnx: model has no graph")
	}
	for _, op := range m.OpsetImports {
		if op.Domain != "" && op.Domain != "ai.onnx" {
			return nil, fmt.Errorf("onnx: model imports operator set %q, only the default ONNX domain is supported", op.Domain)
		}
	}
	c := &converter[T]{consts: map[string]*constant{}}
	for _, t := range g.Initializers {
		k, err := tensorConst(t)
		if err != nil {
			return nil, fmt.Errorf("onnx: initializer %q: %w", t.Name, err)
		}
		c.consts[t.Name] = k
	}
	var dataIn []*ValueInfo
	for _, in := range g.Inputs {
		if _, ok := c.consts[in.Name]; !ok {
			dataIn = append(dataIn, in)
		}
	}
	if len(dataIn) != 1 {
		return nil, fmt.Errorf("onnx: graph has %d non-constant inputs, want exactly 1", len(dataIn))
	}
	in := dataIn[0]
	if in.ElemType != Float && in.ElemType != Undefined {
		return nil, fmt.Errorf("onnx: input %q has element type %v, want FLOAT", in.Name, in.ElemType)
	}
	if len(in.Shape) < 2 {
		return nil, fmt.Errorf("onnx: input %q has shape %v; need (batch, features...) with known feature dimensions", in.Name, in.Shape)
	}
	for i, d := range in.Shape[1:] {
		if !d.Known || d.Value <= 0 {
			return nil, fmt.Errorf("onnx: input %q: dimension %d is not a fixed positive size (%+v)", in.Name, i+1, d)
		}
		c.shape = append(c.shape, int(d.Value))
	}
	if err := checkActivation(c.shape); err != nil {
		return nil, fmt.Errorf("onnx: input %q: %w", in.Name, err)
	}
	net := &Network[T]{Input: in.Name, InputShape: slices.Clone(c.shape)}
	c.cur = in.Name
	for i, n := range g.Nodes {
		if err := c.node(n, i); err != nil {
			return nil, fmt.Errorf("onnx: %s: %w", nodeLabel(n, i), err)
		}
		if err := checkActivation(c.shape); err != nil {
			return nil, fmt.Errorf("onnx: %s: output: %w", nodeLabel(n, i), err)
		}
	}
	if len(g.Outputs) != 1 {
		return nil, fmt.Errorf("onnx: graph has %d outputs, want exactly 1", len(g.Outputs))
	}
	if g.Outputs[0].Name != c.cur {
		return nil, fmt.Errorf("onnx: graph output %q is not the end of the operator chain (%q)", g.Outputs[0].Name, c.cur)
	}
	net.Output = c.cur
	net.OutputShape = slices.Clone(c.shape)
	net.Model = nn.NewSequential(c.layers...)
	return net, nil
}

func tensorConst(t *Tensor) (*constant, error) {
	k := &constant{shape: t.Shape()}
	switch t.DataType {
	case Int64, Int32, Uint8, Int8:
		v, err := t.Int64s()
		if err != nil {
			return nil, err
		}
		k.i = v
		f, _ := t.Float32s()
		k.f = f
	case Float, Double:
		f, err := t.Float32s()
		if err != nil {
			return nil, err
		}
		k.f = f
	default:
		return nil, fmt.Errorf("unsupported constant type %v", t.DataType)
	}
	return k, nil
}

func attr(n *Node, name string) *Attribute {
	for _, a := range n.Attributes {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func attrInts(n *Node, name string, def []int64) []int64 {
	if a := attr(n, name); a != nil {
		return a.Ints
	}
	return def
}

func attrInt(n *Node, name string, def int64) int64 {
	if a := attr(n, name); a != nil {
		return a.I
	}
	return def
}

func attrFloat(n *Node, name string, def float32) float32 {
	if a := attr(n, name); a != nil {
		return a.F
	}
	return def
}

func attrString(n *Node, name, def string) string {
	if a := attr(n, name); a != nil {
		return string(a.S)
	}
	return def
}

// checkActivation refuses a per-sample activation shape with a dimension that is not
// positive or whose values (as float64, for one sample) exceed the memory limit, so that a
// model cannot declare an activation no forward pass could allocate (Conv pads of 2^30
// give a 2^31 x 2^31 output from a 1 x 1 input).
// MemoryLimit is the largest per-sample activation, in bytes, a converted model may declare
// (zero or negative: no limit). Its default is the process-wide one sim.MemoryLimit starts
// from (QPEFT_MEMORY_LIMIT, or three quarters of physical memory); qpeft's --memory-limit
// sets both.
var MemoryLimit int64 = memlimit.Default()

func checkActivation(shape []int) error {
	size := 8.0
	for _, d := range shape {
		if d <= 0 {
			return fmt.Errorf("per-sample shape %v has a dimension that is not positive", shape)
		}
		size *= float64(d)
	}
	if lim := MemoryLimit; lim > 0 && size > float64(lim) {
		return fmt.Errorf("per-sample shape %v needs %.3g GiB for one sample, above the memory limit of %.3g GiB (QPEFT_MEMORY_LIMIT)", shape, size/(1<<30), float64(lim)/(1<<30))
	}
	return nil
}

func numel(s []int) int {
	p := 1
	for _, d := range s {
		p *= d
	}
	return p
}

// node converts one node, either folding constants or appending layers.
func (c *converter[T]) node(n *Node, idx int) error {
	if n.Domain != "" && n.Domain != "ai.onnx" {
		return fmt.Errorf("operator domain %q is not supported", n.Domain)
	}
	if len(n.Outputs) == 0 {
		return errors.New("node has no outputs")
	}
	allConst := true
	for _, in := range n.Inputs {
		if _, ok := c.consts[in]; !ok && in != "" {
			allConst = false
		}
	}
	if allConst {
		return c.fold(n)
	}
	// Exactly one activation input: the current end of the chain.
	for j, in := range n.Inputs {
		if _, ok := c.consts[in]; ok || in == "" {
			continue
		}
		if in != c.cur {
			return fmt.Errorf("input %d %q is not the output of the previous operator (%q): only chains of operators are supported", j, in, c.cur)
		}
	}
	prefix := n.Name
	if prefix == "" {
		prefix = fmt.Sprintf("%s_%d", strings.ToLower(n.OpType), idx)
	}
	var err error
	switch n.OpType {
	case "Conv":
		err = c.conv(n, prefix)
	case "Add":
		err = c.add(n)
	case "Relu":
		c.layers = append(c.layers, &nn.ReLU[T]{})
	case "MaxPool":
		err = c.maxPool(n)
	case "Reshape", "Flatten":
		err = c.flatten(n)
	case "MatMul":
		err = c.matmul(n, prefix)
	case "Gemm":
		err = c.gemm(n, prefix)
	case "Identity", "Dropout":
		// Inference-time identities.
	default:
		return fmt.Errorf("unsupported operator %q; supported: %s", n.OpType, strings.Join(SupportedOps, ", "))
	}
	if err != nil {
		return err
	}
	c.cur = n.Outputs[0]
	return nil
}

// fold evaluates a node whose inputs are all constants.
func (c *converter[T]) fold(n *Node) error {
	out := n.Outputs[0]
	switch n.OpType {
	case "Constant":
		a := attr(n, "value")
		if a == nil || a.T == nil {
			return errors.New("Constant without a tensor 'value' attribute is not supported")
		}
		k, err := tensorConst(a.T)
		if err != nil {
			return err
		}
		c.consts[out] = k
	case "Reshape":
		if len(n.Inputs) != 2 {
			return fmt.Errorf("Reshape has %d inputs, want 2", len(n.Inputs))
		}
		data, shp := c.consts[n.Inputs[0]], c.consts[n.Inputs[1]]
		if shp.i == nil {
			return errors.New("Reshape shape is not an integer tensor")
		}
		s, err := reshapeDims(data.shape, shp.i)
		if err != nil {
			return err
		}
		c.consts[out] = &constant{shape: s, f: data.f, i: data.i}
	case "Identity":
		c.consts[out] = c.consts[n.Inputs[0]]
	default:
		return fmt.Errorf("constant folding of operator %q is not supported", n.OpType)
	}
	return nil
}

// reshapeDims resolves an ONNX Reshape target (0 copies the input dimension, −1 is inferred).
func reshapeDims(in []int, target []int64) ([]int, error) {
	out := make([]int, len(target))
	infer := -1
	known := 1
	for i, d := range target {
		switch {
		case d == 0:
			if i >= len(in) {
				return nil, fmt.Errorf("reshape target %v: 0 at position %d beyond input rank %d", target, i, len(in))
			}
			out[i] = in[i]
		case d == -1 && infer < 0:
			infer = i
			continue
		case d < 0:
			return nil, fmt.Errorf("reshape target %v: invalid dimension %d", target, d)
		default:
			out[i] = int(d)
		}
		known *= out[i]
	}
	total := numel(in)
	if infer >= 0 {
		if known == 0 || total%known != 0 {
			return nil, fmt.Errorf("reshape %v to %v: cannot infer -1", in, target)
		}
		out[infer] = total / known
	}
	if numel(out) != total {
		return nil, fmt.Errorf("reshape %v (%d elements) to %v", in, total, target)
	}
	return out, nil
}

func (c *converter[T]) constInput(n *Node, j int, what string) (*constant, error) {
	if j >= len(n.Inputs) || n.Inputs[j] == "" {
		return nil, fmt.Errorf("missing %s input", what)
	}
	k, ok := c.consts[n.Inputs[j]]
	if !ok {
		return nil, fmt.Errorf("%s %q must be a constant (initializer)", what, n.Inputs[j])
	}
	if k.f == nil {
		return nil, fmt.Errorf("%s %q is not numeric", what, n.Inputs[j])
	}
	return k, nil
}

func paramFrom(name string, shape []int, v []float32) *nn.Param {
	p := nn.NewParam(name, shape...)
	for i, x := range v {
		p.Value[i] = float64(x)
	}
	return p
}

// pads2D resolves auto_pad / pads for a 2-D window op: returns top, left, bottom, right.
func pads2D(n *Node, h, w, kh, kw, sh, sw int) (int, int, int, int, error) {
	switch ap := attrString(n, "auto_pad", "NOTSET"); ap {
	case "NOTSET", "":
		p := attrInts(n, "pads", []int64{0, 0, 0, 0})
		if len(p) != 4 {
			return 0, 0, 0, 0, fmt.Errorf("pads %v: want 4 values for 2-D", p)
		}
		return int(p[0]), int(p[1]), int(p[2]), int(p[3]), nil
	case "VALID":
		return 0, 0, 0, 0, nil
	case "SAME_UPPER", "SAME_LOWER":
		same := func(in, k, s int) (int, int) {
			out := (in + s - 1) / s
			total := max(0, (out-1)*s+k-in)
			if ap == "SAME_UPPER" {
				return total / 2, total - total/2
			}
			return total - total/2, total / 2
		}
		t, b := same(h, kh, sh)
		l, r := same(w, kw, sw)
		return t, l, b, r, nil
	default:
		return 0, 0, 0, 0, fmt.Errorf("auto_pad %q is not supported", ap)
	}
}

// window is where a 2-D window op's kernel goes: its strides and the padding on each side.
type window struct{ sh, sw, pt, pl, pb, pr int }

// window2D reads the strides (default 1) and the padding of a 2-D window op n whose kh x kw
// kernel slides over an h x w input.
func window2D(n *Node, h, w, kh, kw int) (window, error) {
	s := attrInts(n, "strides", []int64{1, 1})
	if len(s) != 2 || s[0] <= 0 || s[1] <= 0 {
		return window{}, fmt.Errorf("strides %v: want 2 positive values", s)
	}
	win := window{sh: int(s[0]), sw: int(s[1])}
	var err error
	win.pt, win.pl, win.pb, win.pr, err = pads2D(n, h, w, kh, kw, win.sh, win.sw)
	return win, err
}

// bias reads the optional per-output bias of a Conv or Gemm, input 2 of n (name, in
// messages), times scale: nil when n has none. It must have want values; mismatch formats
// the error from the number it has and want.
func (c *converter[T]) bias(n *Node, name, prefix string, want int, scale float32, mismatch string) (*nn.Param, error) {
	if len(n.Inputs) <= 2 || n.Inputs[2] == "" {
		return nil, nil
	}
	b, err := c.constInput(n, 2, name)
	if err != nil {
		return nil, err
	}
	if len(b.f) != want {
		return nil, fmt.Errorf(mismatch, len(b.f), want)
	}
	bv := slices.Clone(b.f)
	for i := range bv {
		bv[i] *= scale
	}
	return paramFrom(prefix+".bias", []int{want}, bv), nil
}

func checkUnitDilations(n *Node) error {
	for _, d := range attrInts(n, "dilations", nil) {
		if d != 1 {
			return fmt.Errorf("dilations %v are not supported (only 1)", attrInts(n, "dilations", nil))
		}
	}
	return nil
}

func (c *converter[T]) conv(n *Node, prefix string) error {
	if len(c.shape) != 3 {
		return fmt.Errorf("input per-sample shape %v, want (C, H, W)", c.shape)
	}
	w, err := c.constInput(n, 1, "weight")
	if err != nil {
		return err
	}
	if len(w.shape) != 4 || w.shape[1] != c.shape[0] {
		return fmt.Errorf("weight shape %v does not match input channels %d (want OC x C x KH x KW)", w.shape, c.shape[0])
	}
	if g := attrInt(n, "group", 1); g != 1 {
		return fmt.Errorf("group %d is not supported (only 1)", g)
	}
	if err := checkUnitDilations(n); err != nil {
		return err
	}
	oc, kh, kw := w.shape[0], w.shape[2], w.shape[3]
	if ks := attrInts(n, "kernel_shape", nil); ks != nil && (len(ks) != 2 || int(ks[0]) != kh || int(ks[1]) != kw) {
		return fmt.Errorf("kernel_shape %v disagrees with weight shape %v", ks, w.shape)
	}
	win, err := window2D(n, c.shape[1], c.shape[2], kh, kw)
	if err != nil {
		return err
	}
	cfg := nn.Conv2DConfig{InChannels: c.shape[0], OutChannels: oc, KernelH: kh, KernelW: kw, StrideH: win.sh, StrideW: win.sw,
		PadTop: win.pt, PadLeft: win.pl, PadBottom: win.pb, PadRight: win.pr}
	if err := cfg.Validate(); err != nil {
		return err
	}
	oh, ow, err := cfg.OutputSize(c.shape[1], c.shape[2])
	if err != nil {
		return err
	}
	bias, err := c.bias(n, "bias", prefix, oc, 1, "bias has %d values for %d output channels")
	if err != nil {
		return err
	}
	weight := paramFrom(prefix+".weight", []int{oc, cfg.PatchSize()}, w.f)
	c.layers = append(c.layers, nn.NewConv2DFrom[T](cfg, nn.NewLinearFrom[T](weight, bias)))
	c.shape = []int{oc, oh, ow}
	return nil
}

// add folds a constant addend into the bias of the preceding Conv or Linear.
func (c *converter[T]) add(n *Node) error {
	if len(n.Inputs) != 2 {
		return fmt.Errorf("Add has %d inputs, want 2", len(n.Inputs))
	}
	j := 1
	if n.Inputs[1] == c.cur {
		j = 0
	}
	k, err := c.constInput(n, j, "addend")
	if err != nil {
		return err
	}
	var lin *nn.Linear[T]
	var channels int
	perChannel := false
	if len(c.layers) > 0 {
		switch l := c.layers[len(c.layers)-1].(type) {
		case *nn.Conv2D[T]:
			lin, _ = l.Map.(*nn.Linear[T])
			channels, perChannel = l.Config.OutChannels, true
		case *nn.Linear[T]:
			lin = l
			channels, _ = l.Dims()
		}
	}
	if lin == nil {
		return errors.New("Add of a constant is supported only directly after Conv, MatMul or Gemm (as a bias)")
	}
	// The addend must broadcast as one value per output channel/feature.
	ok := len(k.f) == channels
	if ok {
		nonOne := 0
		for i, d := range k.shape {
			if d != 1 {
				nonOne++
				// Per channel: the channel axis of a rank ≥ 3 addend sits 3 from the end of NCHW.
				if perChannel && len(k.shape) >= 3 && i != len(k.shape)-3 {
					ok = false
				}
				if !perChannel && i != len(k.shape)-1 {
					ok = false
				}
			}
		}
		if perChannel && len(k.shape) < 3 && channels != 1 {
			ok = false
		}
		if nonOne > 1 {
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("addend %q of shape %v does not broadcast as a per-output bias of %d values", n.Inputs[j], k.shape, channels)
	}
	if lin.B == nil {
		lin.B = paramFrom(strings.TrimSuffix(lin.W.Name, ".weight")+".bias", []int{channels}, k.f)
		// Rebuild so the layer knows about its new bias.
		nl := nn.NewLinearFrom[T](lin.W, lin.B)
		switch l := c.layers[len(c.layers)-1].(type) {
		case *nn.Conv2D[T]:
			l.Map = nl
		default:
			c.layers[len(c.layers)-1] = nl
		}
		return nil
	}
	for i, v := range k.f {
		lin.B.Value[i] += float64(v)
	}
	return nil
}

func (c *converter[T]) maxPool(n *Node) error {
	if len(c.shape) != 3 {
		return fmt.Errorf("input per-sample shape %v, want (C, H, W)", c.shape)
	}
	if cm := attrInt(n, "ceil_mode", 0); cm != 0 {
		return errors.New("ceil_mode 1 is not supported")
	}
	if err := checkUnitDilations(n); err != nil {
		return err
	}
	if len(n.Outputs) > 1 && n.Outputs[1] != "" {
		return errors.New("the Indices output of MaxPool is not supported")
	}
	ks := attrInts(n, "kernel_shape", nil)
	if len(ks) != 2 || ks[0] <= 0 || ks[1] <= 0 {
		return fmt.Errorf("kernel_shape %v: want 2 positive values", ks)
	}
	kh, kw := int(ks[0]), int(ks[1])
	win, err := window2D(n, c.shape[1], c.shape[2], kh, kw)
	if err != nil {
		return err
	}
	cfg := nn.MaxPool2DConfig{KernelH: kh, KernelW: kw, StrideH: win.sh, StrideW: win.sw, PadTop: win.pt, PadLeft: win.pl, PadBottom: win.pb, PadRight: win.pr}
	if err := cfg.Validate(); err != nil {
		return err
	}
	oh, ow, err := cfg.OutputSize(c.shape[1], c.shape[2])
	if err != nil {
		return err
	}
	c.layers = append(c.layers, nn.NewMaxPool2D[T](cfg))
	c.shape = []int{c.shape[0], oh, ow}
	return nil
}

// flatten handles Flatten(axis=1) and Reshape to (batch, features).
func (c *converter[T]) flatten(n *Node) error {
	feat := numel(c.shape)
	if n.OpType == "Flatten" {
		if ax := attrInt(n, "axis", 1); ax != 1 {
			return fmt.Errorf("axis %d is not supported (only 1)", ax)
		}
	} else {
		k, ok := c.consts[n.Inputs[1]]
		if len(n.Inputs) != 2 || !ok || k.i == nil {
			return errors.New("Reshape needs a constant integer shape")
		}
		t := k.i
		if len(t) != 2 || (t[0] != 1 && t[0] != -1 && t[0] != 0) || (t[1] != int64(feat) && t[1] != -1) || (t[0] == -1 && t[1] == -1) {
			return fmt.Errorf("Reshape of per-sample shape %v to %v: only (batch, %d) flattening is supported", c.shape, t, feat)
		}
	}
	if len(c.shape) > 1 {
		c.layers = append(c.layers, &nn.Flatten[T]{})
	}
	c.shape = []int{feat}
	return nil
}

func (c *converter[T]) matmul(n *Node, prefix string) error {
	if len(n.Inputs) != 2 || n.Inputs[0] != c.cur {
		return errors.New("MatMul must multiply the activation (left) by a constant matrix (right)")
	}
	w, err := c.constInput(n, 1, "weight")
	if err != nil {
		return err
	}
	if len(c.shape) != 1 || len(w.shape) != 2 || w.shape[0] != c.shape[0] {
		return fmt.Errorf("activation features %v and weight %v do not multiply", c.shape, w.shape)
	}
	in, out := w.shape[0], w.shape[1]
	wt := make([]float32, out*in) // transpose to PyTorch's out x in
	for i := 0; i < in; i++ {
		for j := 0; j < out; j++ {
			wt[j*in+i] = w.f[i*out+j]
		}
	}
	c.layers = append(c.layers, nn.NewLinearFrom[T](paramFrom(prefix+".weight", []int{out, in}, wt), nil))
	c.shape = []int{out}
	return nil
}

func (c *converter[T]) gemm(n *Node, prefix string) error {
	if n.Inputs[0] != c.cur || attrInt(n, "transA", 0) != 0 {
		return errors.New("Gemm must take the activation as A without transA")
	}
	w, err := c.constInput(n, 1, "B")
	if err != nil {
		return err
	}
	if len(c.shape) != 1 || len(w.shape) != 2 {
		return fmt.Errorf("activation features %v and B %v: want a vector and a matrix", c.shape, w.shape)
	}
	alpha, beta := attrFloat(n, "alpha", 1), attrFloat(n, "beta", 1)
	var wt []float32
	var in, out int
	if attrInt(n, "transB", 0) != 0 {
		out, in = w.shape[0], w.shape[1]
		wt = slices.Clone(w.f)
	} else {
		in, out = w.shape[0], w.shape[1]
		wt = make([]float32, out*in)
		for i := 0; i < in; i++ {
			for j := 0; j < out; j++ {
				wt[j*in+i] = w.f[i*out+j]
			}
		}
	}
	if in != c.shape[0] {
		return fmt.Errorf("activation has %d features, B expects %d", c.shape[0], in)
	}
	for i := range wt {
		wt[i] *= alpha
	}
	bias, err := c.bias(n, "C", prefix, out, beta, "C has %d values for %d outputs (only per-output bias broadcasting is supported)")
	if err != nil {
		return err
	}
	c.layers = append(c.layers, nn.NewLinearFrom[T](paramFrom(prefix+".weight", []int{out, in}, wt), bias))
	c.shape = []int{out}
	return nil
}
