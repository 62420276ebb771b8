// Package safetensors reads and writes the safetensors tensor file format.
//
// A file is an 8-byte little-endian unsigned header length N, then N bytes
// of UTF-8 JSON
//
//	{"__metadata__": {"format": "pt"},
//	 "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, …}
//
// and then the data section: every tensor's elements, little-endian and
// row-major, packed back to back. data_offsets are [begin, end) byte offsets
// into the data section.
//
// The reader accepts what the reference implementation accepts and checks
// the same rules: N at most 100,000,000 and within the file; the header is
// valid UTF-8 JSON whose top level is an object; "__metadata__", if present,
// maps strings to strings; every other key is a tensor with a known dtype, a
// shape of non-negative integers and two offsets; shape × dtype size equals
// the offset span; the tensors, sorted by offset, cover the data section
// exactly, with no gap, no overlap and nothing after the last one. Unknown
// fields inside a tensor entry are ignored, as the reference does; duplicate
// keys, which the reference silently collapses, are rejected. Every error
// names the tensor and the rule it breaks.
//
// The writer produces the reference layout: __metadata__ first (keys
// sorted), tensors ordered by decreasing dtype alignment and then by name,
// compact JSON padded with spaces to a multiple of 8 bytes, so that each
// tensor's data is aligned to its element size. Output is deterministic and
// byte-identical to the reference implementation's for the same tensors and
// at most one metadata key (the reference does not order several keys).
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sort"
	"unicode/utf8"
)

// MaxHeaderLen is the largest header length accepted, as in the reference
// implementation.
const MaxHeaderLen = 100_000_000

// TensorInfo describes one tensor of a file.
type TensorInfo struct {
	// Name is the tensor's key in the header.
	Name string
	// DType is the element type.
	DType DType
	// Shape is the tensor shape; an empty shape is a scalar of one element.
	Shape []int
	// Begin and End are the byte offsets of the tensor's data within the
	// data section (the bytes after the header).
	Begin, End int64
}

// NumElements returns the product of the shape.
func (t TensorInfo) NumElements() int { return NumElements(t.Shape) }

// NumElements returns the number of elements of a tensor of the given shape, the product of
// its dimensions (1 for a scalar's empty shape).
func NumElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// File is a parsed, validated safetensors file. The tensor data stays where
// it was read or mapped; Float32, Float64 and Bytes give access to it.
// Methods are safe for concurrent use until Close.
type File struct {
	tensors  []TensorInfo   // sorted by offset
	index    map[string]int // name -> position in tensors
	metadata map[string]string
	data     []byte // data section
	unmap    func() error
}

// Parse validates the complete file contents b and returns a File whose
// tensor data aliases b (nothing is copied).
func Parse(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("safetensors: file is %d bytes, shorter than the 8-byte header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeaderLen {
		return nil, fmt.Errorf("safetensors: header length %d exceeds the limit of %d bytes", n, MaxHeaderLen)
	}
	if n > uint64(len(b)-8) {
		return nil, fmt.Errorf("safetensors: header length %d runs past the end of the file (%d bytes after the length field)", n, len(b)-8)
	}
	f, dataLen, err := parseHeader(b[8 : 8+n])
	if err != nil {
		return nil, err
	}
	if have := int64(len(b)) - 8 - int64(n); have != dataLen {
		return nil, dataSizeError(f, dataLen, have)
	}
	f.data = b[8+n:]
	return f, nil
}

// dataSizeError explains a data section whose size differs from what the
// header describes.
func dataSizeError(f *File, want, have int64) error {
	if have > want {
		return fmt.Errorf("safetensors: %d unexpected bytes after the last tensor: the header describes %d bytes of data but the file holds %d", have-want, want, have)
	}
	// Name the first tensor that does not fit.
	for _, t := range f.tensors {
		if t.End > have {
			return fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] run past the end of the file (the data section holds %d bytes): file truncated?", t.Name, t.Begin, t.End, have)
		}
	}
	return fmt.Errorf("safetensors: data section holds %d bytes, header describes %d", have, want)
}

