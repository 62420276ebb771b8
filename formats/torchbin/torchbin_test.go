package torchbin

import (
	"archive/zip"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// want is testdata/want.json: what torch says each tensor of the fixtures holds.
type want struct {
	DType string    `json:"dtype"`
	Shape []int     `json:"shape"`
	Hex   string    `json:"hex"`
	Float []float64 `json:"float"`
}

func readWant(t *testing.T, path string) map[string]want {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var w map[string]want
	require.NoError(t, json.Unmarshal(raw, &w))
	return w
}

// checkAgainst compares every tensor of the archive at path with what torch wrote down.
func checkAgainst(t *testing.T, path string, w map[string]want) {
	t.Helper()
	f, err := Open(path)
	require.NoError(t, err)
	names := make([]string, 0, len(w))
	for k := range w {
		names = append(names, k)
	}
	sort.Strings(names)
	assert.Equal(t, names, f.Names())
	assert.Equal(t, len(w), f.Len())
	for _, name := range names {
		tw := w[name]
		info, ok := f.Info(name)
		require.True(t, ok, name)
		assert.Equal(t, tw.DType, info.DType.String(), name)
		assert.Equal(t, tw.Shape, append([]int{}, info.Shape...), name)
		b, err := f.Bytes(name)
		require.NoError(t, err, name)
		assert.Equal(t, tw.Hex, hex.EncodeToString(b), name)
		assert.Len(t, b, info.NumElements()*info.DType.Size(), name)
		v, err := f.Float64(name)
		if tw.Float == nil {
			assert.ErrorContains(t, err, "convert to float64", name)
			continue
		}
		require.NoError(t, err, name)
		assert.Equal(t, tw.Float, append([]float64{}, v...), name)
	}
}

// TestFixtures reads the archives torch.save wrote (testdata/make.py) with pickle protocols 2,
// 4 and 5: every storage type, transposed and offset views of a shared storage, a stride-0
// expansion, a scalar, an empty tensor and a Parameter give torch's elements exactly.
func TestFixtures(t *testing.T) {
	w := readWant(t, "testdata/want.json")
	for _, p := range []string{"p2", "p4", "p5"} {
		t.Run(p, func(t *testing.T) { checkAgainst(t, filepath.Join("testdata", p+".bin"), w) })
	}
}

// archive returns the entries of a zip file.
func archive(t testing.TB, path string) map[string][]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return archiveOf(t, raw)
}

// archiveOf returns the entries of a zip archive.
func archiveOf(t testing.TB, raw []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	m := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
		m[f.Name] = b
	}
	return m
}

// zipBytes writes entries as a zip archive (stored, in name order).
func zipBytes(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := z.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		require.NoError(t, err)
		_, err = w.Write(files[n])
		require.NoError(t, err)
	}
	require.NoError(t, z.Close())
	return b.Bytes()
}

// pkl builds a protocol-2 state-dict pickle around body, the items between MARK and SETITEMS.
func pkl(body string) string {
	return "\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01(" + body + "u."
}

// tensorPkl is the pickle of one tensor entry: name → _rebuild_tensor_v2 of storage key "0".
func tensorPkl(name, storage string, numel, offset int, shape, stride string) string {
	return "X" + string([]byte{byte(len(name)), 0, 0, 0}) + name +
		"ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\n" + storage + "\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK" +
		string([]byte{byte(numel)}) + "tQK" + string([]byte{byte(offset)}) + shape + stride + "\x89)tR"
}

