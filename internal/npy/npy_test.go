package npy

import (
	"bytes"
	"encoding/binary"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestGoldenBytes checks the writer against bytes derived by hand from the
// format description: magic, version 1.0, HEADER_LEN (little-endian u16),
// the dict text, numpy's 21-digit growth padding, spaces up to a multiple of
// 64 including the final newline, then the data.
func TestGoldenBytes(t *testing.T) {
	f64 := func(bits uint64) []byte { return binary.LittleEndian.AppendUint64(nil, bits) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := []struct {
		name  string
		write func(*bytes.Buffer) error
		want  []byte
	}{
		{
			// dict is 59 bytes; growth pad 21-len("2") = 20; +1 newline = 80;
			// 10+80 = 90, 90 mod 64 = 26, pad 38; HEADER_LEN = 79+38+1 = 118.
			name: "2x3 float64",
			write: func(b *bytes.Buffer) error {
				return Write(b, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
			},
			want: cat([]byte("\x93NUMPY\x01\x00"), []byte{118, 0},
				[]byte("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"),
				[]byte(strings.Repeat(" ", 20+38)), []byte("\n"),
				f64(0x3FF0000000000000), f64(0x4000000000000000), f64(0x4008000000000000),
				f64(0x4010000000000000), f64(0x4014000000000000), f64(0x4018000000000000)),
		},
		{
			// 0-d: no growth pad; dict 55 bytes, +1 = 56; 66 mod 64 = 2, pad 62.
			name: "0-d float32",
			write: func(b *bytes.Buffer) error {
				return Write(b, nil, []float32{1.5})
			},
			want: cat([]byte("\x93NUMPY\x01\x00"), []byte{118, 0},
				[]byte("{'descr': '<f4', 'fortran_order': False, 'shape': (), }"),
				[]byte(strings.Repeat(" ", 62)), []byte("\n"),
				[]byte{0x00, 0x00, 0xC0, 0x3F}),
		},
		{
			// dict 58 bytes, growth 20, +1 = 79; 89 mod 64 = 25, pad 39.
			name: "1 complex128",
			write: func(b *bytes.Buffer) error {
				return Write(b, []int{1}, []complex128{complex(-2, 0.5)})
			},
			want: cat([]byte("\x93NUMPY\x01\x00"), []byte{118, 0},
				[]byte("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }"),
				[]byte(strings.Repeat(" ", 20+39)), []byte("\n"),
				f64(0xC000000000000000), f64(0x3FE0000000000000)),
		},
		{
			// dict 57 bytes, growth 20, +1 = 78; 88 mod 64 = 24, pad 40.
			name: "int64 with negative",
			write: func(b *bytes.Buffer) error {
				return Write(b, []int{2}, []int64{-1, 258})
			},
			want: cat([]byte("\x93NUMPY\x01\x00"), []byte{118, 0},
				[]byte("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"),
				[]byte(strings.Repeat(" ", 20+40)), []byte("\n"),
				[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, []byte{2, 1, 0, 0, 0, 0, 0, 0}),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.write(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), c.want) {
				t.Fatalf("bytes differ\n got %q\nwant %q", b.Bytes(), c.want)
			}
		})
	}
}

func bitsEqual[T Elem](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		switch x := any(a[i]).(type) {
		case float64:
			if math.Float64bits(x) != math.Float64bits(any(b[i]).(float64)) {
				return false
			}
		case float32:
			if math.Float32bits(x) != math.Float32bits(any(b[i]).(float32)) {
				return false
			}
		case complex128:
			y := any(b[i]).(complex128)
			if math.Float64bits(real(x)) != math.Float64bits(real(y)) || math.Float64bits(imag(x)) != math.Float64bits(imag(y)) {
				return false
			}
		case int64:
			if x != any(b[i]).(int64) {
				return false
			}
		}
	}
	return true
}

func roundTrip[T Elem](t *testing.T, shape []int, data []T) {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, shape, data); err != nil {
		t.Fatal(err)
	}
	if hl := int(binary.LittleEndian.Uint16(b.Bytes()[8:])); (10+hl)%64 != 0 || b.Bytes()[9+hl] != '\n' {
		t.Fatalf("header not aligned to 64 or not newline-terminated (len %d)", hl)
	}
	a, err := Read(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if a.DType != dtypeOf[T]() {
		t.Fatalf("dtype %v", a.DType)
	}
	if len(a.Shape) != len(shape) || (len(shape) > 0 && !reflect.DeepEqual(a.Shape, shape)) {
		t.Fatalf("shape %v, want %v", a.Shape, shape)
	}
	got, err := As[T](a)
	if err != nil {
		t.Fatal(err)
	}
	if !bitsEqual(got, data) {
		t.Fatalf("data %v, want %v", got, data)
	}
	// Through a file too.
	p := filepath.Join(t.TempDir(), "x.npy")
	if err := WriteFile(p, shape, data); err != nil {
		t.Fatal(err)
	}
	shp, got2, err := ReadFileAs[T](p)
	if err != nil {
		t.Fatal(err)
	}
	if len(shp) != len(shape) || !bitsEqual(got2, data) {
		t.Fatalf("file round trip: %v %v", shp, got2)
	}
}

func TestRoundTrip(t *testing.T) {
	nan := math.Float64frombits(0x7ff8000000000001) // payload must survive
	shapes := [][]int{nil, {0}, {5}, {2, 3}, {2, 0, 3}, {2, 3, 4, 5}, {1, 1, 1, 1, 1, 1, 1}}
	for _, shape := range shapes {
		n := 1
		for _, d := range shape {
			n *= d
		}
		f64 := make([]float64, n)
		f32 := make([]float32, n)
		c := make([]complex128, n)
		i64 := make([]int64, n)
		specials := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), nan, 5e-324, math.MaxFloat64, -1.25}
		for i := range n {
			v := specials[i%len(specials)] + float64(i/len(specials))
			f64[i] = v
			f32[i] = float32(v) + float32(i)*1e-3
			c[i] = complex(v, -float64(i))
			i64[i] = int64(i)*0x0102030405 - 7
		}
		t.Run("", func(t *testing.T) {
			roundTrip(t, shape, f64)
			roundTrip(t, shape, f32)
			roundTrip(t, shape, c)
			roundTrip(t, shape, i64)
		})
	}
}