// Read reads and validates a safetensors file from r, copying it into
// memory. It reads exactly the header and the data the header describes,
// and allocates only as the data actually arrives.
func Read(r io.Reader) (*File, error) {
	var pre [8]byte
	if k, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, fmt.Errorf("safetensors: file is %d bytes, shorter than the 8-byte header length", k)
	}
	n := binary.LittleEndian.Uint64(pre[:])
	if n > MaxHeaderLen {
		return nil, fmt.Errorf("safetensors: header length %d exceeds the limit of %d bytes", n, MaxHeaderLen)
	}
	hdr, err := readFull(r, int64(n))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("safetensors: header length %d runs past the end of the file (%d bytes after the length field)", n, len(hdr))
		}
		return nil, fmt.Errorf("safetensors: read header: %w", err)
	}
	f, dataLen, err := parseHeader(hdr)
	if err != nil {
		return nil, err
	}
	data, err := readFull(r, dataLen)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, dataSizeError(f, dataLen, int64(len(data)))
		}
		return nil, fmt.Errorf("safetensors: read data: %w", err)
	}
	f.data = data
	return f, nil
}

// readFull reads exactly n bytes. Memory grows with the data that actually
// arrives (doubling from at most 1 MiB, so at most twice what arrived plus
// 1 MiB), so a header that promises more than the stream holds cannot force
// a large allocation. On a short stream it returns what it read and
// io.ErrUnexpectedEOF.
func readFull(r io.Reader, n int64) ([]byte, error) {
	buf := make([]byte, 0, min(n, 1<<20))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			nb := make([]byte, len(buf), min(n, 2*int64(cap(buf))))
			copy(nb, buf)
			buf = nb
		}
		k, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
	}
	return buf, nil
}

// Open opens and validates the safetensors file at path. On Linux and other
// Unix systems the file is memory-mapped read-only, so opening a large
// checkpoint costs no copy and only the tensors that are used are paged in;
// elsewhere it is read into memory. Close releases the mapping.
//
// The mapping reflects the file on disk: a file truncated by another
// process while mapped makes access fault. Files written by this package
// are replaced by rename, never modified in place, so this does not happen
// to them.
func Open(path string) (*File, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return f, nil
}

// Close releases the memory mapping, if any. After Close the byte slices
// returned by Bytes must not be used. Close is idempotent.
func (f *File) Close() error {
	if f.unmap == nil {
		return nil
	}
	u := f.unmap
	f.unmap = nil
	f.data = nil
	return u()
}

// Metadata returns a copy of the "__metadata__" map, or nil if the file has
// none.
func (f *File) Metadata() map[string]string {
	if f.metadata == nil {
		return nil
	}
	m := make(map[string]string, len(f.metadata))
	for k, v := range f.metadata {
		m[k] = v
	}
	return m
}

// Names returns the tensor names in lexicographic order.
func (f *File) Names() []string {
	names := make([]string, len(f.tensors))
	for i, t := range f.tensors {
		names[i] = t.Name
	}
	sort.Strings(names)
	return names
}

// Tensors returns the descriptions of all tensors in data-offset order.
func (f *File) Tensors() []TensorInfo {
	out := make([]TensorInfo, len(f.tensors))
	for i, t := range f.tensors {
		t.Shape = append([]int(nil), t.Shape...)
		out[i] = t
	}
	return out
}

// Len returns the number of tensors.
func (f *File) Len() int { return len(f.tensors) }

// Info returns the description of the named tensor.
func (f *File) Info(name string) (TensorInfo, bool) {
	i, ok := f.index[name]
	if !ok {
		return TensorInfo{}, false
	}
	t := f.tensors[i]
	t.Shape = append([]int(nil), t.Shape...)
	return t, true
}

func (f *File) lookup(name string) (*TensorInfo, error) {
	i, ok := f.index[name]
	if !ok {
		return nil, fmt.Errorf("safetensors: no tensor %q in the file (%d tensors)", name, len(f.tensors))
	}
	if f.data == nil && f.tensors[i].End > 0 {
		return nil, fmt.Errorf("safetensors: tensor %q: file is closed", name)
	}
	return &f.tensors[i], nil
}

// Bytes returns the raw little-endian bytes of the named tensor. The slice
// aliases the file's buffer or mapping: do not modify it, and do not use it
// after Close.
func (f *File) Bytes(name string) ([]byte, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, err
	}
	return f.data[t.Begin:t.End:t.End], nil
}

