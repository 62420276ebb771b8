package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// u64 returns the 8-byte little-endian encoding of n, written out by hand
// in the golden tests below rather than through the package.
func u64(n uint64) []byte { return binary.LittleEndian.AppendUint64(nil, n) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestGolden checks Marshal against byte strings constructed by hand from
// the format description (the first three are also the reference
// implementation's own test vectors).
func TestGolden(t *testing.T) {
	f32le := func(bits ...uint32) []byte {
		var b []byte
		for _, x := range bits {
			b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
		}
		return b
	}
	cases := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    []byte
	}{
		{
			// 64-byte JSON, already a multiple of 8: no padding.
			name:    "one F32 tensor",
			tensors: []Tensor{FromFloat32("attn.0", []int{1, 2, 3}, []float32{0, 1, 2, 3, 4, 5})},
			want: cat([]byte{64, 0, 0, 0, 0, 0, 0, 0},
				[]byte(`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`),
				f32le(0, 0x3F800000, 0x40000000, 0x40400000, 0x40800000, 0x40A00000)),
		},
		{
			name: "empty",
			want: cat([]byte{8, 0, 0, 0, 0, 0, 0, 0}, []byte("{}      ")),
		},
		{
			// 35 bytes of JSON + 5 spaces = 40.
			name: "metadata only",
			meta: map[string]string{"framework": "pt"},
			want: cat([]byte{40, 0, 0, 0, 0, 0, 0, 0}, []byte(`{"__metadata__":{"framework":"pt"}}     `)),
		},
		{
			// Reference layout: I64, F64, F32, F16, U8, BOOL (decreasing
			// alignment), names breaking ties; metadata keys sorted.
			name: "mixed dtypes",
			tensors: []Tensor{
				{Name: "z", DType: BOOL, Shape: []int{2}, Data: []byte{1, 0}},
				{Name: "h", DType: F16, Shape: []int{1}, Data: []byte{0x00, 0x3C}},
				{Name: "b", DType: F32, Shape: []int{}, Data: []byte{0, 0, 0x80, 0xBF}},
				{Name: "a", DType: F32, Shape: []int{1}, Data: []byte{0, 0, 0, 0x40}},
				{Name: "d", DType: F64, Shape: []int{1}, Data: u64(0x3FF0000000000000)},
				{Name: "i", DType: I64, Shape: []int{1, 1}, Data: u64(math.MaxUint64)},
				{Name: "u", DType: U8, Shape: []int{0, 5}, Data: nil},
			},
			meta: map[string]string{"z": "last", "format": "pt"},
			want: func() []byte {
				js := `{"__metadata__":{"format":"pt","z":"last"},` +
					`"i":{"dtype":"I64","shape":[1,1],"data_offsets":[0,8]},` +
					`"d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},` +
					`"a":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},` +
					`"b":{"dtype":"F32","shape":[],"data_offsets":[20,24]},` +
					`"h":{"dtype":"F16","shape":[1],"data_offsets":[24,26]},` +
					`"u":{"dtype":"U8","shape":[0,5],"data_offsets":[26,26]},` +
					`"z":{"dtype":"BOOL","shape":[2],"data_offsets":[26,28]}}`
				// 428 bytes of JSON -> 4 spaces -> 432 = 0x1B0.
				if len(js) != 428 {
					panic(len(js))
				}
				return cat([]byte{0xB0, 0x01, 0, 0, 0, 0, 0, 0}, []byte(js+"    "),
					u64(math.MaxUint64), u64(0x3FF0000000000000),
					[]byte{0, 0, 0, 0x40}, []byte{0, 0, 0x80, 0xBF}, []byte{0x00, 0x3C}, []byte{1, 0})
			}(),
		},
		{
			// serde_json escapes only '"', '\\' and control characters.
			name:    "escaping",
			tensors: []Tensor{{Name: "a\"b\\c\n\x01<>&é", DType: U8, Shape: []int{1}, Data: []byte{7}}},
			want: func() []byte {
				js := `{"a\"b\\c\n\u0001<>&é":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`
				pad := (8 - len(js)%8) % 8
				return cat(u64(uint64(len(js)+pad)), []byte(js+strings.Repeat(" ", pad)), []byte{7})
			}(),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Marshal(c.tensors, c.meta)
			require.NoError(t, err)
			if !bytes.Equal(got, c.want) {
				t.Fatalf("bytes differ\n got %q\nwant %q", got, c.want)
			}
			f, err := Parse(got)
			require.NoError(t, err)
			require.Equal(t, c.meta, f.Metadata(), "metadata %v, want %v", f.Metadata(), c.meta)
			for _, in := range c.tensors {
				b, err := f.Bytes(in.Name)
				require.NoError(t, err)
				if !bytes.Equal(b, in.Data) {
					t.Fatalf("tensor %q: %v, want %v", in.Name, b, in.Data)
				}
			}
		})
	}
}

