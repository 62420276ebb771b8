package bert

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/formats/safetensors"
)

// rawSafetensors assembles a file from a header map and a data section, without any of the
// writer's checks, so that malformed files can be crafted.
func rawSafetensors(t *testing.T, header map[string]any, data []byte) []byte {
	t.Helper()
	h, err := json.Marshal(header)
	require.NoError(t, err)
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(h)))
	b.Write(h)
	b.Write(data)
	return b.Bytes()
}

// tinyDir writes a tiny model directory and returns it with the tensors of its weights file.
func tinyDir(t *testing.T, o TinyOptions) (string, *safetensors.File) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "m")
	require.NoError(t, WriteTiny(dir, o))
	b, err := os.ReadFile(filepath.Join(dir, SafetensorsFile))
	require.NoError(t, err)
	f, err := safetensors.Parse(b)
	require.NoError(t, err)
	return dir, f
}

// rewrite replaces the weights file by the tensors of f transformed by edit.
func rewrite(t *testing.T, dir string, f *safetensors.File, edit func([]safetensors.Tensor) []safetensors.Tensor) {
	t.Helper()
	var ts []safetensors.Tensor
	for _, info := range f.Tensors() {
		b, _ := f.Bytes(info.Name)
		ts = append(ts, safetensors.Tensor{Name: info.Name, DType: info.DType, Shape: info.Shape, Data: append([]byte(nil), b...)})
	}
	ts = edit(ts)
	b, err := safetensors.Marshal(ts, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, SafetensorsFile), b, 0o644))
}

