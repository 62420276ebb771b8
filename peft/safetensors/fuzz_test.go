package safetensors

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the reader. It must never panic; a file
// it accepts must give consistent views, agree with the streaming reader and
// survive a write/read round trip unchanged.
func FuzzRead(f *testing.F) {
	good, _ := Marshal([]Tensor{
		FromFloat32("a", []int{2, 2}, []float32{1, 2, 3, 4}),
		{Name: "h", DType: F16, Shape: []int{1}, Data: []byte{0, 0x3c}},
		{Name: "b", DType: BF16, Shape: []int{}, Data: []byte{0x80, 0x3f}},
	}, map[string]string{"format": "pt"})
	f.Add(good)
	f.Add(hdrFile(`{}`, nil))
	f.Add(hdrFile(`{"__metadata__":{"k":"v"},"w":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}}`, []byte{1, 2, 3}))
	f.Add(hdrFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)))
	f.Add(hdrFile(`{"a":{"dtype":"F64","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"I8","shape":[1,1],"data_offsets":[0,1]}}`, []byte{5}))
	f.Add([]byte{255, 255, 255, 255, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		sfile, serr := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		if serr != nil {
			t.Fatalf("Parse accepted but Read rejected: %v", serr)
		}
		var tensors []Tensor
		for _, info := range file.Tensors() {
			b, err := file.Bytes(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(b)) != info.End-info.Begin || len(b) != info.NumElements()*info.DType.Size() {
				t.Fatalf("tensor %q: %d bytes for %+v", info.Name, len(b), info)
			}
			sb, err := sfile.Bytes(info.Name)
			if err != nil || !bytes.Equal(sb, b) {
				t.Fatalf("tensor %q: stream reader differs", info.Name)
			}
			switch info.DType {
			case F16, BF16, F32, F64:
				v, err := file.Float64(info.Name)
				if err != nil || len(v) != info.NumElements() {
					t.Fatalf("Float64(%q): %v", info.Name, err)
				}
				if _, err := file.Float32(info.Name); err != nil {
					t.Fatal(err)
				}
			}
			tensors = append(tensors, Tensor{Name: info.Name, DType: info.DType, Shape: info.Shape, Data: b})
		}
		out, err := Marshal(tensors, file.Metadata())
		if err != nil {
			t.Fatalf("re-marshal: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if !reflect.DeepEqual(again.Metadata(), file.Metadata()) || !reflect.DeepEqual(again.Names(), file.Names()) {
			t.Fatal("round trip changed names or metadata")
		}
		for _, in := range tensors {
			got, _ := again.Info(in.Name)
			b, _ := again.Bytes(in.Name)
			if got.DType != in.DType || len(got.Shape) != len(in.Shape) || !bytes.Equal(b, in.Data) {
				t.Fatalf("round trip changed tensor %q", in.Name)
			}
		}
	})
}
