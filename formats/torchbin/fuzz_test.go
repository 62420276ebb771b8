package torchbin

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/internal/fuzzcheck"
)

// FuzzRead feeds arbitrary pickles (inside the p2 fixture's archive, whose storages stay) and
// arbitrary archives to the reader. It must never panic or hang and never allocate by a size
// the input declares; an archive it accepts must give every tensor's elements, each of its
// dtype's size, and the float tensors as float64.
func FuzzRead(f *testing.F) {
	files := map[string][]byte{}
	for _, p := range []string{"p2", "p4"} {
		raw, err := os.ReadFile("testdata/" + p + ".bin")
		require.NoError(f, err)
		f.Add([]byte{}, raw)
	}
	for k, v := range archive(f, "testdata/p2.bin") {
		files[k] = v
	}
	for _, p := range []string{"p2", "p4"} {
		f.Add(archive(f, "testdata/"+p+".bin")[p+"/data.pkl"], []byte(nil))
	}
	f.Add([]byte(pkl(tensorPkl("w", "FloatStorage", 4, 0, "K\x02K\x02\x86", "K\x00K\x01\x86"))), []byte(nil))
	f.Add([]byte(pkl(tensorPkl("w", "HalfStorage", 6, 2, "K\x02\x85", "K\x03\x85"))), []byte(nil))
	f.Add([]byte("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x05torch\x94\x8c\x0bLongStorage\x94\x93."), []byte(nil))
	f.Fuzz(func(t *testing.T, pickle, archive []byte) {
		defer fuzzcheck.Watch(t, "FuzzRead")()
		if len(pickle) > 0 || len(archive) == 0 {
			m := map[string][]byte{}
			for k, v := range files {
				m[k] = v
			}
			m["p2/data.pkl"] = pickle
			archive = zipBytes(t, m)
		}
		var tf *File
		var err error
		alloc := fuzzcheck.Allocated(func() { tf, err = Read(bytes.NewReader(archive), int64(len(archive))) })
		// The machine allocates at most pickleAmplification bytes per input byte; storages are
		// read as the archive holds them.
		assert.LessOrEqual(t, alloc, uint64(pickleAmplification*len(archive)+1<<20), "read allocated %d bytes for %d", alloc, len(archive))
		if err != nil {
			assert.Nil(t, tf)
			return
		}
		for _, name := range tf.Names() {
			info, ok := tf.Info(name)
			require.True(t, ok)
			if info.NumElements()*info.DType.Size() > 1<<24 {
				continue // a stride-0 view may address many elements of a small storage
			}
			b, err := tf.Bytes(name)
			require.NoError(t, err)
			assert.Len(t, b, info.NumElements()*info.DType.Size())
			v, err := tf.Float64(name)
			if err == nil {
				assert.Len(t, v, info.NumElements())
			}
		}
	})
}