// Float32 returns a new slice with the named tensor's elements converted to
// float32. F16, BF16 and F32 convert exactly; F64 rounds to nearest. Other
// dtypes are an error.
func (f *File) Float32(name string) ([]float32, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, err
	}
	raw := f.data[t.Begin:t.End]
	out := make([]float32, t.NumElements())
	switch t.DType {
	case F16:
		for i := range out {
			out[i] = F16ToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = BF16ToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case F64:
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	default:
		return nil, fmt.Errorf("safetensors: tensor %q has dtype %s; only F16, BF16, F32 and F64 convert to float32", name, t.DType)
	}
	return out, nil
}

// Float64 returns a new slice with the named tensor's elements converted to
// float64 (exactly) from F16, BF16, F32 or F64. Other dtypes are an error.
func (f *File) Float64(name string) ([]float64, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, err
	}
	raw := f.data[t.Begin:t.End]
	out := make([]float64, t.NumElements())
	switch t.DType {
	case F16:
		for i := range out {
			out[i] = float64(F16ToFloat32(binary.LittleEndian.Uint16(raw[2*i:])))
		}
	case BF16:
		for i := range out {
			out[i] = float64(BF16ToFloat32(binary.LittleEndian.Uint16(raw[2*i:])))
		}
	case F32:
		for i := range out {
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
		}
	case F64:
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	default:
		return nil, fmt.Errorf("safetensors: tensor %q has dtype %s; only F16, BF16, F32 and F64 convert to float64", name, t.DType)
	}
	return out, nil
}

// dupKeyError marks the error jsonObject returns for a duplicate key, so
// that callers pass it through unchanged.
type dupKeyError struct{ error }

func (e dupKeyError) Unwrap() error { return e.error }

// jsonObject parses raw as one JSON object and returns its keys in order and
// their raw values. A duplicate key is reported through dup, which returns
// the error to give.
func jsonObject(raw []byte, dup func(key string) error) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("not a JSON object (it starts with %.40s)", bytes.TrimSpace(raw))
	}
	var keys []string
	var vals []json.RawMessage
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("not valid JSON: %w", err)
		}
		key := tok.(string) // object keys are always strings
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, fmt.Errorf("not valid JSON (value of key %q): %w", key, err)
		}
		if seen[key] {
			return nil, nil, dupKeyError{dup(key)}
		}
		seen[key] = true
		keys = append(keys, key)
		vals = append(vals, v)
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("followed by data after the JSON object (byte %d)", dec.InputOffset())
	}
	return keys, vals, nil
}

// parseHeader parses and validates the JSON header. It returns the File
// (without data) and the data section length the header describes.
func parseHeader(hdr []byte) (*File, int64, error) {
	if !utf8.Valid(hdr) {
		return nil, 0, errors.New("safetensors: header is not valid UTF-8")
	}
	keys, vals, err := jsonObject(hdr, func(k string) error {
		if k == "__metadata__" {
			return errors.New("\"__metadata__\" appears twice")
		}
		return fmt.Errorf("tensor %q appears twice", k)
	})
	if d := (dupKeyError{}); errors.As(err, &d) {
		return nil, 0, fmt.Errorf("safetensors: header: %w", d.error)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("safetensors: header is %w", err)
	}
	f := &File{index: make(map[string]int, len(keys))}
	for i, key := range keys {
		if key == "__metadata__" {
			if f.metadata, err = parseMetadata(vals[i]); err != nil {
				return nil, 0, err
			}
			continue
		}
		t, err := parseTensorEntry(key, vals[i])
		if err != nil {
			return nil, 0, err
		}
		f.index[key] = len(f.tensors)
		f.tensors = append(f.tensors, t)
	}

	sort.SliceStable(f.tensors, func(i, j int) bool {
		a, b := f.tensors[i], f.tensors[j]
		if a.Begin != b.Begin {
			return a.Begin < b.Begin
		}
		return a.End < b.End
	})
	for i, t := range f.tensors {
		f.index[t.Name] = i
	}
	var end int64
	for i, t := range f.tensors {
		if t.Begin != end {
			if i == 0 {
				return nil, 0, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] leave a gap of %d bytes at the start of the data section (tensors must be packed from offset 0)", t.Name, t.Begin, t.End, t.Begin)
			}
			prev := f.tensors[i-1]
			if t.Begin < end {
				return nil, 0, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] overlap tensor %q [%d, %d]", t.Name, t.Begin, t.End, prev.Name, prev.Begin, prev.End)
			}
			return nil, 0, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] leave a gap of %d bytes after tensor %q [%d, %d] (tensors must be packed back to back)", t.Name, t.Begin, t.End, t.Begin-end, prev.Name, prev.Begin, prev.End)
		}
		end = t.End
	}
	return f, end, nil
}

