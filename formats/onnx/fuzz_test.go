package onnx

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/fuzzcheck"
	mnistcnn "github.com/qpeft/qpeft/models/mnistcnn"
	"github.com/qpeft/qpeft/nn"
)

// maxFuzzForward bounds the per-sample input and output sizes for which FuzzDecode runs
// the converted network.
const maxFuzzForward = 1 << 12

// FuzzDecode fuzzes the ONNX reader: Decode and Convert (Load) on arbitrary bytes. They
// must never panic or hang, nor allocate beyond a multiple of the model's size whatever
// its tensors' dims declare; a decoding error is a DecodeError and a conversion error
// names the format. A network it accepts has a model, positive input and output shapes,
// and (when small) maps a batch of one sample to an output of the declared shape. The
// memory limit is 1 MiB while fuzzing (activations of at most 128Ki values per sample), so
// that what is accepted also runs, quickly.
func FuzzDecode(f *testing.F) {
	saved := MemoryLimit
	MemoryLimit = 1 << 20
	f.Cleanup(func() { MemoryLimit = saved })
	f.Add(mnistcnn.ONNX())
	f.Add([]byte{0x3a, 0x02, 0x0a, 0x00})
	// A Conv, Relu, MaxPool (SAME_LOWER), Flatten, Gemm chain.
	f.Add(modelPB(
		[]pb{
			nodePB("conv", "Conv", []string{"x", "W", "B"}, []string{"c"},
				attrPB{name: "kernel_shape", ints: []int64{2, 2}}, attrPB{name: "strides", ints: []int64{2, 2}}, attrPB{name: "pads", ints: []int64{1, 0, 0, 1}}),
			nodePB("relu", "Relu", []string{"c"}, []string{"r"}),
			nodePB("pool", "MaxPool", []string{"r"}, []string{"p"},
				attrPB{name: "kernel_shape", ints: []int64{2, 2}}, attrPB{name: "strides", ints: []int64{2, 2}}, attrPB{name: "auto_pad", s: "SAME_LOWER"}),
			nodePB("flat", "Flatten", []string{"p"}, []string{"f"}),
			nodePB("fc", "Gemm", []string{"f", "G", "C"}, []string{"y"},
				attrPB{name: "transB", i: i64(1)}, attrPB{name: "alpha", f: f32p(0.5)}, attrPB{name: "beta", f: f32p(2)}),
		},
		[]pb{tensorPB("W", []int64{2, 1, 2, 2}, []float32{1, -1, 0.5, 2, 0, 1, -2, 1}, true), tensorPB("B", []int64{2}, []float32{0.1, -0.1}, false),
			tensorPB("G", []int64{3, 4}, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, true), tensorPB("C", []int64{3}, []float32{1, 0, -1}, true)},
		[]pb{valueInfoPB("x", -1, 1, 5, 4)}, []pb{valueInfoPB("y", -1, 3)}))
	// Constant folding (Constant, Reshape, Identity) before a MatMul + Add.
	constNode := func(name, out string, t pb) pb {
		return pb(nil).str(2, out).str(3, name).str(4, "Constant").msg(5, pb(nil).str(1, "value").msg(5, t).int(20, int64(AttrTensor)))
	}
	f.Add(modelPB(
		[]pb{
			constNode("c_flat", "flat", tensorPB("", []int64{6}, []float32{1, 2, 3, 4, 5, 6}, true)),
			constNode("c_shape", "shape", int64TensorPB("", []int64{2}, []int64{3, -1})),
			nodePB("rs", "Reshape", []string{"flat", "shape"}, []string{"W"}),
			nodePB("id", "Identity", []string{"x"}, []string{"x1"}),
			nodePB("do", "Dropout", []string{"x1"}, []string{"x2"}),
			nodePB("mm", "MatMul", []string{"x2", "W"}, []string{"m"}),
			nodePB("add", "Add", []string{"m", "b"}, []string{"y"}),
		},
		[]pb{tensorPB("b", []int64{1, 2}, []float32{10, 20}, true)},
		[]pb{valueInfoPB("x", -1, 3)}, []pb{valueInfoPB("y", -1, 2)}))
	// Dims that declare far more than the model holds.
	f.Add(modelPB(nil, []pb{tensorPB("W", []int64{1 << 40, 1 << 40}, []float32{1}, true)},
		[]pb{valueInfoPB("x", -1, 1<<40)}, []pb{valueInfoPB("x", -1, 1<<40)}))
	f.Add(modelPB([]pb{nodePB("conv", "Conv", []string{"x", "W"}, []string{"y"},
		attrPB{name: "kernel_shape", ints: []int64{1, 1}}, attrPB{name: "pads", ints: []int64{1 << 30, 1 << 30, 1 << 30, 1 << 30}})},
		[]pb{tensorPB("W", []int64{1, 1, 1, 1}, []float32{1}, true)},
		[]pb{valueInfoPB("x", -1, 1, 1, 1)}, []pb{valueInfoPB("y", -1, 1, 1, 1)}))

	f.Fuzz(func(t *testing.T, b []byte) {
		defer fuzzcheck.Watch(t, "FuzzDecode")()
		var net *Network[float32]
		var err error
		alloc := fuzzcheck.Allocated(func() { net, err = Load[float32](b) })
		require.LessOrEqual(t, alloc, uint64(1<<20+64*len(b)), "Load of %d bytes allocated %d bytes", len(b), alloc)
		if err != nil {
			if _, derr := Decode(b); derr != nil {
				var de *DecodeError
				require.True(t, errors.As(derr, &de), "decoding error %T is not a DecodeError: %v", derr, derr)
			} else {
				require.True(t, strings.HasPrefix(err.Error(), "onnx: "), "conversion error does not name the format: %v", err)
			}
			return
		}
		require.NotNil(t, net.Model)
		require.NotEmpty(t, net.InputShape)
		require.NotEmpty(t, net.OutputShape)
		for _, s := range [][]int{net.InputShape, net.OutputShape} {
			for _, d := range s {
				require.Positive(t, d, "shapes %v → %v", net.InputShape, net.OutputShape)
			}
		}
		in, out := elems(net.InputShape), elems(net.OutputShape)
		if in > maxFuzzForward || out > maxFuzzForward {
			return
		}
		x := nn.New[float32](append([]int{1}, net.InputShape...)...)
		for i := range x.Data {
			x.Data[i] = float32(i%7) - 3
		}
		y := net.Model.Forward(x)
		require.True(t, slices.Equal(y.Shape, append([]int{1}, net.OutputShape...)), "output shape %v, declared %v", y.Shape, net.OutputShape)
	})
}

