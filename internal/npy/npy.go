// Package npy reads and writes NumPy .npy files (format versions 1.0, 2.0
// and 3.0) holding float64, float32, complex128 or int64 arrays of any rank.
//
// The writer produces exactly the bytes numpy.save produces for a
// little-endian C-ordered array: the magic "\x93NUMPY", the version, the
// header length, the header dictionary
// "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }" followed by
// numpy's growth padding of spaces and a final newline, so that the data
// starts at a multiple of 64 bytes, and then the raw little-endian data in C
// (row-major) order. Version 1.0 is used unless the header exceeds 65535
// bytes, then 2.0.
//
// The reader accepts the dtypes '<f8' '<f4' '<c16' '<i8' and their
// big-endian forms ('>f8' …), C or Fortran order (Fortran data is returned
// reordered into C order), and checks the magic, the version, the header
// dictionary (exactly the keys descr, fortran_order and shape), the shape
// and the data size, with an error naming what is wrong.
package npy

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/internal/atomicfile"
)

// Elem is the set of Go element types that map to .npy dtypes.
type Elem interface {
	float64 | float32 | complex128 | int64
}

// DType is an element type of an .npy array.
type DType int

// The supported dtypes.
const (
	Float64    DType = iota + 1 // '<f8'
	Float32                     // '<f4'
	Complex128                  // '<c16'
	Int64                       // '<i8'
)

// String returns the little-endian NumPy descr, e.g. "<f8".
func (d DType) String() string {
	switch d {
	case Float64:
		return "<f8"
	case Float32:
		return "<f4"
	case Complex128:
		return "<c16"
	case Int64:
		return "<i8"
	}
	return fmt.Sprintf("DType(%d)", int(d))
}

// Size returns the number of bytes of one element (0 for an invalid DType).
func (d DType) Size() int {
	switch d {
	case Float64, Int64:
		return 8
	case Float32:
		return 4
	case Complex128:
		return 16
	}
	return 0
}

// dtypeOf returns the DType of the element type T.
func dtypeOf[T Elem]() DType {
	var z T
	switch any(z).(type) {
	case float64:
		return Float64
	case float32:
		return Float32
	case complex128:
		return Complex128
	default:
		return Int64
	}
}

// Array is an array read from an .npy file.
type Array struct {
	// DType is the element type.
	DType DType
	// Shape is the array shape; an empty shape is a 0-d array of one element.
	Shape []int
	// Data holds the elements in C (row-major) order. Its dynamic type is
	// []float64, []float32, []complex128 or []int64 according to DType.
	Data any
}

// Len returns the number of elements (the product of the shape).
func (a *Array) Len() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// As returns the data of a as []T, or an error naming both dtypes if the
// array holds another element type. The slice is shared with a, not copied.
func As[T Elem](a *Array) ([]T, error) {
	if s, ok := a.Data.([]T); ok {
		return s, nil
	}
	return nil, fmt.Errorf("npy: array has dtype %s, not the requested %s", a.DType, dtypeOf[T]())
}

const (
	magic      = "\x93NUMPY"
	arrayAlign = 64 // numpy's ARRAY_ALIGN
	growth     = 21 // numpy's GROWTH_AXIS_MAX_DIGITS
	// MaxHeaderLen bounds the header length the reader accepts.
	MaxHeaderLen = 1 << 20
)

// elemCount returns the product of shape, or an error for a negative
// dimension or an overflow of int.
func elemCount(shape []int) (int, error) {
	n := uint64(1)
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("dimension %d of shape %v is negative", i, shape)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return 0, fmt.Errorf("shape %v has too many elements", shape)
		}
		n = lo
	}
	return int(n), nil
}