// randomTensors builds n tensors of random dtypes and shapes from a seed.
func randomTensors(seed uint64, n int) []Tensor {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]Tensor, n)
	for i := range out {
		dt := DType(1 + r.IntN(int(U64)))
		rank := r.IntN(4)
		shape := make([]int, rank)
		count := 1
		for j := range shape {
			shape[j] = r.IntN(5)
			count *= shape[j]
		}
		data := make([]byte, count*dt.Size())
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		out[i] = Tensor{Name: strings.Repeat("t", 1+r.IntN(3)) + "." + string(rune('a'+i%26)) + string(rune('0'+i/26)), DType: dt, Shape: shape, Data: data}
	}
	return out
}

func checkFile(t *testing.T, f *File, tensors []Tensor, meta map[string]string) {
	t.Helper()
	if f.Len() != len(tensors) {
		t.Fatalf("%d tensors, want %d", f.Len(), len(tensors))
	}
	require.Equal(t, meta, f.Metadata(), "metadata %v, want %v", f.Metadata(), meta)
	for _, in := range tensors {
		info, ok := f.Info(in.Name)
		if !ok {
			t.Fatalf("tensor %q missing", in.Name)
		}
		if info.DType != in.DType || len(info.Shape) != len(in.Shape) || (len(in.Shape) > 0 && !reflect.DeepEqual(info.Shape, in.Shape)) {
			t.Fatalf("tensor %q: info %+v, want %v %v", in.Name, info, in.DType, in.Shape)
		}
		b, err := f.Bytes(in.Name)
		require.NoError(t, err)
		if !bytes.Equal(b, in.Data) {
			t.Fatalf("tensor %q: data differs", in.Name)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for seed := uint64(0); seed < 20; seed++ {
		tensors := randomTensors(seed, int(seed%7)+int(seed))
		var meta map[string]string
		if seed%2 == 0 {
			meta = map[string]string{"format": "pt", "seed": string(rune('0' + seed%10)), "": "empty key"}
		}
		b, err := Marshal(tensors, meta)
		require.NoError(t, err)
		if n := binary.LittleEndian.Uint64(b); n%8 != 0 {
			t.Fatalf("header length %d not a multiple of 8", n)
		}
		f, err := Parse(b)
		require.NoError(t, err, "seed %d", seed)
		checkFile(t, f, tensors, meta)
		// Every tensor's data is aligned to its element size.
		n := int64(binary.LittleEndian.Uint64(b))
		for _, info := range f.Tensors() {
			if (8+n+info.Begin)%int64(info.DType.Size()) != 0 {
				t.Fatalf("tensor %q misaligned", info.Name)
			}
		}
		// Deterministic: the same input in another order gives the same bytes.
		rev := append([]Tensor(nil), tensors...)
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		if b2, _ := Marshal(rev, meta); !bytes.Equal(b, b2) {
			t.Fatal("output depends on input order")
		}
		f2, err := Read(bytes.NewReader(b))
		require.NoError(t, err)
		checkFile(t, f2, tensors, meta)
		p := filepath.Join(dir, "x.safetensors")
		require.NoError(t, WriteFile(p, tensors, meta))
		f3, err := Open(p)
		require.NoError(t, err)
		checkFile(t, f3, tensors, meta)
		require.NoError(t, f3.Close())
		require.NoError(t, f3.Close(), "second Close")
		for _, tt := range tensors {
			if _, err := f3.Bytes(tt.Name); len(tt.Data) > 0 && err == nil {
				t.Fatal("Bytes after Close succeeded")
			}
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("litter: %v", ents)
	}
}

// hdrFile builds a file from a header text and data.
func hdrFile(header string, data []byte) []byte {
	return cat(u64(uint64(len(header))), []byte(header), data)
}

func TestMalformed(t *testing.T) {
	f32x2 := make([]byte, 8)
	cases := []struct {
		name   string
		file   []byte
		want   string
		stream bool // Read detects it too (it stops after the described data)
	}{
		{"empty file", nil, "0 bytes, shorter than the 8-byte header length", true},
		{"7 bytes", []byte{1, 2, 3, 4, 5, 6, 7}, "shorter than the 8-byte", true},
		{"header length past EOF", cat(u64(100), []byte("{}")), "header length 100 runs past the end of the file", true},
		{"header length over limit", cat(u64(100_000_001), []byte("{}")), "header length 100000001 exceeds the limit", true},
		{"header length 2^64-1", cat(u64(math.MaxUint64), []byte("{}")), "exceeds the limit", true},
		{"non-JSON header", hdrFile("{not json}", nil), "header is not valid JSON", true},
		{"truncated JSON", hdrFile(`{"w":{"dtype":"F32"`, nil), "header is not valid JSON", true},
		{"JSON array", hdrFile("[1,2]", nil), "header is not a JSON object", true},
		{"JSON string", hdrFile(`"x"`, nil), "header is not a JSON object", true},
		{"empty header", hdrFile("", nil), "header is not valid JSON", true},
		{"garbage after JSON", hdrFile("{} x", nil), "followed by data after the JSON object", true},
		{"invalid UTF-8", hdrFile("{\"\xff\":1}", nil), "not valid UTF-8", true},
		{"wrong dtype string", hdrFile(`{"w":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}`, f32x2), `tensor "w": unknown dtype "F31"`, true},
		{"lowercase dtype", hdrFile(`{"w":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}`, f32x2), `tensor "w": unknown dtype "f32"`, true},
		{"dtype not a string", hdrFile(`{"w":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}`, f32x2), `tensor "w": dtype must be a string`, true},
		{"missing dtype", hdrFile(`{"w":{"shape":[2],"data_offsets":[0,8]}}`, f32x2), `tensor "w": missing "dtype"`, true},
		{"missing shape", hdrFile(`{"w":{"dtype":"F32","data_offsets":[0,8]}}`, f32x2), `tensor "w": missing "shape"`, true},
		{"missing offsets", hdrFile(`{"w":{"dtype":"F32","shape":[2]}}`, f32x2), `tensor "w": missing "data_offsets"`, true},
		{"entry not an object", hdrFile(`{"w":[1,2]}`, nil), `tensor "w": entry must be an object`, true},
		{"negative dimension", hdrFile(`{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, f32x2), `tensor "w": shape must be an array of non-negative integers`, true},
		{"fractional dimension", hdrFile(`{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}`, f32x2), `tensor "w": shape must be`, true},
		{"null shape", hdrFile(`{"w":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, f32x2[:4]), `tensor "w": shape must be`, true},
		{"three offsets", hdrFile(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}`, f32x2), `tensor "w": data_offsets must be two`, true},
		{"end before begin", hdrFile(`{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, f32x2), `tensor "w": data_offsets [8, 0] end before they begin`, true},
		{"shape/size mismatch", hdrFile(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, f32x2), `tensor "w": shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8`, true},
		{"shape overflow", hdrFile(`{"w":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}}`, f32x2), `tensor "w": shape [4294967296 4294967296 4] overflows`, true},
		{"offsets out of range", hdrFile(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, f32x2), `tensor "w": data_offsets [0, 16] run past the end of the file (the data section holds 8 bytes)`, true},
		{"truncated data", hdrFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 10)), `tensor "b": data_offsets [4, 12] run past the end of the file`, true},
		{"overlapping offsets", hdrFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)), `tensor "b": data_offsets [4, 12] overlap tensor "a" [0, 8]`, true},
		{"same offsets", hdrFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `overlap tensor`, true},
		{"gap between tensors", hdrFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, make([]byte, 12)), `tensor "b": data_offsets [8, 12] leave a gap of 4 bytes after tensor "a" [0, 4]`, true},
		{"gap at start", hdrFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), `tensor "a": data_offsets [4, 8] leave a gap of 4 bytes at the start`, true},
		{"trailing bytes", hdrFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 5)), "1 unexpected bytes after the last tensor", false},
		{"duplicate tensor", hdrFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a" appears twice`, true},
		{"duplicate field", hdrFile(`{"a":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `tensor "a": field "dtype" appears twice`, true},
		{"duplicate metadata", hdrFile(`{"__metadata__":{},"__metadata__":{}}`, nil), `"__metadata__" appears twice`, true},
		{"metadata number", hdrFile(`{"__metadata__":{"k":1}}`, nil), `"__metadata__" value of "k" must be a string`, true},
		{"metadata null value", hdrFile(`{"__metadata__":{"k":null}}`, nil), `"__metadata__" value of "k" must be a string`, true},
		{"metadata array", hdrFile(`{"__metadata__":["k"]}`, nil), `"__metadata__" must be an object of strings`, true},
		{"metadata duplicate key", hdrFile(`{"__metadata__":{"k":"1","k":"2"}}`, nil), `"__metadata__" key "k" appears twice`, true},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.file)
			require.ErrorContains(t, err, c.want)
			p := filepath.Join(dir, "bad.safetensors")
			require.NoError(t, os.WriteFile(p, c.file, 0o644))
			_, err = Open(p)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("Open: err = %v\nwant containing %q and the path", err, c.want)
			}
			_, err = Read(bytes.NewReader(c.file))
			if c.stream && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("Read: err = %v\nwant containing %q", err, c.want)
			}
		})
	}
}

// TestAccepted lists unusual inputs that the reference implementation
// accepts, and so must this reader.
func TestAccepted(t *testing.T) {
	cases := []struct {
		name string
		file []byte
	}{
		{"unknown field in entry", hdrFile(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":{"x":[1]}}}`, make([]byte, 4))},
		{"header not padded", hdrFile(`{"w":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}}`, []byte{1, 2, 3})},
		{"whitespace around JSON", hdrFile(" \n{ \"w\" : {\"dtype\":\"U8\",\"shape\":[ 1 ],\"data_offsets\":[0 , 1]} }\t\r\n ", []byte{1})},
		{"tensors out of order in header", hdrFile(`{"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{1, 2})},
		{"zero-size tensors sharing an offset", hdrFile(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F64","shape":[3,0],"data_offsets":[0,0]},"c":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{9})},
		{"null metadata", hdrFile(`{"__metadata__":null}`, nil)},
		{"scalar", hdrFile(`{"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}`, u64(0x4000000000000000))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Parse(c.file); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if _, err := Read(bytes.NewReader(c.file)); err != nil {
				t.Fatalf("Read: %v", err)
			}
		})
	}
	f, _ := Parse(cases[len(cases)-1].file)
	if v, err := f.Float64("s"); err != nil || len(v) != 1 || v[0] != 2 {
		t.Fatalf("scalar: %v %v", v, err)
	}
	f, _ = Parse(cases[3].file)
	require.Equal(t, []string{"a", "b"}, f.Names(), "names %v", f.Names())
	if ts := f.Tensors(); ts[0].Name != "a" || ts[1].Begin != 1 {
		t.Fatalf("tensors %+v", ts)
	}
}