// TestVersion2 forces a header over 65535 bytes (a rank-22000 shape), which
// numpy writes as format 2.0 with a 4-byte header length.
func TestVersion2(t *testing.T) {
	shape := make([]int, 22000)
	for i := range shape {
		shape[i] = 1
	}
	var b bytes.Buffer
	if err := Write(&b, shape, []float64{42}); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	if raw[6] != 2 || raw[7] != 0 {
		t.Fatalf("version %d.%d, want 2.0", raw[6], raw[7])
	}
	hl := int(binary.LittleEndian.Uint32(raw[8:]))
	if hl <= math.MaxUint16 || (12+hl)%64 != 0 || raw[11+hl] != '\n' || len(raw) != 12+hl+8 {
		t.Fatalf("bad v2 layout: hlen %d, total %d", hl, len(raw))
	}
	a, err := Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Shape) != 22000 || a.Data.([]float64)[0] != 42 {
		t.Fatalf("got rank %d", len(a.Shape))
	}
}

// craft builds a v1.0 file with an arbitrary header text, padded as numpy
// does, followed by data.
func craft(dict string, data []byte) []byte {
	hlen := len(dict) + 1
	pad := 64 - (10+hlen)%64
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	b.Write(binary.LittleEndian.AppendUint16(nil, uint16(hlen+pad)))
	b.WriteString(dict + strings.Repeat(" ", pad) + "\n")
	b.Write(data)
	return b.Bytes()
}