// pyTuple formats a shape like Python's repr of a tuple of ints.
func pyTuple(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return "(" + strconv.Itoa(shape[0]) + ",)"
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// header returns the complete header (magic through the final newline) that
// numpy.save writes for a C-ordered array of the given dtype and shape.
func header(dt DType, shape []int) []byte {
	dict := "{'descr': '" + dt.String() + "', 'fortran_order': False, 'shape': " + pyTuple(shape) + ", }"
	if len(shape) > 0 {
		dict += strings.Repeat(" ", max(0, growth-len(strconv.Itoa(shape[0]))))
	}
	hlen := len(dict) + 1 // + '\n'
	major, lenBytes := byte(1), 2
	if pad := arrayAlign - (len(magic)+2+2+hlen)%arrayAlign; hlen+pad > math.MaxUint16 {
		major, lenBytes = 2, 4
	}
	pad := arrayAlign - (len(magic)+2+lenBytes+hlen)%arrayAlign
	total := hlen + pad
	var b bytes.Buffer
	b.WriteString(magic)
	b.WriteByte(major)
	b.WriteByte(0)
	if lenBytes == 2 {
		b.Write(binary.LittleEndian.AppendUint16(nil, uint16(total)))
	} else {
		b.Write(binary.LittleEndian.AppendUint32(nil, uint32(total)))
	}
	b.WriteString(dict)
	b.WriteString(strings.Repeat(" ", pad))
	b.WriteByte('\n')
	return b.Bytes()
}

// Write writes data with the given shape to w as an .npy file (C order).
// len(data) must equal the product of shape; otherwise Write returns an
// error and writes nothing.
func Write[T Elem](w io.Writer, shape []int, data []T) error {
	n, err := elemCount(shape)
	if err != nil {
		return fmt.Errorf("npy: write: %w", err)
	}
	if n != len(data) {
		return fmt.Errorf("npy: write: shape %v holds %d elements but data has %d", shape, n, len(data))
	}
	dt := dtypeOf[T]()
	if _, err := w.Write(header(dt, shape)); err != nil {
		return fmt.Errorf("npy: write header: %w", err)
	}
	const chunk = 1 << 16 // bytes per write
	buf := make([]byte, 0, chunk)
	size := dt.Size()
	for i := 0; i < len(data); i++ {
		switch v := any(data[i]).(type) {
		case float64:
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		case float32:
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		case complex128:
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(real(v)))
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(imag(v)))
		case int64:
			buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
		}
		if len(buf)+size > chunk || i == len(data)-1 {
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("npy: write data: %w", err)
			}
			buf = buf[:0]
		}
	}
	return nil
}

// WriteFile writes data with the given shape to the .npy file at path,
// atomically: on error the previous file (if any) is unchanged.
func WriteFile[T Elem](path string, shape []int, data []T) error {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	defer f.Abort()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := Write(bw, shape, data); err != nil {
		return fmt.Errorf("%w (file %s)", err, path)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	return nil
}

// headerInfo is the parsed header of an .npy file.
type headerInfo struct {
	dtype     DType
	bigEndian bool
	fortran   bool
	shape     []int
	count     int // elements
	dataLen   int // bytes
	headerLen int // bytes from the start of the file to the data
}

// readHeader reads and validates everything up to the data.
func readHeader(r io.Reader) (*headerInfo, error) {
	var pre [8]byte
	if n, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, fmt.Errorf("npy: file too short for the magic string and version (%d of 8 bytes): %w", n, err)
	}
	if string(pre[:6]) != magic {
		return nil, fmt.Errorf("npy: not an .npy file: magic string is %q, want %q", pre[:6], magic)
	}
	major, minor := pre[6], pre[7]
	var lenBytes int
	switch {
	case major == 1 && minor == 0:
		lenBytes = 2
	case (major == 2 || major == 3) && minor == 0:
		lenBytes = 4
	default:
		return nil, fmt.Errorf("npy: unsupported format version %d.%d (supported: 1.0, 2.0, 3.0)", major, minor)
	}
	var lb [4]byte
	if _, err := io.ReadFull(r, lb[:lenBytes]); err != nil {
		return nil, fmt.Errorf("npy: file ends inside the header length: %w", err)
	}
	hlen := int(binary.LittleEndian.Uint32(lb[:]))
	if hlen > MaxHeaderLen {
		return nil, fmt.Errorf("npy: header length %d exceeds the limit of %d bytes", hlen, MaxHeaderLen)
	}
	hdr := make([]byte, hlen)
	if n, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("npy: header length says %d bytes but the file ends after %d: %w", hlen, n, err)
	}
	info, err := parseHeaderDict(string(hdr))
	if err != nil {
		return nil, fmt.Errorf("npy: header %q: %w", strings.TrimRight(string(hdr), " \n"), err)
	}
	info.headerLen = 8 + lenBytes + hlen
	return info, nil
}

