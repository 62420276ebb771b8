package npy

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
			require.NoError(t, c.write(&b))
			assert.Equal(t, c.want, b.Bytes())
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
	require.NoError(t, Write(&b, shape, data))
	hl := int(binary.LittleEndian.Uint16(b.Bytes()[8:]))
	require.Zero(t, (10+hl)%64, "header aligned to 64")
	require.Equal(t, byte('\n'), b.Bytes()[9+hl], "header newline-terminated")
	a, err := Read(bytes.NewReader(b.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, dtypeOf[T](), a.DType)
	assert.Len(t, a.Shape, len(shape))
	if len(shape) > 0 {
		assert.Equal(t, shape, a.Shape)
	}
	got, err := As[T](a)
	require.NoError(t, err)
	assert.True(t, bitsEqual(got, data), "data %v, want %v", got, data)
	// Through a file too.
	p := filepath.Join(t.TempDir(), "x.npy")
	require.NoError(t, WriteFile(p, shape, data))
	shp, got2, err := ReadFileAs[T](p)
	require.NoError(t, err)
	assert.Len(t, shp, len(shape))
	assert.True(t, bitsEqual(got2, data), "file round trip: %v, want %v", got2, data)
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
	require.NoError(t, Write(&b, shape, []float64{42}))
	raw := b.Bytes()
	require.Equal(t, []byte{2, 0}, raw[6:8], "version 2.0")
	hl := int(binary.LittleEndian.Uint32(raw[8:]))
	assert.Greater(t, hl, math.MaxUint16)
	assert.Zero(t, (12+hl)%64, "header aligned to 64")
	assert.Equal(t, byte('\n'), raw[11+hl])
	assert.Len(t, raw, 12+hl+8)
	a, err := Read(bytes.NewReader(raw))
	require.NoError(t, err)
	assert.Len(t, a.Shape, 22000)
	assert.Equal(t, []float64{42}, a.Data)
	// Format 3.0 is 2.0 with a UTF-8 header: the same bytes read the same.
	raw3 := append([]byte(nil), raw...)
	raw3[6] = 3
	a3, err := Read(bytes.NewReader(raw3))
	require.NoError(t, err, "version 3.0")
	assert.Equal(t, a, a3)
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
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6}, a.Data, "fortran 2x3")
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
	require.NoError(t, err)
	got := a.Data.([]float64)
	for i := 0; i < shape[0]; i++ {
		for j := 0; j < shape[1]; j++ {
			for k := 0; k < shape[2]; k++ {
				assert.Equal(t, float64(100*i+10*j+k), got[(i*3+j)*4+k], "[%d,%d,%d]", i, j, k)
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
	assert.Equal(t, []float32{1.5, -2}, a.Data, "big-endian f4")
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
			assert.ErrorContains(t, err, c.want)
		})
	}
	_, err := Read(bytes.NewReader(good))
	assert.NoError(t, err, "control case")
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
			require.NoError(t, os.WriteFile(p, c.data, 0o644))
			_, err := ReadFile(p)
			assert.ErrorContains(t, err, c.want)
			assert.ErrorContains(t, err, p, "names the file")
		})
	}
	_, _, err := ReadFileAs[float32](filepath.Join(dir, "missing.npy"))
	assert.Error(t, err, "missing file")
	p := filepath.Join(dir, "ok.npy")
	require.NoError(t, os.WriteFile(p, good, 0o644))
	_, _, err = ReadFileAs[float32](p)
	assert.ErrorContains(t, err, "dtype <f8, not the requested <f4")
}

func TestWriteErrors(t *testing.T) {
	var b bytes.Buffer
	assert.ErrorContains(t, Write(&b, []int{2, 2}, []float64{1, 2, 3}), "holds 4 elements but data has 3")
	assert.ErrorContains(t, Write(&b, []int{-1}, []float64{}), "negative")
	assert.Zero(t, b.Len(), "bytes written on error")
	dir := t.TempDir()
	p := filepath.Join(dir, "keep.npy")
	require.NoError(t, WriteFile(p, []int{1}, []float64{7}))
	assert.Error(t, WriteFile(p, []int{3}, []float64{1}), "bad write")
	_, got, err := ReadFileAs[float64](p)
	require.NoError(t, err)
	assert.Equal(t, []float64{7}, got, "previous file kept")
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, ents, 1, "no litter")
}
