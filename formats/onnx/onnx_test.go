package onnx

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
	"github.com/qpeft/qpeft/nn"
	"github.com/stretchr/testify/require"
)

func TestDecodeMNISTModelStructure(t *testing.T) {
	m, err := Decode(mnistcnn.ONNX())
	require.NoError(t, err)
	if m.IRVersion != 3 || m.ProducerName != "CNTK" || m.ProducerVersion != "2.5.1" || len(m.OpsetImports) != 1 || m.OpsetImports[0].Version != 7 {
		t.Fatalf("header: %+v", m)
	}
	var ops []string
	for _, n := range m.Graph.Nodes {
		ops = append(ops, n.OpType)
	}
	want := "Reshape Conv Add Relu MaxPool Conv Add Relu MaxPool Reshape MatMul Add"
	if strings.Join(ops, " ") != want {
		t.Fatalf("ops %v, want %s", ops, want)
	}
	conv := m.Graph.Nodes[1]
	if a := attr(conv, "kernel_shape"); a == nil || a.Type != AttrInts || fmt.Sprint(a.Ints) != "[5 5]" {
		t.Fatalf("kernel_shape %+v", a)
	}
	if a := attr(conv, "auto_pad"); a == nil || string(a.S) != "SAME_UPPER" || a.Type != AttrString {
		t.Fatalf("auto_pad %+v", a)
	}
	shapes := map[string]string{}
	for _, t := range m.Graph.Initializers {
		shapes[t.Name] = fmt.Sprint(t.Dims)
	}
	for name, s := range map[string]string{"Parameter5": "[8 1 5 5]", "Parameter6": "[8 1 1]", "Parameter87": "[16 8 5 5]",
		"Parameter88": "[16 1 1]", "Parameter193": "[16 4 4 10]", "Parameter194": "[1 10]"} {
		if shapes[name] != s {
			t.Errorf("initializer %s dims %s, want %s", name, shapes[name], s)
		}
	}
	var in *ValueInfo
	for _, v := range m.Graph.Inputs {
		if v.Name == "Input3" {
			in = v
		}
	}
	if in == nil || in.ElemType != Float || fmt.Sprint(in.Shape) != "[{1  true} {1  true} {28  true} {28  true}]" {
		t.Fatalf("Input3: %+v", in)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "empty input"},
		{"graph as varint", pb(nil).int(7, 1), "field 7 (graph): wire type varint, want length-delimited"},
		{"invalid wire type", []byte{0x0e}, "invalid wire type 6"},
		{"group", []byte{0x7b}, "groups"},
		{"field zero", []byte{0x02, 0x00}, "invalid field number 0"},
		{"varint overflow", append([]byte{0x08}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), "overflows"},
		{"truncated varint", []byte{0x08, 0x80}, "truncated varint"},
		{"length past end", []byte{0x3a, 0x05, 0x01}, "truncated: length 5 but 1 bytes left"},
		{"no graph", pb(nil).int(1, 3), "no graph"},
		{"node name as varint", pb(nil).msg(7, pb(nil).msg(1, pb(nil).int(3, 1))), "model.graph.node[0]"},
		{"op_type wrong type", pb(nil).msg(7, pb(nil).msg(1, pb(nil).f32(4, 1))), "field 4 (op_type): wire type 32-bit"},
		{"packed floats misaligned", pb(nil).msg(7, pb(nil).msg(5, pb(nil).bytes(4, []byte{1, 2, 3}))), "not a multiple of 4"},
		{"negative dims", pb(nil).msg(7, pb(nil).msg(5, pb(nil).int(1, -1))), "negative dimension"},
		{"truncated fixed32", pb(nil).msg(7, pb(nil).msg(1, pb(nil).msg(5, append(pb(nil).tag(2, 5), 1, 2)))), "truncated: need 4 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.in)
			var de *DecodeError
			if err == nil || !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want a DecodeError containing %q", err, tc.want)
			}
		})
	}
}

// TestTruncatedModel decodes every prefix of the real model: each either fails with a
// DecodeError or (cut at a top-level field boundary) yields the complete graph.
func TestTruncatedModel(t *testing.T) {
	full := mnistcnn.ONNX()
	step := 1
	if testing.Short() {
		step = 13
	}
	for n := 0; n < len(full); n += step {
		m, err := Decode(full[:n])
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("prefix %d: error %T %v is not a DecodeError", n, err, err)
			}
			continue
		}
		if len(m.Graph.Nodes) != 12 || len(m.Graph.Initializers) != 8 {
			t.Fatalf("prefix %d decoded without error but with %d nodes, %d initializers", n, len(m.Graph.Nodes), len(m.Graph.Initializers))
		}
	}
}