// parseHeaderDict validates the header dictionary text.
func parseHeaderDict(text string) (*headerInfo, error) {
	p := &pyParser{s: text}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the dictionary at byte %d", p.s[p.i:min(len(p.s), p.i+10)], p.i)
	}
	d, ok := v.(dictVal)
	if !ok {
		return nil, fmt.Errorf("header is a %s, not a dictionary", pyTypeName(v))
	}
	for _, k := range d.keys {
		switch k {
		case "descr", "fortran_order", "shape":
		default:
			return nil, fmt.Errorf("unexpected key %q (want exactly 'descr', 'fortran_order', 'shape')", k)
		}
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if _, ok := d.m[k]; !ok {
			return nil, fmt.Errorf("missing key %q", k)
		}
	}
	info := &headerInfo{}
	descr, ok := d.m["descr"].(string)
	if !ok {
		return nil, fmt.Errorf("descr is a %s; only simple dtypes are supported ('<f8', '<f4', '<c16', '<i8')", pyTypeName(d.m["descr"]))
	}
	if len(descr) < 2 {
		return nil, fmt.Errorf("unsupported dtype %q (supported: '<f8', '<f4', '<c16', '<i8' and big-endian '>' forms)", descr)
	}
	switch descr[0] {
	case '<':
	case '>':
		info.bigEndian = true
	default:
		return nil, fmt.Errorf("unsupported dtype %q (supported: '<f8', '<f4', '<c16', '<i8' and big-endian '>' forms)", descr)
	}
	switch descr[1:] {
	case "f8":
		info.dtype = Float64
	case "f4":
		info.dtype = Float32
	case "c16":
		info.dtype = Complex128
	case "i8":
		info.dtype = Int64
	default:
		return nil, fmt.Errorf("unsupported dtype %q (supported: '<f8', '<f4', '<c16', '<i8' and big-endian '>' forms)", descr)
	}
	fo, ok := d.m["fortran_order"].(bool)
	if !ok {
		return nil, fmt.Errorf("fortran_order is a %s, not True or False", pyTypeName(d.m["fortran_order"]))
	}
	info.fortran = fo
	tup, ok := d.m["shape"].(tupleVal)
	if !ok {
		return nil, fmt.Errorf("shape is a %s, not a tuple of ints", pyTypeName(d.m["shape"]))
	}
	info.shape = make([]int, len(tup))
	for i, e := range tup {
		n, ok := e.(int64)
		if !ok {
			return nil, fmt.Errorf("shape element %d is a %s, not an int", i, pyTypeName(e))
		}
		if n < 0 {
			return nil, fmt.Errorf("shape element %d is negative (%d)", i, n)
		}
		if n > math.MaxInt {
			return nil, fmt.Errorf("shape element %d is too large (%d)", i, n)
		}
		info.shape[i] = int(n)
	}
	count, err := elemCount(info.shape)
	if err != nil {
		return nil, err
	}
	hi, lo := bits.Mul64(uint64(count), uint64(info.dtype.Size()))
	if hi != 0 || lo > math.MaxInt {
		return nil, fmt.Errorf("shape %v of %s is too large", info.shape, descr)
	}
	info.count, info.dataLen = count, int(lo)
	return info, nil
}

// Read reads one .npy array from r. It reads exactly the header and the
// data, nothing after them. Data in Fortran order is returned in C order.
func Read(r io.Reader) (*Array, error) {
	info, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	// Grow with the data actually present rather than trusting the header
	// with one big allocation.
	var buf bytes.Buffer
	if info.dataLen <= 1<<26 {
		buf.Grow(info.dataLen)
	}
	n, err := io.CopyN(&buf, r, int64(info.dataLen))
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("npy: data truncated: shape %v of %s needs %d bytes, only %d present", info.shape, info.dtypeString(), info.dataLen, n)
		}
		return nil, fmt.Errorf("npy: read data: %w", err)
	}
	return decode(info, buf.Bytes()), nil
}

