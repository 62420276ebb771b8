package npy

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	npyio "codeberg.org/sbinet/npyio/npy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/testenv"
)

func pyList[T Elem](data []T) string {
	parts := make([]string, len(data))
	for i, v := range data {
		switch x := any(v).(type) {
		case float64:
			parts[i] = "float('" + strconv.FormatFloat(x, 'g', -1, 64) + "')"
		case float32:
			parts[i] = "float('" + strconv.FormatFloat(float64(x), 'g', -1, 32) + "')"
		case complex128:
			parts[i] = "complex(float('" + strconv.FormatFloat(real(x), 'g', -1, 64) + "'), float('" + strconv.FormatFloat(imag(x), 'g', -1, 64) + "'))"
		case int64:
			parts[i] = strconv.FormatInt(x, 10)
		case int32:
			parts[i] = strconv.FormatInt(int64(x), 10)
		case uint8:
			parts[i] = strconv.FormatUint(uint64(x), 10)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func pyShape(shape []int) string { return pyTuple(shape) }

// TestNumpyCrossCheck compares the writer byte for byte with numpy.save and
// reads files numpy wrote in Fortran order and big-endian. Skipped without
// a Python that has numpy.
func TestNumpyCrossCheck(t *testing.T) {
	py := testenv.Python(t, "numpy")
	dir := t.TempDir()
	var script strings.Builder
	script.WriteString("import io, numpy as np\n")
	check := func(name, dtype string, shape []int, values string) {
		fmt.Fprintf(&script, "a = np.array(%s, dtype=%q).reshape(%s)\n", values, dtype, pyShape(shape))
		fmt.Fprintf(&script, "g = open(%q, 'rb').read()\nbuf = io.BytesIO(); np.save(buf, a)\n", filepath.Join(dir, name))
		fmt.Fprintf(&script, "assert buf.getvalue() == g, (%q, buf.getvalue()[:160], g[:160])\n", name)
		fmt.Fprintf(&script, "b = np.load(%q)\nassert b.dtype == a.dtype and b.shape == a.shape and np.array_equal(a, b, equal_nan=True), %q\n", filepath.Join(dir, name), name)
	}
	f64 := []float64{1, -2.5, 1e-300, 3.141592653589793, 0, -0.0, 1e300, 7}
	require.NoError(t, WriteFile(filepath.Join(dir, "f64.npy"), []int{2, 4}, f64))
	check("f64.npy", "<f8", []int{2, 4}, pyList(f64))
	f32 := []float32{0.1, 2, -3.5, 1e-40, 65504, 1e30}
	require.NoError(t, WriteFile(filepath.Join(dir, "f32.npy"), []int{1, 2, 3}, f32))
	check("f32.npy", "<f4", []int{1, 2, 3}, pyList(f32))
	c := []complex128{complex(1, -1), complex(0.5, 2e-10), complex(-3, 0)}
	require.NoError(t, WriteFile(filepath.Join(dir, "c.npy"), []int{3}, c))
	check("c.npy", "<c16", []int{3}, pyList(c))
	i64 := []int64{-9223372036854775808, 9223372036854775807, 0, 12345}
	require.NoError(t, WriteFile(filepath.Join(dir, "i.npy"), []int{2, 1, 2}, i64))
	check("i.npy", "<i8", []int{2, 1, 2}, pyList(i64))
	i32 := []int32{-2147483648, 2147483647, 0, -7, 5, 6}
	require.NoError(t, WriteFile(filepath.Join(dir, "i32.npy"), []int{3, 2}, i32))
	check("i32.npy", "<i4", []int{3, 2}, pyList(i32))
	u8 := []uint8{0, 255, 1, 128}
	require.NoError(t, WriteFile(filepath.Join(dir, "u8.npy"), []int{2, 2}, u8))
	check("u8.npy", "|u1", []int{2, 2}, pyList(u8))
	require.NoError(t, WriteFile(filepath.Join(dir, "s.npy"), nil, []float64{42}))
	check("s.npy", "<f8", nil, "[42.0]")
	require.NoError(t, WriteFile(filepath.Join(dir, "e.npy"), []int{0, 3}, []float32{}))
	check("e.npy", "<f4", []int{0, 3}, "[]")
	require.NoError(t, WriteFile(filepath.Join(dir, "long.npy"), []int{0, 123456789012}, []float64{}))
	check("long.npy", "<f8", []int{0, 123456789012}, "[]")

	// Files numpy writes for Go to read.
	fmt.Fprintf(&script, "np.save(%q, np.asfortranarray(np.arange(24, dtype='<f8').reshape(2, 3, 4)))\n", filepath.Join(dir, "fort.npy"))
	fmt.Fprintf(&script, "np.save(%q, np.arange(6, dtype='>i8').reshape(2, 3) - 3)\n", filepath.Join(dir, "be.npy"))
	fmt.Fprintf(&script, "np.save(%q, np.asfortranarray((np.arange(6) + 1j * np.arange(6)).reshape(3, 2).astype('>c16')))\n", filepath.Join(dir, "bec.npy"))
	fmt.Fprintf(&script, "np.save(%q, np.float32(2.5))\n", filepath.Join(dir, "scalar.npy"))
	fmt.Fprintf(&script, "np.save(%q, np.asfortranarray(np.arange(6, dtype='>i4').reshape(2, 3) - 3))\n", filepath.Join(dir, "bei32.npy"))
	fmt.Fprintf(&script, "np.save(%q, np.asfortranarray(np.arange(250, 256, dtype='u1').reshape(3, 2)))\n", filepath.Join(dir, "fortu8.npy"))
	script.WriteString("print('ok')\n")

	out, err := exec.Command(py, "-c", script.String()).CombinedOutput()
	require.NoError(t, err, "python: %s\nscript:\n%s", out, script.String())
	require.Equal(t, "ok", strings.TrimSpace(string(out)), "script:\n%s", script.String())

	shape, fort, err := ReadFileAs[float64](filepath.Join(dir, "fort.npy"))
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3, 4}, shape)
	for i := range fort {
		assert.Equal(t, float64(i), fort[i], "fortran file: element %d", i)
	}
	_, be, err := ReadFileAs[int64](filepath.Join(dir, "be.npy"))
	require.NoError(t, err)
	assert.Equal(t, []int64{-3, -2, -1, 0, 1, 2}, be, "big-endian file")
	shape, bec, err := ReadFileAs[complex128](filepath.Join(dir, "bec.npy"))
	require.NoError(t, err)
	assert.Equal(t, []int{3, 2}, shape)
	for i := range bec {
		assert.Equal(t, complex(float64(i), float64(i)), bec[i], "big-endian fortran complex: element %d", i)
	}
	shape, sc, err := ReadFileAs[float32](filepath.Join(dir, "scalar.npy"))
	require.NoError(t, err)
	assert.Empty(t, shape, "0-d")
	assert.Equal(t, []float32{2.5}, sc)
	shape, bei32, err := ReadFileAs[int32](filepath.Join(dir, "bei32.npy"))
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3}, shape)
	assert.Equal(t, []int32{-3, -2, -1, 0, 1, 2}, bei32, "big-endian fortran int32")
	shape, u8f, err := ReadFileAs[uint8](filepath.Join(dir, "fortu8.npy"))
	require.NoError(t, err)
	assert.Equal(t, []int{3, 2}, shape)
	assert.Equal(t, []uint8{250, 251, 252, 253, 254, 255}, u8f, "fortran uint8")
}