func TestCheckpointErrors(t *testing.T) {
	const q0 = "encoder.layer.0.attention.self.query.weight"
	cases := []struct {
		name   string
		break_ func(t *testing.T, dir string, f *safetensors.File)
		want   []string
	}{
		{"truncated file", func(t *testing.T, dir string, f *safetensors.File) {
			p := filepath.Join(dir, SafetensorsFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-100], 0o644)
		}, []string{"run past the end of the file", "truncated"}},
		{"header length past the end", func(t *testing.T, dir string, f *safetensors.File) {
			p := filepath.Join(dir, SafetensorsFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:40], 0o644)
		}, []string{"header length", "runs past the end of the file"}},
		{"offsets out of range", func(t *testing.T, dir string, f *safetensors.File) {
			hdr := map[string]any{q0: map[string]any{"dtype": "F32", "shape": []int{2, 2}, "data_offsets": []int{0, 4000}}}
			os.WriteFile(filepath.Join(dir, SafetensorsFile), rawSafetensors(t, hdr, make([]byte, 16)), 0o644)
		}, []string{q0, "data_offsets"}},
		{"overlapping offsets", func(t *testing.T, dir string, f *safetensors.File) {
			hdr := map[string]any{
				"a": map[string]any{"dtype": "F32", "shape": []int{2}, "data_offsets": []int{0, 8}},
				"b": map[string]any{"dtype": "F32", "shape": []int{2}, "data_offsets": []int{4, 12}},
			}
			os.WriteFile(filepath.Join(dir, SafetensorsFile), rawSafetensors(t, hdr, make([]byte, 12)), 0o644)
		}, []string{"safetensors"}},
		{"wrong dtype", func(t *testing.T, dir string, f *safetensors.File) {
			rewrite(t, dir, f, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i := range ts {
					if ts[i].Name == q0 {
						ts[i].DType = safetensors.I32 // same size as F32
					}
				}
				return ts
			})
		}, []string{q0, "dtype I32", "want F32, F16 or BF16"}},
		{"missing tensor", func(t *testing.T, dir string, f *safetensors.File) {
			rewrite(t, dir, f, func(ts []safetensors.Tensor) []safetensors.Tensor {
				return slices.DeleteFunc(ts, func(x safetensors.Tensor) bool {
					return x.Name == q0 || x.Name == "embeddings.LayerNorm.bias"
				})
			})
		}, []string{q0 + ": missing", "embeddings.LayerNorm.bias: missing", "2 problem(s)"}},
		{"unexpected tensor", func(t *testing.T, dir string, f *safetensors.File) {
			rewrite(t, dir, f, func(ts []safetensors.Tensor) []safetensors.Tensor {
				return append(ts, safetensors.FromFloat32("encoder.layer.7.attention.self.query.weight", []int{1}, []float32{1}),
					safetensors.FromFloat32("encoder.layer.0.attention.self.qeury.weight", []int{1}, []float32{1}))
			})
		}, []string{"encoder.layer.7.attention.self.query.weight: unexpected", "qeury.weight: unexpected"}},
		{"wrong shape", func(t *testing.T, dir string, f *safetensors.File) {
			rewrite(t, dir, f, func(ts []safetensors.Tensor) []safetensors.Tensor {
				for i := range ts {
					if ts[i].Name == q0 {
						ts[i].Shape = []int{ts[i].Shape[1] / 2, ts[i].Shape[0] * 2}
					}
				}
				return ts
			})
		}, []string{q0, "shape [8 32], but config.json implies [16 16]"}},
		{"no weights", func(t *testing.T, dir string, f *safetensors.File) {
			os.Remove(filepath.Join(dir, SafetensorsFile))
		}, []string{"neither model.safetensors nor pytorch_model.bin"}},
		{"unreadable pytorch_model.bin", func(t *testing.T, dir string, f *safetensors.File) {
			os.Remove(filepath.Join(dir, SafetensorsFile))
			os.WriteFile(filepath.Join(dir, PytorchFile), []byte("\x80\x02legacy pickle"), 0o644)
		}, []string{PytorchFile, "not a torch.save zip archive", "safetensors.torch.save_file"}},
		{"no config", func(t *testing.T, dir string, f *safetensors.File) {
			os.Remove(filepath.Join(dir, ConfigFile))
		}, []string{"config.json", "no such file"}},
		{"bad config", func(t *testing.T, dir string, f *safetensors.File) {
			os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"model_type":"bert","vocab_size":10,"hidden_size":10,"num_hidden_layers":1,"num_attention_heads":3,"intermediate_size":4,"max_position_embeddings":8}`), 0o644)
		}, []string{"hidden_size 10 is not a multiple of num_attention_heads 3"}},
		{"unsupported model type", func(t *testing.T, dir string, f *safetensors.File) {
			os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"model_type":"gpt2"}`), 0o644)
		}, []string{`model_type "gpt2" is not supported`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, f := tinyDir(t, TinyOptions{Seed: 1})
			tc.break_(t, dir, f)
			_, err := LoadCheckpoint(dir)
			require.Error(t, err, "loaded a broken checkpoint")
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

func TestCheckpointPrefixAndHeads(t *testing.T) {
	dir, f := tinyDir(t, TinyOptions{Seed: 2, Prefix: "bert.", Pooler: true})
	rewrite(t, dir, f, func(ts []safetensors.Tensor) []safetensors.Tensor {
		return append(ts, safetensors.FromFloat32("cls.predictions.bias", []int{2}, []float32{1, 2}),
			safetensors.Tensor{Name: "bert.embeddings.position_ids", DType: safetensors.I64, Shape: []int{1, 2}, Data: make([]byte, 16)})
	})
	ck, err := LoadCheckpoint(dir)
	require.NoError(t, err)
	assert.Equal(t, "bert.", ck.Prefix, "prefix")
	assert.True(t, ck.HasPooler, "pooler")
	assert.Equal(t, []string{"bert.embeddings.position_ids", "cls.predictions.bias"}, ck.Ignored, "ignored")
	assert.Len(t, ck.Weights, len(WeightNames(ck.Config, true)), "weights")
}

// TestDTypes: F16 and BF16 checkpoints load to exactly the values their bits encode.
func TestDTypes(t *testing.T) {
	for _, dt := range []safetensors.DType{safetensors.F16, safetensors.BF16} {
		dir, f := tinyDir(t, TinyOptions{Seed: 3, DType: dt})
		ck, err := LoadCheckpoint(dir)
		require.NoError(t, err)
		assert.Equal(t, []string{dt.String()}, ck.DTypes, "dtypes")
		name := "encoder.layer.1.output.dense.weight"
		raw, _ := f.Bytes(name)
		for i, v := range ck.Weights[name].Value {
			h := binary.LittleEndian.Uint16(raw[2*i:])
			var want float32
			if dt == safetensors.F16 {
				want = safetensors.F16ToFloat32(h)
			} else {
				want = safetensors.BF16ToFloat32(h)
			}
			require.Equal(t, float64(want), v, "%s %s[%d]: value vs what the bits say", dt, name, i)
		}
	}
}

// TestHalfRounding: every finite half and bfloat16 value round-trips through float32, and
// values between two neighbours round to nearest, ties to even (hand-picked cases).
func TestHalfRounding(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := safetensors.F16ToFloat32(uint16(h))
		if !math.IsNaN(float64(f)) {
			require.Equal(t, uint16(h), Float32ToF16(f), "F16 %#04x → %v → back", h, f)
		}
		g := safetensors.BF16ToFloat32(uint16(h))
		if !math.IsNaN(float64(g)) {
			require.Equal(t, uint16(h), Float32ToBF16(g), "BF16 %#04x → %v → back", h, g)
		}
	}
	cases := []struct {
		f        float32
		f16, b16 uint16
	}{
		{1 + 1.0/2048, 0x3c00, 0x3f80},           // half-way between 1 and 1+2⁻¹⁰: ties to even (1)
		{1 + 3.0/2048, 0x3c02, 0x3f80},           // half-way between 1+2⁻¹⁰ and 1+2⁻⁹: to even
		{65520, 0x7c00, 0x4780},                  // rounds past the largest half to +Inf
		{5.960464477539063e-08, 0x0001, 0x3380},  // smallest half subnormal
		{2.9802322387695312e-08, 0x0000, 0x3300}, // half of it: ties to even (0)
		{1 + 1.0/256, 0x3c04, 0x3f80},            // bfloat16 tie: to even
		{1 + 3.0/256, 0x3c0c, 0x3f82},
	}
	for _, c := range cases {
		assert.Equal(t, c.f16, Float32ToF16(c.f), "Float32ToF16(%v)", c.f)
		assert.Equal(t, c.b16, Float32ToBF16(c.f), "Float32ToBF16(%v)", c.f)
	}
}