func TestWriteErrors(t *testing.T) {
	cases := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{"size mismatch", []Tensor{{Name: "w", DType: F32, Shape: []int{2}, Data: make([]byte, 4)}}, nil, `tensor "w": shape [2] of F32 needs 8 bytes of data, got 4`},
		{"duplicate", []Tensor{FromFloat32("w", []int{1}, []float32{1}), FromFloat32("w", []int{1}, []float32{2})}, nil, `tensor "w" given twice`},
		{"reserved name", []Tensor{FromFloat32("__metadata__", []int{1}, []float32{1})}, nil, "reserved"},
		{"bad dtype", []Tensor{{Name: "w", DType: 0, Shape: []int{0}}}, nil, "invalid dtype"},
		{"negative dim", []Tensor{{Name: "w", DType: U8, Shape: []int{-1}}}, nil, "negative"},
		{"bad UTF-8 name", []Tensor{{Name: "\xff", DType: U8, Shape: []int{0}}}, nil, "not valid UTF-8"},
		{"bad UTF-8 metadata", nil, map[string]string{"k": "\xff"}, "must be valid UTF-8"},
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "keep.safetensors")
	keep := []Tensor{FromFloat64("ok", []int{2}, []float64{1, 2})}
	require.NoError(t, WriteFile(p, keep, nil))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Write(&b, c.tensors, c.meta)
			require.ErrorContains(t, err, c.want)
			if b.Len() != 0 {
				t.Fatal("bytes written on a validation error")
			}
			if err := WriteFile(p, c.tensors, c.meta); err == nil {
				t.Fatal("WriteFile accepted")
			}
			f, err := Open(p)
			require.NoError(t, err)
			defer f.Close()
			checkFile(t, f, keep, nil)
		})
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("litter: %v", ents)
	}
}