// TestNpyioWriterStillWrong keeps the reason Write does not use npyio's writer true: numpy
// reads what npyio.Write writes for arrays with a zero dimension with the wrong shape or not
// at all, while this package's Write gives numpy's own shapes. npyio takes the shape from the
// Go type (a slice is 1-D, a mat.Dense 2-D, which gonum refuses to make with a zero
// dimension, fixed-size arrays for more), so a runtime shape of rank 3 or more cannot be given
// to it at all. When this test fails, npyio has been fixed: switch Write to it.
func TestNpyioWriterStillWrong(t *testing.T) {
	py := testenv.Python(t, "numpy")
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		v     any   // what npyio.Write is given
		shape []int // the shape numpy.save would record
	}{
		{"empty slice", []float64{}, []int{0}},
		{"0x3 array", [0][3]float64{}, []int{0, 3}},
		{"2x0 array", [2][0]float64{}, []int{2, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lib := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+"-npyio.npy")
			own := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+"-own.npy")
			var b bytes.Buffer
			require.NoError(t, npyio.Write(&b, tc.v))
			require.NoError(t, os.WriteFile(lib, b.Bytes(), 0o644))
			require.NoError(t, WriteFile(own, tc.shape, []float64{}))
			script := "import sys, numpy as np\nfor p in sys.argv[1:]:\n    try:\n        a = np.load(p)\n        print(a.dtype.str, list(a.shape))\n    except Exception as e:\n        print('error', type(e).__name__)\n"
			out, err := exec.Command(py, "-c", script, lib, own).CombinedOutput()
			require.NoError(t, err, "%s", out)
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			require.Len(t, lines, 2, "%s", out)
			want := fmt.Sprintf("<f8 %v", strings.ReplaceAll(fmt.Sprint(tc.shape), " ", ", "))
			assert.Equal(t, want, lines[1], "this package's writer")
			t.Logf("numpy reads npyio's file as: %s", lines[0])
			assert.NotEqual(t, want, lines[0], "npyio's writer now gives numpy's shape: switch Write to npyio")
		})
	}
}