// pickleWriter emits the protocol-2 pickle torch.save writes for a state dict: an
// OrderedDict of _rebuild_tensor_v2 calls on persistent storage references.
type pickleWriter struct{ b bytes.Buffer }

func (p *pickleWriter) op(b ...byte) { p.b.Write(b) }
func (p *pickleWriter) str(s string) {
	p.op('X')
	binary.Write(&p.b, binary.LittleEndian, uint32(len(s)))
	p.b.WriteString(s)
}
func (p *pickleWriter) int(v int) {
	p.op('J')
	binary.Write(&p.b, binary.LittleEndian, int32(v))
}
func (p *pickleWriter) global(mod, name string) { p.op('c'); p.b.WriteString(mod + "\n" + name + "\n") }
func (p *pickleWriter) tuple(v []int) {
	p.op('(')
	for _, x := range v {
		p.int(x)
	}
	p.op('t')
}

type binTensor struct {
	name, storage, key string
	numel, offset      int
	shape, stride      []int
}

func (p *pickleWriter) stateDict(ts []binTensor) []byte {
	p.op(0x80, 2)
	p.global("collections", "OrderedDict")
	p.op(')', 'R', '(')
	for _, t := range ts {
		p.str(t.name)
		p.global("torch._utils", "_rebuild_tensor_v2")
		p.op('(', '(')
		p.str("storage")
		p.global("torch", t.storage)
		p.str(t.key)
		p.str("cpu")
		p.int(t.numel)
		p.op('t', 'Q')
		p.int(t.offset)
		p.tuple(t.shape)
		p.tuple(t.stride)
		p.op(0x89)
		p.global("collections", "OrderedDict")
		p.op(')', 'R', 't', 'R')
	}
	p.op('u', '.')
	return p.b.Bytes()
}