// TestCorruptedModelNeverPanics flips random bytes of the real model (seeded) and checks that
// Decode and Convert return errors or results, never panic.
func TestCorruptedModelNeverPanics(t *testing.T) {
	full := mnistcnn.ONNX()
	rng := rand.New(rand.NewPCG(2025, 1))
	trials := 3000
	if testing.Short() {
		trials = 300
	}
	for i := 0; i < trials; i++ {
		b := append([]byte(nil), full...)
		for k := 0; k < 1+rng.IntN(4); k++ {
			b[rng.IntN(len(b))] = byte(rng.IntN(256))
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("trial %d panicked: %v", i, r)
				}
			}()
			if net, err := Load[float32](b); err == nil {
				net.Model.Forward(nn.New[float32](append([]int{1}, net.InputShape...)...))
			}
		}()
	}
}

func TestTensorValues(t *testing.T) {
	cases := []struct {
		name string
		t    pb
		want string
		err  string
	}{
		{"raw float", tensorPB("a", []int64{2}, []float32{1.5, -2}, true), "[1.5 -2]", ""},
		{"packed float_data", tensorPB("b", []int64{1, 3}, []float32{1, 2, 3}, false), "[1 2 3]", ""},
		{"scalar", tensorPB("s", nil, []float32{7}, true), "[7]", ""},
		{"int64", int64TensorPB("i", []int64{3}, []int64{1, -1, 256}), "[1 -1 256]", ""},
		{"raw too short", tensorPB("c", []int64{3}, []float32{1, 2}, true), "", "raw_data has 8 bytes, dims [3] of FLOAT need 12"},
		{"float_data count", tensorPB("d", []int64{2, 2}, []float32{1}, false), "", "float_data has 1 values, dims [2 2] need 4"},
		{"string type", pb(nil).int(1, 1).int(2, int64(String)).bytes(6, []byte("x")), "", "cannot be read as numbers"},
		{"huge dims", pb(nil).int(1, 1<<40).int(1, 1<<40).int(2, 1), "", "more than"},
		{"external", pb(nil).int(1, 1).int(2, 1).int(14, 1), "", "external data"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn, err := DecodeTensor(tc.t)
			require.NoError(t, err)
			var got any
			if tn.DataType == Int64 {
				got, err = tn.Int64s()
			} else {
				got, err = tn.Float32s()
			}
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			if err != nil || fmt.Sprint(got) != tc.want {
				t.Fatalf("got %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}

// refConv is an independent direct-loop Conv (NCHW, OIHW weights, explicit pads t,l,b,r).
func refConv(x []float64, n, c, h, w int, wt []float32, oc, kh, kw, sh, sw, pt, pl, pb, pr int, bias []float32) ([]float64, int, int) {
	oh, ow := (h+pt+pb-kh)/sh+1, (w+pl+pr-kw)/sw+1
	y := make([]float64, n*oc*oh*ow)
	for i := 0; i < n; i++ {
		for o := 0; o < oc; o++ {
			for a := 0; a < oh; a++ {
				for b := 0; b < ow; b++ {
					s := float64(bias[o])
					for ch := 0; ch < c; ch++ {
						for p := 0; p < kh; p++ {
							for q := 0; q < kw; q++ {
								iy, ix := a*sh-pt+p, b*sw-pl+q
								if iy >= 0 && iy < h && ix >= 0 && ix < w {
									s += x[((i*c+ch)*h+iy)*w+ix] * float64(wt[((o*c+ch)*kh+p)*kw+q])
								}
							}
						}
					}
					y[((i*oc+o)*oh+a)*ow+b] = s
				}
			}
		}
	}
	return y, oh, ow
}

// TestConvertCraftedModel builds a model using Conv (bias input, explicit asymmetric pads,
// stride 2), Relu, MaxPool (SAME_LOWER), Flatten and Gemm (transB, alpha, beta) and compares
// the converted network with direct loops.
func TestConvertCraftedModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	rnd := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.Float64()*2 - 1)
		}
		return v
	}
	W, B := rnd(3*2*3*3), rnd(3)
	// Conv: in 2x7x6, kernel 3x3, stride 2, pads t=1 l=0 b=0 r=2 → out 3x3x3.
	// MaxPool 2x2 stride 2 SAME_LOWER on 3x3 → out 2x2 (total pad 1 per axis, on the top/left).
	G, C := rnd(5*12), rnd(5)
	model := modelPB(
		[]pb{
			nodePB("conv", "Conv", []string{"x", "W", "B"}, []string{"c"},
				attrPB{name: "kernel_shape", ints: []int64{3, 3}}, attrPB{name: "strides", ints: []int64{2, 2}}, attrPB{name: "pads", ints: []int64{1, 0, 0, 2}}),
			nodePB("relu", "Relu", []string{"c"}, []string{"r"}),
			nodePB("pool", "MaxPool", []string{"r"}, []string{"p"},
				attrPB{name: "kernel_shape", ints: []int64{2, 2}}, attrPB{name: "strides", ints: []int64{2, 2}}, attrPB{name: "auto_pad", s: "SAME_LOWER"}),
			nodePB("flat", "Flatten", []string{"p"}, []string{"f"}),
			nodePB("fc", "Gemm", []string{"f", "G", "C"}, []string{"y"},
				attrPB{name: "transB", i: i64(1)}, attrPB{name: "alpha", f: f32p(0.5)}, attrPB{name: "beta", f: f32p(2)}),
		},
		[]pb{tensorPB("W", []int64{3, 2, 3, 3}, W, true), tensorPB("B", []int64{3}, B, false),
			tensorPB("G", []int64{5, 12}, G, true), tensorPB("C", []int64{5}, C, true)},
		[]pb{valueInfoPB("x", -1, 2, 7, 6)}, []pb{valueInfoPB("y", -1, 5)})
	net, err := Load[float64](model)
	require.NoError(t, err)
	if fmt.Sprint(net.InputShape, net.OutputShape) != "[2 7 6] [5]" {
		t.Fatalf("shapes %v %v", net.InputShape, net.OutputShape)
	}
	n := 2
	x := make([]float64, n*2*7*6)
	for i := range x {
		x[i] = rng.Float64()*2 - 1
	}
	got := net.Model.Forward(nn.FromSlice(append([]float64(nil), x...), n, 2, 7, 6))

	c, oh, ow := refConv(x, n, 2, 7, 6, W, 3, 3, 3, 2, 2, 1, 0, 0, 2, B)
	if oh != 3 || ow != 3 {
		t.Fatalf("reference conv size %dx%d", oh, ow)
	}
	for i := range c {
		c[i] = math.Max(c[i], 0)
	}
	// SAME_LOWER pool 2x2/2 on 3x3: out 2x2, total padding (2-1)*2+2-3 = 1 per axis, all of it
	// before (top, left).
	pool := make([]float64, n*3*2*2)
	for i := 0; i < n*3; i++ {
		for a := 0; a < 2; a++ {
			for b := 0; b < 2; b++ {
				best := math.Inf(-1)
				for p := 0; p < 2; p++ {
					for q := 0; q < 2; q++ {
						iy, ix := a*2-1+p, b*2-1+q
						if iy >= 0 && iy < 3 && ix >= 0 && ix < 3 {
							best = math.Max(best, c[(i*3+iy)*3+ix])
						}
					}
				}
				pool[(i*2+a)*2+b] = best
			}
		}
	}
	for i := 0; i < n; i++ {
		for o := 0; o < 5; o++ {
			s := 2 * float64(C[o])
			for k := 0; k < 12; k++ {
				s += 0.5 * float64(G[o*12+k]) * pool[i*12+k]
			}
			if d := math.Abs(got.Data[i*5+o] - s); d > 1e-6 {
				t.Fatalf("y[%d,%d] = %v, want %v", i, o, got.Data[i*5+o], s)
			}
		}
	}
}

func TestConvertErrors(t *testing.T) {
	w := tensorPB("W", []int64{2, 3}, make([]float32, 6), true)
	in, out := []pb{valueInfoPB("x", -1, 2)}, []pb{valueInfoPB("y", -1, 3)}
	cases := []struct {
		name  string
		model []byte
		want  string
	}{
		{"unknown op", modelPB([]pb{nodePB("sm", "Softmax", []string{"x"}, []string{"y"})}, nil, in, out),
			`node "sm" (Softmax): unsupported operator "Softmax"; supported: Add, Constant, Conv`},
		{"branching", modelPB([]pb{nodePB("a", "Relu", []string{"x"}, []string{"a"}), nodePB("b", "Relu", []string{"x"}, []string{"y"})}, nil, in, out),
			`node "b" (Relu): input 0 "x" is not the output of the previous operator`},
		{"matmul shape", modelPB([]pb{nodePB("mm", "MatMul", []string{"x", "W"}, []string{"y"})}, []pb{tensorPB("W", []int64{3, 3}, make([]float32, 9), true)}, in, out),
			"do not multiply"},
		{"weight not constant", modelPB([]pb{nodePB("mm", "MatMul", []string{"x", "z"}, []string{"y"})}, nil, append(in, valueInfoPB("z", 2, 3)), out),
			"2 non-constant inputs"},
		{"output mismatch", modelPB([]pb{nodePB("mm", "MatMul", []string{"x", "W"}, []string{"y2"})}, []pb{w}, in, out),
			`graph output "y" is not the end of the operator chain ("y2")`},
		{"add without layer", modelPB([]pb{nodePB("add", "Add", []string{"x", "W"}, []string{"y"})}, []pb{w}, in, out),
			"supported only directly after Conv, MatMul or Gemm"},
		{"conv group", modelPB([]pb{nodePB("cv", "Conv", []string{"x", "K"}, []string{"y"}, attrPB{name: "group", i: i64(2)})},
			[]pb{tensorPB("K", []int64{2, 2, 1, 1}, make([]float32, 4), true)}, []pb{valueInfoPB("x", 1, 2, 3, 3)}, out),
			"group 2 is not supported"},
		{"bad initializer", modelPB(nil, []pb{tensorPB("W", []int64{4}, make([]float32, 2), true)}, in, out),
			`initializer "W": onnx: tensor W`},
		{"unknown input dim", modelPB(nil, nil, []pb{valueInfoPB("x", -1, -1)}, out), "dimension 1 is not a fixed positive size"},
		{"reshape unsupported", modelPB([]pb{nodePB("rs", "Reshape", []string{"x", "s"}, []string{"y"})},
			[]pb{int64TensorPB("s", []int64{3}, []int64{1, 2, 1})}, in, out), "only (batch, 2) flattening"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load[float32](tc.model)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestReadFileErrors(t *testing.T) {
	if _, err := ReadFile("/nonexistent/model.onnx"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("got %v", err)
	}
}

// TestConvertConstantFolding covers Constant nodes, Reshape of constants, Identity and
// Dropout, MatMul and a (1, out) bias Add, against a hand-computed result.
func TestConvertConstantFolding(t *testing.T) {
	// W0 (3 x 2) reshaped from a flat constant by a shape produced by a Constant node.
	flat := tensorPB("", []int64{6}, []float32{1, 2, 3, 4, 5, 6}, true)
	shape := int64TensorPB("", []int64{2}, []int64{3, -1})
	constNode := func(name, out string, t pb) pb {
		return pb(nil).str(2, out).str(3, name).str(4, "Constant").msg(5, pb(nil).str(1, "value").msg(5, t).int(20, int64(AttrTensor)))
	}
	model := modelPB(
		[]pb{
			constNode("c_flat", "flat", flat),
			constNode("c_shape", "shape", shape),
			nodePB("rs", "Reshape", []string{"flat", "shape"}, []string{"W"}),
			nodePB("id", "Identity", []string{"x"}, []string{"x1"}),
			nodePB("do", "Dropout", []string{"x1"}, []string{"x2"}),
			nodePB("mm", "MatMul", []string{"x2", "W"}, []string{"m"}),
			nodePB("add", "Add", []string{"m", "b"}, []string{"y"}),
		},
		[]pb{tensorPB("b", []int64{1, 2}, []float32{10, 20}, true)},
		[]pb{valueInfoPB("x", -1, 3)}, []pb{valueInfoPB("y", -1, 2)})
	net, err := Load[float64](model)
	require.NoError(t, err)
	// x = [1, 1, 1]: x·W = [1+3+5, 2+4+6] = [9, 12]; + b = [19, 32].
	y := net.Model.Forward(nn.FromSlice([]float64{1, 1, 1, 0, 1, 0}, 2, 3))
	if fmt.Sprint(y.Data) != "[19 32 13 24]" {
		t.Fatalf("y = %v, want [19 32 13 24]", y.Data)
	}
	if ps := net.Model.Params(); len(ps) != 2 || ps[0].Name != "mm.weight" || ps[1].Name != "mm.bias" {
		t.Fatalf("params %v", ps)
	}
}
