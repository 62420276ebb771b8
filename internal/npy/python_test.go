package npy

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
	if err := WriteFile(filepath.Join(dir, "f64.npy"), []int{2, 4}, f64); err != nil {
		t.Fatal(err)
	}
	check("f64.npy", "<f8", []int{2, 4}, pyList(f64))
	f32 := []float32{0.1, 2, -3.5, 1e-40, 65504, 1e30}
	if err := WriteFile(filepath.Join(dir, "f32.npy"), []int{1, 2, 3}, f32); err != nil {
		t.Fatal(err)
	}
	check("f32.npy", "<f4", []int{1, 2, 3}, pyList(f32))
	c := []complex128{complex(1, -1), complex(0.5, 2e-10), complex(-3, 0)}
	if err := WriteFile(filepath.Join(dir, "c.npy"), []int{3}, c); err != nil {
		t.Fatal(err)
	}
	check("c.npy", "<c16", []int{3}, pyList(c))
	i64 := []int64{-9223372036854775808, 9223372036854775807, 0, 12345}
	if err := WriteFile(filepath.Join(dir, "i.npy"), []int{2, 1, 2}, i64); err != nil {
		t.Fatal(err)
	}
	check("i.npy", "<i8", []int{2, 1, 2}, pyList(i64))
	if err := WriteFile(filepath.Join(dir, "s.npy"), nil, []float64{42}); err != nil {
		t.Fatal(err)
	}
	check("s.npy", "<f8", nil, "[42.0]")
	if err := WriteFile(filepath.Join(dir, "e.npy"), []int{0, 3}, []float32{}); err != nil {
		t.Fatal(err)
	}
	check("e.npy", "<f4", []int{0, 3}, "[]")
	if err := WriteFile(filepath.Join(dir, "long.npy"), []int{0, 123456789012}, []float64{}); err != nil {
		t.Fatal(err)
	}
	check("long.npy", "<f8", []int{0, 123456789012}, "[]")

	// Files numpy writes for Go to read.
	fmt.Fprintf(&script, "np.save(%q, np.asfortranarray(np.arange(24, dtype='<f8').reshape(2, 3, 4)))\n", filepath.Join(dir, "fort.npy"))
	fmt.Fprintf(&script, "np.save(%q, np.arange(6, dtype='>i8').reshape(2, 3) - 3)\n", filepath.Join(dir, "be.npy"))
	fmt.Fprintf(&script, "np.save(%q, np.asfortranarray((np.arange(6) + 1j * np.arange(6)).reshape(3, 2).astype('>c16')))\n", filepath.Join(dir, "bec.npy"))
	fmt.Fprintf(&script, "np.save(%q, np.float32(2.5))\n", filepath.Join(dir, "scalar.npy"))
	script.WriteString("print('ok')\n")

	out, err := exec.Command(py, "-c", script.String()).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("python: %v\n%s\nscript:\n%s", err, out, script.String())
	}

	shape, fort, err := ReadFileAs[float64](filepath.Join(dir, "fort.npy"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range fort {
		if fort[i] != float64(i) {
			t.Fatalf("fortran file: element %d = %v (shape %v)", i, fort[i], shape)
		}
	}
	_, be, err := ReadFileAs[int64](filepath.Join(dir, "be.npy"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range be {
		if be[i] != int64(i)-3 {
			t.Fatalf("big-endian file: element %d = %v", i, be[i])
		}
	}
	shape, bec, err := ReadFileAs[complex128](filepath.Join(dir, "bec.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if len(shape) != 2 || shape[0] != 3 || shape[1] != 2 {
		t.Fatalf("shape %v", shape)
	}
	for i := range bec {
		if bec[i] != complex(float64(i), float64(i)) {
			t.Fatalf("big-endian fortran complex: element %d = %v", i, bec[i])
		}
	}
	shape, sc, err := ReadFileAs[float32](filepath.Join(dir, "scalar.npy"))
	if err != nil || len(shape) != 0 || len(sc) != 1 || sc[0] != 2.5 {
		t.Fatalf("scalar: %v %v %v", shape, sc, err)
	}
}