// ReadFile reads the .npy file at path. Unlike Read it also rejects bytes
// after the data, and it checks the file size before allocating.
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	info, err := readHeader(bufio.NewReader(io.LimitReader(f, int64(MaxHeaderLen)+12)))
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	want := int64(info.headerLen) + int64(info.dataLen)
	if st.Size() < want {
		return nil, fmt.Errorf("npy: %s: data truncated: shape %v of %s needs %d bytes after the %d-byte header, file has %d",
			path, info.shape, info.dtypeString(), info.dataLen, info.headerLen, st.Size()-int64(info.headerLen))
	}
	if st.Size() > want {
		return nil, fmt.Errorf("npy: %s: %d unexpected bytes after the data (shape %v of %s ends at byte %d)",
			path, st.Size()-want, info.shape, info.dtypeString(), want)
	}
	data := make([]byte, info.dataLen)
	if _, err := f.ReadAt(data, int64(info.headerLen)); err != nil {
		return nil, fmt.Errorf("npy: %s: read data: %w", path, err)
	}
	return decode(info, data), nil
}

func (h *headerInfo) dtypeString() string {
	s := h.dtype.String()
	if h.bigEndian {
		s = ">" + s[1:]
	}
	return s
}

// decode converts raw data bytes to a typed slice in C order.
func decode(info *headerInfo, raw []byte) *Array {
	var bo binary.ByteOrder = binary.LittleEndian
	if info.bigEndian {
		bo = binary.BigEndian
	}
	a := &Array{DType: info.dtype, Shape: info.shape}
	n := info.count
	switch info.dtype {
	case Float64:
		s := make([]float64, n)
		for i := range s {
			s[i] = math.Float64frombits(bo.Uint64(raw[8*i:]))
		}
		a.Data = fromFortran(info.fortran, info.shape, s)
	case Float32:
		s := make([]float32, n)
		for i := range s {
			s[i] = math.Float32frombits(bo.Uint32(raw[4*i:]))
		}
		a.Data = fromFortran(info.fortran, info.shape, s)
	case Complex128:
		s := make([]complex128, n)
		for i := range s {
			s[i] = complex(math.Float64frombits(bo.Uint64(raw[16*i:])), math.Float64frombits(bo.Uint64(raw[16*i+8:])))
		}
		a.Data = fromFortran(info.fortran, info.shape, s)
	case Int64:
		s := make([]int64, n)
		for i := range s {
			s[i] = int64(bo.Uint64(raw[8*i:]))
		}
		a.Data = fromFortran(info.fortran, info.shape, s)
	}
	return a
}

// fromFortran reorders column-major data into row-major order.
func fromFortran[T Elem](fortran bool, shape []int, src []T) []T {
	if !fortran || len(shape) < 2 || len(src) == 0 {
		return src
	}
	k := len(shape)
	cstride := make([]int, k) // C-order strides
	cstride[k-1] = 1
	for i := k - 2; i >= 0; i-- {
		cstride[i] = cstride[i+1] * shape[i+1]
	}
	dst := make([]T, len(src))
	idx := make([]int, k)
	off := 0 // C offset of idx
	for j := range src {
		dst[off] = src[j]
		// Increment idx with axis 0 fastest (Fortran order).
		for a := 0; a < k; a++ {
			idx[a]++
			off += cstride[a]
			if idx[a] < shape[a] {
				break
			}
			off -= cstride[a] * shape[a]
			idx[a] = 0
		}
	}
	return dst
}

// ReadFileAs reads the .npy file at path and returns its shape and data as
// []T, or an error if the file holds another dtype.
func ReadFileAs[T Elem](path string) ([]int, []T, error) {
	a, err := ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	s, err := As[T](a)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return a.Shape, s, nil
}