// TestErrors checks that broken archives give clear errors, not panics or wrong values.
func TestErrors(t *testing.T) {
	files := archive(t, "testdata/p2.bin")
	ok := tensorPkl("w", "FloatStorage", 4, 0, "K\x02K\x02\x86", "K\x02K\x01\x86")
	for _, tc := range []struct {
		name string
		edit func(map[string][]byte)
		want string
	}{
		{"missing storage", func(m map[string][]byte) { delete(m, "p2/data/0") }, "archive entry p2/data/0 is missing"},
		{"short storage", func(m map[string][]byte) { m["p2/data/0"] = m["p2/data/0"][:3] }, "file truncated?"},
		{"big-endian", func(m map[string][]byte) { m["p2/byteorder"] = []byte("big") }, "only little-endian"},
		{"no pickle", func(m map[string][]byte) { delete(m, "p2/data.pkl") }, "no <archive>/data.pkl"},
		{"foreign global", func(m map[string][]byte) {
			m["p2/data.pkl"] = []byte("\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.")
		}, "global os.system is not allowed"},
		{"foreign stack global", func(m map[string][]byte) {
			m["p2/data.pkl"] = []byte("\x80\x04\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c\x02ls\x85R.")
		}, "global os.system is not allowed"},
		{"gopickle's own globals are refused", func(m map[string][]byte) {
			m["p2/data.pkl"] = []byte("\x80\x04\x8c\x05array\x8c\x14_array_reconstructor\x93.")
		}, "global array._array_reconstructor is not allowed"},
		{"computed stack global", func(m map[string][]byte) {
			m["p2/data.pkl"] = []byte("\x80\x04\x8c\x05torch\x8c\x01x\x85\x93.")
		}, "STACK_GLOBAL whose names are not the two strings"},
		{"huge string", func(m map[string][]byte) {
			m["p2/data.pkl"] = []byte("\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7fab.")
		}, "string of 9223372036854775807 bytes"},
		{"huge frame", func(m map[string][]byte) { m["p2/data.pkl"] = []byte("\x80\x04\x95\x00\x00\x00\x00\x01\x00\x00\x00N.") }, "frame of 4294967296 bytes"},
		{"empty LONG1", func(m map[string][]byte) { m["p2/data.pkl"] = []byte("\x80\x02\x8a\x00.") }, "integer of 0 bytes"},
		{"unsupported opcode", func(m map[string][]byte) { m["p2/data.pkl"] = []byte("\x80\x02(i__main__\nX\n.") }, "unsupported pickle opcode"},
		{"no STOP", func(m map[string][]byte) { m["p2/data.pkl"] = []byte("\x80\x02N") }, "pickle ends without STOP"},
		{"odd SETITEMS", func(m map[string][]byte) { m["p2/data.pkl"] = []byte(pkl("N")) }, "malformed pickle"},
		{"bytes key", func(m map[string][]byte) { m["p2/data.pkl"] = []byte(pkl("C\x01kN")) }, "malformed pickle"},
		{"not a dict", func(m map[string][]byte) { m["p2/data.pkl"] = []byte("\x80\x02N.") }, "holds a None, not a state dict"},
		{"value not a tensor", func(m map[string][]byte) { m["p2/data.pkl"] = []byte(pkl("X\x01\x00\x00\x00kK\x01")) }, `entry "k" is a int, not a tensor`},
		{"key not a string", func(m map[string][]byte) { m["p2/data.pkl"] = []byte(pkl("K\x01K\x01")) }, "key is a int, not a string"},
		{"view past the storage", func(m map[string][]byte) {
			m["p2/data.pkl"] = []byte(pkl(tensorPkl("w", "FloatStorage", 4, 1, "K\x02K\x02\x86", "K\x02K\x01\x86")))
		}, "reaches past the storage of 4 elements"},
		{"offset and strides whose sum overflows int64", func(m map[string][]byte) {
			big := "J\xff\xff\xff\x7f" // 2^31 − 1
			p := tensorPkl("w", "FloatStorage", 4, 0, big+big+"\x86", big+big+"\x86")
			p = strings.Replace(p, "tQK\x00", "tQ\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x40", 1) // offset 2^62
			m["p2/data.pkl"] = []byte(pkl(p))
		}, "reaches past the storage"},
		{"rank mismatch", func(m map[string][]byte) {
			m["p2/data.pkl"] = []byte(pkl(tensorPkl("w", "FloatStorage", 4, 0, "K\x02K\x02\x86", "K\x01\x85")))
		}, "differ in rank"},
		{"unknown storage", func(m map[string][]byte) {
			m["p2/data.pkl"] = []byte(pkl(tensorPkl("w", "ComplexFloatStorage", 4, 0, "K\x04\x85", "K\x01\x85")))
		}, "global torch.ComplexFloatStorage is not allowed"},
		{"control: a valid hand-written pickle", func(m map[string][]byte) { m["p2/data.pkl"] = []byte(pkl(ok)) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string][]byte{}
			for k, v := range files {
				m[k] = v
			}
			tc.edit(m)
			raw := zipBytes(t, m)
			f, err := Read(bytes.NewReader(raw), int64(len(raw)))
			if tc.want == "" {
				require.NoError(t, err)
				v, err := f.Float64("w")
				require.NoError(t, err)
				assert.Len(t, v, 4)
				return
			}
			assert.Nil(t, f)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestTruncatedPickles cuts the pickle of each fixture at every byte: each prefix is an
// error, never a panic.
func TestTruncatedPickles(t *testing.T) {
	for _, p := range []string{"p2", "p4"} {
		files := archive(t, filepath.Join("testdata", p+".bin"))
		full := files[p+"/data.pkl"]
		for n := range len(full) - 1 {
			storages := map[string]*storage{}
			_, err := unpickle(full[:n], storages)
			assert.Error(t, err, "%s cut at %d", p, n)
		}
		_, err := unpickle(full, map[string]*storage{})
		assert.NoError(t, err, p)
	}
}

func TestNotZip(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(filepath.Join(dir, "none.bin"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	legacy := filepath.Join(dir, "legacy.bin")
	require.NoError(t, os.WriteFile(legacy, []byte("\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02M\xe9\x03."), 0o644))
	_, err = Open(legacy)
	assert.ErrorContains(t, err, "legacy.bin: not a torch.save zip archive")
	raw := []byte("\x80\x02}q\x00.")
	_, err = Read(bytes.NewReader(raw), int64(len(raw)))
	assert.ErrorContains(t, err, "only the zip format of PyTorch ≥ 1.6 is read")
}

func TestFloat64Errors(t *testing.T) {
	f, err := Open("testdata/p2.bin")
	require.NoError(t, err)
	_, err = f.Float64("nope")
	assert.ErrorContains(t, err, `no tensor "nope"`)
	_, err = f.Bytes("nope")
	assert.ErrorContains(t, err, `no tensor "nope"`)
	_, ok := f.Info("nope")
	assert.False(t, ok)
	_, err = f.Float64("i64")
	assert.True(t, strings.Contains(err.Error(), "dtype I64"), err)
}