// f16Oracle decodes half-precision bits with float64 arithmetic, straight
// from the IEEE 754 definition.
func f16Oracle(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e := int(h>>10) & 0x1f
	m := float64(h & 0x3ff)
	switch e {
	case 0:
		return sign * math.Ldexp(m, -24)
	case 0x1f:
		if m == 0 {
			return sign * math.Inf(1)
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1024+m, e-25)
}

func bf16Oracle(b uint16) float64 {
	sign := 1.0
	if b&0x8000 != 0 {
		sign = -1
	}
	e := int(b>>7) & 0xff
	m := float64(b & 0x7f)
	switch e {
	case 0:
		return sign * math.Ldexp(m, -133)
	case 0xff:
		if m == 0 {
			return sign * math.Inf(1)
		}
		return math.NaN()
	}
	return sign * math.Ldexp(128+m, e-134)
}

func TestHalfConversions(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		for _, c := range []struct {
			name   string
			got    float32
			want   float64
			nanBit uint32
		}{
			{"F16", F16ToFloat32(h), f16Oracle(h), uint32(h&0x3ff) << 13},
			{"BF16", BF16ToFloat32(h), bf16Oracle(h), uint32(h&0x7f) << 16},
		} {
			g := float64(c.got)
			switch {
			case math.IsNaN(c.want):
				if !math.IsNaN(g) || math.Float32bits(c.got)&0x7fffff != c.nanBit {
					t.Fatalf("%s %#04x: got %v (%#x), want NaN with payload %#x", c.name, h, c.got, math.Float32bits(c.got), c.nanBit)
				}
			case g != c.want || math.Signbit(g) != math.Signbit(c.want):
				t.Fatalf("%s %#04x: got %v, want %v", c.name, h, g, c.want)
			}
		}
	}
	// Hand-checked values.
	hand := []struct {
		bits uint16
		f16  float32
		bf16 float32
	}{
		{0x3C00, 1, float32(math.Ldexp(1, -7))},
		{0xC000, -2, -2},
		{0x7BFF, 65504, float32(math.Ldexp(255, 113))}, // bf16: 1.1111111b x 2^120
		{0x0001, float32(math.Ldexp(1, -24)), float32(math.Ldexp(1, -133))},
		{0x0400, float32(math.Ldexp(1, -14)), float32(math.Ldexp(1, -119))},
		{0x0080, float32(math.Ldexp(1, -17)), float32(math.Ldexp(1, -126))}, // bf16: smallest normal
		{0x3F80, 1.875, 1},
		{0x8000, float32(math.Copysign(0, -1)), float32(math.Copysign(0, -1))},
	}
	for _, h := range hand {
		if got := F16ToFloat32(h.bits); got != h.f16 {
			t.Errorf("F16 %#04x = %v, want %v", h.bits, got, h.f16)
		}
		if got := BF16ToFloat32(h.bits); got != h.bf16 {
			t.Errorf("BF16 %#04x = %v, want %v", h.bits, got, h.bf16)
		}
	}
}