func le64(vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

func TestFortranAndBigEndian(t *testing.T) {
	// 2x3 matrix [[1 2 3] [4 5 6]] stored column-major: 1 4 2 5 3 6.
	a, err := Read(bytes.NewReader(craft("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", le64(1, 4, 2, 5, 3, 6))))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Data.([]float64); !reflect.DeepEqual(got, []float64{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("fortran 2x3: %v", got)
	}
	// Rank 3: brute-force index formulas.
	shape := []int{2, 3, 4}
	var src []float64
	for k := 0; k < 4; k++ {
		for j := 0; j < 3; j++ {
			for i := 0; i < 2; i++ {
				src = append(src, float64(100*i+10*j+k))
			}
		}
	}
	a, err = Read(bytes.NewReader(craft("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }", le64(src...))))
	if err != nil {
		t.Fatal(err)
	}
	got := a.Data.([]float64)
	for i := 0; i < shape[0]; i++ {
		for j := 0; j < shape[1]; j++ {
			for k := 0; k < shape[2]; k++ {
				if v := got[(i*3+j)*4+k]; v != float64(100*i+10*j+k) {
					t.Fatalf("[%d,%d,%d] = %v", i, j, k, v)
				}
			}
		}
	}
	// Big-endian float32. A header in another layout (keys shuffled, double
	// quotes, Python 2 long suffix) is refused with a clear error: npyio
	// parses only the layout numpy writes.
	be := []byte{0x3F, 0xC0, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00}
	_, err = Read(bytes.NewReader(craft(`{"shape": (2L,), 'fortran_order': False, "descr": '>f4'}`, be)))
	assert.ErrorContains(t, err, "is not numpy's dictionary")
	a, err = Read(bytes.NewReader(craft("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", be)))
	require.NoError(t, err)
	if got := a.Data.([]float32); !reflect.DeepEqual(got, []float32{1.5, -2}) {
		t.Fatalf("big-endian f4: %v", got)
	}
}

func TestCorrupt(t *testing.T) {
	good := craft("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", le64(1, 2))
	hdr := func(dict string) []byte { return craft(dict, le64(1, 2)) }
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"bad magic", append([]byte("\x93NUMPZ"), good[6:]...), "magic"},
		{"version 4.0", append(append([]byte{}, good[:6]...), append([]byte{4, 0}, good[8:]...)...), "unsupported format version 4.0"},
		{"version 1.1", append(append([]byte{}, good[:6]...), append([]byte{1, 1}, good[8:]...)...), "unsupported format version 1.1"},
		{"no header length", good[:9], "header length"},
		{"header past EOF", good[:40], "header length says 118 bytes"},
		{"not a dict", hdr("[1, 2]"), "is not numpy's dictionary"},
		{"missing key", hdr("{'descr': '<f8', 'shape': (2,), }"), "is not numpy's dictionary"},
		{"extra key", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}"), "is not numpy's dictionary"},
		{"duplicate key", hdr("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}"), "is not numpy's dictionary"},
		{"object dtype", hdr("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"), `unsupported dtype "|O"`},
		{"float16", hdr("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }"), `unsupported dtype "<f2"`},
		{"structured", hdr("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }"), "is not numpy's dictionary"},
		{"fortran not bool", hdr("{'descr': '<f8', 'fortran_order': 0, 'shape': (2,), }"), "is not numpy's dictionary"},
		{"shape is list", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': [2], }"), "is not numpy's dictionary"},
		{"shape is int", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (2), }"), "is not numpy's dictionary"},
		{"negative dim", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }"), "is not numpy's dictionary"},
		{"float dim", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (2.0,), }"), "is not numpy's dictionary"},
		{"overflow", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), "too many elements"},
		{"bytes overflow", hdr("{'descr': '<c16', 'fortran_order': False, 'shape': (1152921504606846976,), }"), "too large"},
		{"unterminated", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)"), "is not numpy's dictionary"},
		{"garbage after dict", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} x"), "is not numpy's dictionary"},
		{"bad keyword", hdr("{'descr': '<f8', 'fortran_order': Falsey, 'shape': (2,)}"), "is not numpy's dictionary"},
		{"data truncated", good[:len(good)-3], "data truncated: shape [2] of <f8 needs 16 bytes, only 13 present"},
		{"deep nesting", hdr(strings.Repeat("(", 40) + strings.Repeat(")", 40)), "is not numpy's dictionary"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(c.data))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want containing %q", err, c.want)
			}
		})
	}
	if _, err := Read(bytes.NewReader(good)); err != nil {
		t.Fatalf("control case failed: %v", err)
	}
}

func TestReadFileSize(t *testing.T) {
	dir := t.TempDir()
	good := craft("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", le64(1, 2))
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"trailing bytes", append(append([]byte{}, good...), 0), "1 unexpected bytes after the data"},
		{"truncated", good[:len(good)-1], "needs 16 bytes after the 128-byte header, file has 15"},
		{"huge claim", craft("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", nil), "needs 8000000000000 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name+".npy")
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadFile(p)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("err = %v, want containing %q and the path", err, c.want)
			}
		})
	}
	if _, _, err := ReadFileAs[float32](filepath.Join(dir, "missing.npy")); err == nil {
		t.Fatal("missing file accepted")
	}
	p := filepath.Join(dir, "ok.npy")
	os.WriteFile(p, good, 0o644)
	if _, _, err := ReadFileAs[float32](p); err == nil || !strings.Contains(err.Error(), "dtype <f8, not the requested <f4") {
		t.Fatalf("dtype mismatch: %v", err)
	}
}

func TestWriteErrors(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, []int{2, 2}, []float64{1, 2, 3}); err == nil || !strings.Contains(err.Error(), "holds 4 elements but data has 3") {
		t.Fatalf("err = %v", err)
	}
	if err := Write(&b, []int{-1}, []float64{}); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Fatalf("err = %v", err)
	}
	if b.Len() != 0 {
		t.Fatal("bytes written on error")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "keep.npy")
	if err := WriteFile(p, []int{1}, []float64{7}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []int{3}, []float64{1}); err == nil {
		t.Fatal("bad write accepted")
	}
	if _, got, err := ReadFileAs[float64](p); err != nil || got[0] != 7 {
		t.Fatalf("previous file damaged: %v %v", got, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("litter: %v", ents)
	}
}
