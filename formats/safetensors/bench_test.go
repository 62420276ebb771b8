package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchFile writes a 64 MiB F32 checkpoint (plus a small F16 tensor) once.
func benchFile(b *testing.B) (string, []byte) {
	b.Helper()
	v := make([]float32, 16<<20)
	for i := range v {
		v[i] = float32(i)
	}
	h := make([]byte, 2<<20)
	tensors := []Tensor{FromFloat32("w", []int{4096, 4096}, v), {Name: "h", DType: F16, Shape: []int{1 << 20}, Data: h}}
	p := filepath.Join(b.TempDir(), "bench.safetensors")
	require.NoError(b, WriteFile(p, tensors, map[string]string{"format": "pt"}))
	raw, err := os.ReadFile(p)
	require.NoError(b, err)
	return p, raw
}

// BenchmarkLoad compares the ways to get a 64 MiB tensor as []float32:
// mmap (Open), whole-file read (os.ReadFile + Parse) and streaming (Read).
func BenchmarkLoad(b *testing.B) {
	p, raw := benchFile(b)
	b.Run("Open+Float32", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			f, err := Open(p)
			require.NoError(b, err)
			if _, err := f.Float32("w"); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	b.Run("ReadFile+Parse+Float32", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			data, err := os.ReadFile(p)
			require.NoError(b, err)
			f, err := Parse(data)
			require.NoError(b, err)
			if _, err := f.Float32("w"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Read+Float32", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			fd, err := os.Open(p)
			require.NoError(b, err)
			f, err := Read(fd)
			fd.Close()
			require.NoError(b, err)
			if _, err := f.Float32("w"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Open header only", func(b *testing.B) {
		for b.Loop() {
			f, err := Open(p)
			require.NoError(b, err)
			f.Close()
		}
	})
}

// BenchmarkWrite measures Marshal into memory and the atomic WriteFile.
func BenchmarkWrite(b *testing.B) {
	_, raw := benchFile(b)
	f, err := Parse(raw)
	require.NoError(b, err)
	var tensors []Tensor
	for _, info := range f.Tensors() {
		d, _ := f.Bytes(info.Name)
		tensors = append(tensors, Tensor{Name: info.Name, DType: info.DType, Shape: info.Shape, Data: d})
	}
	b.Run("Write to memory", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			require.NoError(b, Write(&buf, tensors, nil))
		}
	})
	b.Run("WriteFile atomic", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		p := filepath.Join(b.TempDir(), "w.safetensors")
		for b.Loop() {
			require.NoError(b, WriteFile(p, tensors, nil))
		}
	})
}

// BenchmarkConvert measures the per-element conversions.
func BenchmarkConvert(b *testing.B) {
	_, raw := benchFile(b)
	f, _ := Parse(raw)
	b.Run("F16->float32", func(b *testing.B) {
		b.SetBytes(2 << 20)
		for b.Loop() {
			f.Float32("h")
		}
	})
	b.Run("F32->float64", func(b *testing.B) {
		b.SetBytes(64 << 20)
		for b.Loop() {
			f.Float64("w")
		}
	})
}
