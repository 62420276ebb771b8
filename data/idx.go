package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxIDXBytes bounds the payload of one IDX file (1 GiB), checked before allocating.
const MaxIDXBytes = 1 << 30

// IDX is the content of an IDX file (the format of MNIST and Fashion-MNIST): unsigned bytes
// with explicit dimensions, e.g. [60000 28 28] for images or [60000] for labels.
type IDX struct {
	Dims []int
	Data []byte
}

// ReadIDX reads an IDX file of unsigned bytes (type code 0x08) from r, gzip-compressed or
// not (detected from the gzip magic number). It validates the magic number, the type code,
// the dimensions and that exactly the announced number of bytes follows.
func ReadIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("idx: gzip header: %w", err)
		}
		defer zr.Close()
		return readIDX(bufio.NewReader(zr))
	}
	return readIDX(br)
}

var idxTypes = map[byte]string{0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}

func readIDX(r io.Reader) (*IDX, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, fmt.Errorf("idx: reading the 4-byte magic number: %w", noEOF(err))
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("idx: bad magic number % x: the first two bytes must be 0 (not an IDX file?)", magic)
	}
	if magic[2] != 0x08 {
		name, ok := idxTypes[magic[2]]
		if !ok {
			return nil, fmt.Errorf("idx: unknown element type code 0x%02x", magic[2])
		}
		return nil, fmt.Errorf("idx: element type %s (0x%02x) is not supported, only unsigned byte (0x08)", name, magic[2])
	}
	nd := int(magic[3])
	if nd == 0 {
		return nil, errors.New("idx: zero dimensions")
	}
	dimsRaw := make([]byte, 4*nd)
	if _, err := io.ReadFull(r, dimsRaw); err != nil {
		return nil, fmt.Errorf("idx: reading %d dimensions: %w", nd, noEOF(err))
	}
	dims := make([]int, nd)
	total := int64(1)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(dimsRaw[4*i:]))
		if total *= int64(dims[i]); total > MaxIDXBytes {
			total = MaxIDXBytes + 1
		}
	}
	if total > MaxIDXBytes {
		return nil, fmt.Errorf("idx: dimensions %v exceed the %d-byte limit", dims, MaxIDXBytes)
	}
	if err := CheckMemory(fmt.Sprintf("idx: dimensions %v", dims), float64(total)); err != nil {
		return nil, err
	}
	out := &IDX{Dims: dims, Data: make([]byte, total)}
	if n, err := io.ReadFull(r, out.Data); err != nil {
		return nil, fmt.Errorf("idx: dimensions %v announce %d bytes of data, file has %d: truncated: %w", dims, total, n, noEOF(err))
	}
	var extra [1]byte
	if n, err := r.Read(extra[:]); n > 0 || (err != nil && err != io.EOF) {
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("idx: after the data: %w", err)
		}
		return nil, fmt.Errorf("idx: trailing data after the %d bytes announced by dimensions %v", total, dims)
	}
	return out, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ReadIDXFile reads an IDX file (gzip-compressed or not) from disk.
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	x, err := ReadIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, nil
}

// WriteIDX writes an unsigned-byte IDX file with the given dimensions to w, gzip-compressed
// (best compression) when gz is true. It panics if len(data) is not the product of dims.
func WriteIDX(w io.Writer, dims []int, data []byte, gz bool) error {
	n := 1
	for _, d := range dims {
		n *= d
	}
	if n != len(data) || len(dims) == 0 || len(dims) > 255 {
		panic(fmt.Sprintf("data: WriteIDX: %d bytes for dims %v", len(data), dims))
	}
	var b bytes.Buffer
	b.Write([]byte{0, 0, 0x08, byte(len(dims))})
	for _, d := range dims {
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(d)))
	}
	b.Write(data)
	if !gz {
		_, err := w.Write(b.Bytes())
		return err
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(b.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}