func TestFloatAccessors(t *testing.T) {
	tensors := []Tensor{
		{Name: "h", DType: F16, Shape: []int{3}, Data: []byte{0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00}},
		{Name: "bf", DType: BF16, Shape: []int{2}, Data: []byte{0x80, 0x3F, 0x40, 0xC0}},
		FromFloat32("f", []int{2}, []float32{0.1, -3}),
		FromFloat64("d", []int{2}, []float64{0.1, 1e300}),
		{Name: "i", DType: I32, Shape: []int{1}, Data: []byte{1, 0, 0, 0}},
	}
	b, err := Marshal(tensors, nil)
	require.NoError(t, err)
	f, err := Parse(b)
	require.NoError(t, err)
	want64 := map[string][]float64{
		"h":  {1, -2, math.Ldexp(1, -24)},
		"bf": {1, -3},
		"f":  {float64(float32(0.1)), -3},
		"d":  {0.1, 1e300},
	}
	for name, w := range want64 {
		got, err := f.Float64(name)
		if err != nil || !reflect.DeepEqual(got, w) {
			t.Errorf("Float64(%q) = %v, %v; want %v", name, got, err, w)
		}
		got32, err := f.Float32(name)
		if err != nil || len(got32) != len(w) {
			t.Fatalf("Float32(%q): %v %v", name, got32, err)
		}
		for i := range w {
			if got32[i] != float32(w[i]) {
				t.Errorf("Float32(%q)[%d] = %v, want %v", name, i, got32[i], float32(w[i]))
			}
		}
	}
	if _, err := f.Float64("i"); err == nil || !strings.Contains(err.Error(), `tensor "i" has dtype I32`) {
		t.Errorf("Float64 of I32: %v", err)
	}
	if _, err := f.Float32("i"); err == nil {
		t.Error("Float32 of I32 accepted")
	}
	if _, err := f.Float32("nope"); err == nil || !strings.Contains(err.Error(), `no tensor "nope"`) {
		t.Errorf("missing tensor: %v", err)
	}
	if _, ok := f.Info("nope"); ok {
		t.Error("Info of missing tensor")
	}
}