// elems is the product of a shape, saturating at maxFuzzForward+1.
func elems(s []int) int {
	n := 1
	for _, d := range s {
		if d > maxFuzzForward {
			return maxFuzzForward + 1
		}
		n *= d
		if n > maxFuzzForward {
			return maxFuzzForward + 1
		}
	}
	return n
}

// TestConvertRefusesHugeActivations: a model whose declared shapes give a per-sample
// activation above the memory limit (or with a dimension that is not positive) is refused
// when converted, naming the node, instead of failing when it first runs (found by
// FuzzDecode: Conv pads of 2^30 on a 1x1 input were accepted as a 2^31 x 2^31 output).
func TestConvertRefusesHugeActivations(t *testing.T) {
	saved := MemoryLimit
	MemoryLimit = 1 << 30
	t.Cleanup(func() { MemoryLimit = saved })
	conv := func(pads int64) []byte {
		return modelPB([]pb{nodePB("conv", "Conv", []string{"x", "W"}, []string{"y"},
			attrPB{name: "kernel_shape", ints: []int64{1, 1}}, attrPB{name: "pads", ints: []int64{pads, pads, pads, pads}})},
			[]pb{tensorPB("W", []int64{1, 1, 1, 1}, []float32{1}, true)},
			[]pb{valueInfoPB("x", -1, 1, 1, 1)}, []pb{valueInfoPB("y", -1, 1, 1, 1)})
	}
	cases := []struct {
		name  string
		model []byte
		err   string
	}{
		{"small pads", conv(2), ""},
		{"pads 2^30", conv(1 << 30), `onnx: node "conv" (Conv): output: per-sample shape [1 2147483649 2147483649] needs 3.44e+10 GiB for one sample, above the memory limit of 1 GiB`},
		{"huge input", modelPB(nil, nil, []pb{valueInfoPB("x", -1, 1<<20, 1<<20)}, []pb{valueInfoPB("x", -1, 1<<20, 1<<20)}),
			`onnx: input "x": per-sample shape [1048576 1048576] needs 8.19e+03 GiB for one sample, above the memory limit of 1 GiB`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			net, err := Load[float32](tc.model)
			if tc.err != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, []int{1, 5, 5}, net.OutputShape)
		})
	}
}

// TestTensorDimsDoNotSizeAllocations: a tensor whose dims promise 2^31 - 1 elements but
// whose data holds a few is refused before anything of the promised size is allocated
// (found by FuzzDecode: a 169-byte model made Float32s allocate 13 MB before finding
// float_data empty; with dims of 2^31 - 1 that was 8 GiB).
func TestTensorDimsDoNotSizeAllocations(t *testing.T) {
	const n = 1<<31 - 1
	cases := []struct {
		name string
		t    pb
		want string
	}{
		{"float_data", tensorPB("f", []int64{n}, []float32{1}, false), "float_data has 1 values"},
		{"float raw_data", tensorPB("r", []int64{n}, []float32{1}, true), "raw_data has 4 bytes"},
		{"double_data", pb(nil).int(1, n).int(2, int64(Double)).str(8, "d"), "double_data has 0 values"},
		{"int64_data", int64TensorPB("i", []int64{n}, []int64{1, 2}), "int64_data has 2 values"},
		{"int32 raw_data", pb(nil).int(1, n).int(2, int64(Int32)).str(8, "j").bytes(9, []byte{1, 2, 3, 4}), "raw_data has 4 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn, err := DecodeTensor(tc.t)
			require.NoError(t, err)
			alloc := fuzzcheck.Allocated(func() {
				if tn.DataType == Float || tn.DataType == Double {
					_, err = tn.Float32s()
				} else {
					_, err = tn.Int64s()
				}
			})
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			require.Less(t, alloc, uint64(1<<20), "allocated %d bytes", alloc)
			if tn.DataType != Float && tn.DataType != Double {
				alloc = fuzzcheck.Allocated(func() { _, err = tn.Float32s() })
				require.Error(t, err)
				require.Less(t, alloc, uint64(1<<20), "Float32s of an integer tensor allocated %d bytes", alloc)
			}
		})
	}
}