func writeZip(t *testing.T, path string, files map[string][]byte) {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := z.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		require.NoError(t, err)
		w.Write(files[n])
	}
	require.NoError(t, z.Close())
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
}

// TestPytorchBin converts a tiny checkpoint to the torch.save zip format (one storage per
// tensor, the query weights stored transposed with swapped strides, one tensor a view at an
// offset of a larger storage) and checks that it loads to the same weights.
func TestPytorchBin(t *testing.T) {
	dir, f := tinyDir(t, TinyOptions{Seed: 4})
	want, err := LoadCheckpoint(dir)
	require.NoError(t, err)
	files := map[string][]byte{"archive/byteorder": []byte("little"), "archive/version": []byte("3\n")}
	var ts []binTensor
	for i, info := range f.Tensors() {
		key := string(rune('a'+i%26)) + string(rune('a'+i/26))
		raw, _ := f.Bytes(info.Name)
		bt := binTensor{name: info.Name, storage: "FloatStorage", key: key, numel: info.NumElements(), shape: info.Shape}
		bt.stride = make([]int, len(info.Shape))
		s := 1
		for d := len(info.Shape) - 1; d >= 0; d-- {
			bt.stride[d] = s
			s *= info.Shape[d]
		}
		switch {
		case strings.HasSuffix(info.Name, "query.weight"):
			// Store Wᵀ and read it back through strides (a .t() view).
			r, c := info.Shape[0], info.Shape[1]
			tr := make([]byte, len(raw))
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					copy(tr[4*(j*r+i):4*(j*r+i)+4], raw[4*(i*c+j):4*(i*c+j)+4])
				}
			}
			raw = tr
			bt.stride = []int{1, r}
		case strings.HasSuffix(info.Name, "LayerNorm.bias"):
			// A view at offset 3 of a larger storage.
			raw = append(make([]byte, 12), append(raw, make([]byte, 8)...)...)
			bt.offset, bt.numel = 3, info.NumElements()+5
		}
		files["archive/data/"+key] = raw
		ts = append(ts, bt)
	}
	var pw pickleWriter
	files["archive/data.pkl"] = pw.stateDict(ts)
	os.Remove(filepath.Join(dir, SafetensorsFile))
	writeZip(t, filepath.Join(dir, PytorchFile), files)
	got, err := LoadCheckpoint(dir)
	require.NoError(t, err)
	require.Len(t, got.Weights, len(want.Weights), "weights")
	for n, p := range want.Weights {
		assert.Equal(t, p.Value, got.Weights[n].Value, "%s differs", n)
	}

	// Broken archives give clear errors.
	for _, tc := range []struct {
		name string
		edit func(map[string][]byte)
		want string
	}{
		{"missing storage", func(m map[string][]byte) { delete(m, "archive/data/aa") }, "archive entry archive/data/aa is missing"},
		{"short storage", func(m map[string][]byte) { m["archive/data/aa"] = m["archive/data/aa"][:3] }, "file truncated?"},
		{"big-endian", func(m map[string][]byte) { m["archive/byteorder"] = []byte("big") }, "only little-endian"},
		{"foreign global", func(m map[string][]byte) {
			m["archive/data.pkl"] = []byte("\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.")
		}, "global os.system is not allowed"},
		{"truncated pickle", func(m map[string][]byte) { m["archive/data.pkl"] = m["archive/data.pkl"][:50] }, "pickle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string][]byte{}
			for k, v := range files {
				m[k] = v
			}
			tc.edit(m)
			writeZip(t, filepath.Join(dir, PytorchFile), m)
			_, err := LoadCheckpoint(dir)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
