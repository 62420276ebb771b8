package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/fuzzcheck"
)

// FuzzRead feeds arbitrary bytes to the reader (Parse, Read and Open). It must
// never panic or hang, and never allocate by what the header declares rather
// than by what the file holds: a header promising huge shapes, offsets or a
// huge header length is refused before anything of that size is allocated. A
// file it accepts must give consistent views, agree with the streaming reader
// (which stops after the described data, so it also accepts a file followed by
// more bytes) and the memory-mapped file, and survive a write/read round trip
// unchanged.
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
	// Headers that declare far more than the file holds.
	f.Add(hdrFile(`{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, nil))
	f.Add(hdrFile(`{"w":{"dtype":"F32","shape":[1073741824],"data_offsets":[0,4294967296]}}`, []byte{1, 2, 3, 4}))
	f.Add(hdrFile(`{"w":{"dtype":"U8","shape":[0,9223372036854775807,2],"data_offsets":[0,0]}}`, nil))
	f.Add(append(u64(MaxHeaderLen), '{', '}'))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzcheck.Watch(t, "FuzzRead")()
		var file, sfile *File
		var err, serr error
		// Neither reader allocates much beyond the bytes it is given.
		bound := uint64(2<<20 + 16*len(data))
		alloc := fuzzcheck.Allocated(func() { file, err = Parse(data) })
		require.LessOrEqual(t, alloc, bound, "Parse of %d bytes allocated %d bytes", len(data), alloc)
		stream := bytes.NewReader(data)
		alloc = fuzzcheck.Allocated(func() { sfile, serr = Read(stream) })
		require.LessOrEqual(t, alloc, bound, "Read of %d bytes allocated %d bytes", len(data), alloc)
		if serr == nil && err != nil {
			// Read stops after the data the header describes (a stream may go on); what it
			// consumed must be a valid file, and Parse may only object to what follows.
			used := len(data) - stream.Len()
			require.Contains(t, err.Error(), "unexpected bytes after the last tensor", "Read accepted what Parse refused")
			data = data[:used]
			file, err = Parse(data)
			require.NoError(t, err, "Parse refuses the %d bytes Read accepted", used)
		}
		path := filepath.Join(t.TempDir(), "f.safetensors")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		ofile, oerr := Open(path)
		if oerr == nil {
			defer ofile.Close()
		}
		require.True(t, (err == nil) == (serr == nil) && (err == nil) == (oerr == nil), "Parse, Read and Open disagree: %v; %v; %v", err, serr, oerr)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "safetensors: "), "error does not name the format: %v", err)
			return
		}
		var tensors []Tensor
		for _, info := range file.Tensors() {
			b, err := file.Bytes(info.Name)
			require.NoError(t, err)
			require.True(t, int64(len(b)) == info.End-info.Begin && len(b) == info.NumElements()*info.DType.Size(), "tensor %q: %d bytes for %+v", info.Name, len(b), info)
			sb, err := sfile.Bytes(info.Name)
			require.NoError(t, err)
			require.Equal(t, b, sb, "tensor %q: the stream reader differs", info.Name)
			ob, err := ofile.Bytes(info.Name)
			require.NoError(t, err)
			require.Equal(t, b, ob, "tensor %q: the mapped file differs", info.Name)
			switch info.DType {
			case F16, BF16, F32, F64:
				v, err := file.Float64(info.Name)
				require.NoError(t, err)
				require.Len(t, v, info.NumElements())
				_, err = file.Float32(info.Name)
				require.NoError(t, err)
			}
			tensors = append(tensors, Tensor{Name: info.Name, DType: info.DType, Shape: info.Shape, Data: b})
		}
		out, err := Marshal(tensors, file.Metadata())
		require.NoError(t, err, "re-marshal")
		again, err := Parse(out)
		require.NoError(t, err, "re-parse")
		require.Equal(t, file.Metadata(), again.Metadata(), "round trip changed the metadata")
		require.Equal(t, file.Names(), again.Names(), "round trip changed the names")
		for _, in := range tensors {
			got, _ := again.Info(in.Name)
			b, _ := again.Bytes(in.Name)
			require.Equal(t, in.DType, got.DType, "round trip changed tensor %q", in.Name)
			require.Equal(t, len(in.Shape), len(got.Shape), "round trip changed tensor %q", in.Name)
			require.True(t, bytes.Equal(b, in.Data), "round trip changed tensor %q", in.Name)
		}
	})
}