func TestParseDType(t *testing.T) {
	for d := BOOL; d <= U64; d++ {
		got, err := ParseDType(d.String())
		if err != nil || got != d {
			t.Fatalf("%v: %v %v", d, got, err)
		}
	}
	sizes := map[string]int{"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8}
	for name, size := range sizes {
		d, err := ParseDType(name)
		if err != nil || d.Size() != size {
			t.Fatalf("%s: size %d, %v", name, d.Size(), err)
		}
	}
	if _, err := ParseDType("F128"); err == nil {
		t.Fatal("F128 accepted")
	}
	if DType(0).Size() != 0 || DType(200).String() != "DType(200)" {
		t.Fatal("invalid dtype handling")
	}
}

// TestLargeFile writes and maps a 100 MB checkpoint.
func TestLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB file")
	}
	const n = 25 << 20 // 25 Mi float32 = 100 MiB
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i%1000) - 500
	}
	p := filepath.Join(t.TempDir(), "big.safetensors")
	require.NoError(t, WriteFile(p, []Tensor{FromFloat32("w", []int{5 << 20, 5}, v), FromFloat32("b", []int{2}, []float32{1, 2})}, map[string]string{"format": "pt"}))
	f, err := Open(p)
	require.NoError(t, err)
	defer f.Close()
	got, err := f.Float32("w")
	require.NoError(t, err)
	for _, i := range []int{0, 1, 999, 1000, n/2 + 7, n - 1} {
		if got[i] != v[i] {
			t.Fatalf("element %d = %v, want %v", i, got[i], v[i])
		}
	}
	if b, _ := f.Float32("b"); b[1] != 2 {
		t.Fatal("small tensor")
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatal("directory accepted")
	}
}
