package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qpeft/qpeft/internal/testenv"
	"github.com/stretchr/testify/require"
)

var numpyDType = map[DType]string{
	F64: "<f8", F32: "<f4", F16: "<f2", I64: "<i8", I32: "<i4", I16: "<i2", I8: "i1",
	U8: "u1", U16: "<u2", U32: "<u4", U64: "<u8", BOOL: "?",
}

func pyShape(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ",)"
}

// TestReferenceCrossCheck compares this package with the reference
// implementation (the safetensors Python package, numpy API): byte-identical
// output, and each side reading the other's files. Skipped without it.
func TestReferenceCrossCheck(t *testing.T) {
	py := testenv.Python(t, "numpy", "safetensors.numpy")
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(7, 7))
	var tensors []Tensor
	for i, dt := range []DType{F64, F32, F16, I64, I32, I16, I8, U8, U16, U32, U64, BOOL, F32, F64, U8} {
		shape := []int{1 + r.IntN(3), r.IntN(4)}
		if i%4 == 0 {
			shape = []int{2 + r.IntN(3)}
		}
		n := shape[0]
		if len(shape) > 1 {
			n *= shape[1]
		}
		data := make([]byte, n*dt.Size())
		for j := range data {
			data[j] = byte(r.Uint32())
			if dt == BOOL {
				data[j] &= 1
			}
		}
		tensors = append(tensors, Tensor{Name: fmt.Sprintf("layer.%d.w%c", i%5, 'a'+i), DType: dt, Shape: shape, Data: data})
	}
	goPath := filepath.Join(dir, "go.safetensors")
	require.NoError(t, WriteFile(goPath, tensors, map[string]string{"format": "pt"}))
	pyPath := filepath.Join(dir, "py.safetensors")

	var s strings.Builder
	s.WriteString("import numpy as np\nfrom safetensors.numpy import save, save_file, load_file\nfrom safetensors import safe_open\n")
	s.WriteString("t = {}\n")
	for _, tt := range tensors {
		fmt.Fprintf(&s, "t[%q] = np.frombuffer(bytes.fromhex(%q), dtype=%q).reshape(%s)\n", tt.Name, hex.EncodeToString(tt.Data), numpyDType[tt.DType], pyShape(tt.Shape))
	}
	fmt.Fprintf(&s, "g = open(%q, 'rb').read()\n", goPath)
	s.WriteString("ref = save(t, metadata={'format': 'pt'})\n")
	s.WriteString("assert ref == g, ('bytes differ', ref[:200], g[:200])\n")
	fmt.Fprintf(&s, "back = load_file(%q)\n", goPath)
	s.WriteString("assert set(back) == set(t)\n")
	s.WriteString("for k in t:\n    assert back[k].dtype == t[k].dtype and back[k].shape == t[k].shape and back[k].tobytes() == t[k].tobytes(), k\n")
	fmt.Fprintf(&s, "with safe_open(%q, framework='np') as f:\n    assert f.metadata() == {'format': 'pt'}, f.metadata()\n", goPath)
	// A file written by the reference, with several metadata keys.
	fmt.Fprintf(&s, "save_file(t, %q, metadata={'a': '1', 'format': 'pt', 'z': 'é'})\n", pyPath)
	s.WriteString("print('ok')\n")
	out, err := exec.Command(py, "-c", s.String()).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("python: %v\n%s", err, out)
	}

	f, err := Open(pyPath)
	require.NoError(t, err)
	defer f.Close()
	checkFile(t, f, tensors, map[string]string{"a": "1", "format": "pt", "z": "é"})
	// Same tensors, same layout: the reference's file has the same data section.
	g, _ := os.ReadFile(goPath)
	p, _ := os.ReadFile(pyPath)
	tail := func(b []byte) []byte { return b[8+binary.LittleEndian.Uint64(b):] }
	if !bytes.Equal(tail(g), tail(p)) {
		t.Fatal("data sections differ")
	}
}