// parseTensorEntry validates one tensor's header entry on its own.
func parseTensorEntry(name string, raw json.RawMessage) (TensorInfo, error) {
	t := TensorInfo{Name: name}
	keys, vals, err := jsonObject(raw, func(k string) error {
		return fmt.Errorf("safetensors: tensor %q: field %q appears twice", name, k)
	})
	if err != nil {
		if d := (dupKeyError{}); errors.As(err, &d) {
			return t, d.error
		}
		return t, fmt.Errorf("safetensors: tensor %q: entry must be an object with dtype, shape and data_offsets, got %.40s", name, raw)
	}
	fields := make(map[string]json.RawMessage, len(keys))
	for i, k := range keys {
		fields[k] = vals[i]
	}
	get := func(k string) (json.RawMessage, error) {
		v, ok := fields[k]
		if !ok {
			return nil, fmt.Errorf("safetensors: tensor %q: missing %q", name, k)
		}
		return v, nil
	}
	rawDT, err := get("dtype")
	if err != nil {
		return t, err
	}
	var dts string
	if err := json.Unmarshal(rawDT, &dts); err != nil {
		return t, fmt.Errorf("safetensors: tensor %q: dtype must be a string, got %.40s", name, rawDT)
	}
	if t.DType, err = ParseDType(dts); err != nil {
		return t, fmt.Errorf("safetensors: tensor %q: %w", name, err)
	}
	rawShape, err := get("shape")
	if err != nil {
		return t, err
	}
	var shape []uint64
	if err := json.Unmarshal(rawShape, &shape); err != nil || shape == nil {
		return t, fmt.Errorf("safetensors: tensor %q: shape must be an array of non-negative integers, got %.60s", name, rawShape)
	}
	rawOff, err := get("data_offsets")
	if err != nil {
		return t, err
	}
	var off []uint64
	if err := json.Unmarshal(rawOff, &off); err != nil || len(off) != 2 {
		return t, fmt.Errorf("safetensors: tensor %q: data_offsets must be two non-negative integers [begin, end], got %.60s", name, rawOff)
	}
	if off[0] > math.MaxInt64 || off[1] > math.MaxInt64 {
		return t, fmt.Errorf("safetensors: tensor %q: data_offsets %v out of range", name, off)
	}
	if off[1] < off[0] {
		return t, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d] end before they begin", name, off[0], off[1])
	}
	t.Begin, t.End = int64(off[0]), int64(off[1])
	// Element count and byte size, with overflow checks.
	count := uint64(1)
	t.Shape = make([]int, len(shape))
	for i, d := range shape {
		hi, lo := bits.Mul64(count, d)
		if hi != 0 || lo > math.MaxInt64 || d > math.MaxInt64 {
			return t, fmt.Errorf("safetensors: tensor %q: shape %v overflows", name, shape)
		}
		count = lo
		t.Shape[i] = int(d)
	}
	hi, nbytes := bits.Mul64(count, uint64(t.DType.Size()))
	if hi != 0 || nbytes > math.MaxInt64 {
		return t, fmt.Errorf("safetensors: tensor %q: shape %v of %s overflows", name, shape, t.DType)
	}
	if span := off[1] - off[0]; span != nbytes {
		return t, fmt.Errorf("safetensors: tensor %q: shape %v of %s needs %d bytes but data_offsets [%d, %d] span %d", name, shape, t.DType, nbytes, off[0], off[1], span)
	}
	return t, nil
}

// parseMetadata parses the "__metadata__" value: null or an object of
// string values.
func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	keys, vals, err := jsonObject(raw, func(k string) error {
		return fmt.Errorf("safetensors: \"__metadata__\" key %q appears twice", k)
	})
	if err != nil {
		if d := (dupKeyError{}); errors.As(err, &d) {
			return nil, d.error
		}
		return nil, fmt.Errorf("safetensors: \"__metadata__\" must be an object of strings: %w", err)
	}
	m := make(map[string]string, len(keys))
	for i, k := range keys {
		var v string
		if string(vals[i]) == "null" || json.Unmarshal(vals[i], &v) != nil {
			return nil, fmt.Errorf("safetensors: \"__metadata__\" value of %q must be a string, got %.40s", k, vals[i])
		}
		m[k] = v
	}
	return m, nil
}
