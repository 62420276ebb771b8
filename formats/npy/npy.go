// Package npy reads and writes NumPy .npy files (format versions 1.0, 2.0
// and 3.0) holding float64, float32, complex128, int64, int32 or uint8 arrays
// of any rank.
//
// Reading decodes through codeberg.org/sbinet/npyio: this package checks the
// magic, the version, the header length (at most MaxHeaderLen), that the
// header is the dictionary numpy writes
// ("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", keys in
// that order), the dtype ('<f8' '<f4' '<c16' '<i8' '<i4' and their big-endian
// forms, and '|u1'), the shape and the data size before allocating, with an error
// naming what is wrong, because npyio panics or allocates unchecked on
// malformed headers; then npyio parses the header and decodes the data, and
// Fortran-ordered data is reordered into C order (npyio returns file order).
//
// Writing stays here, because npyio's writer cannot write what this package writes
// (checked again against numpy by TestNpyioWriterStillWrong): it takes the shape from the Go
// type of the value (a slice is 1-D, a gonum mat.Dense 2-D, fixed-size arrays beyond), so a
// shape known only at run time of rank 3 or more cannot be given to it; and for arrays with a
// zero dimension it writes headers numpy refuses (an empty slice gets shape (), a [0][3]
// array dtype '|V24' and shape (), a [2][0] array shape (2,): numpy.load raises ValueError
// on all three). It also always writes format 2.0 with 16-byte alignment, whereas this
// writer produces exactly the bytes numpy.save produces for a little-endian C-ordered array
// (version 1.0 unless the header exceeds 65535 bytes, then 2.0; data aligned to 64 bytes).
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
	"regexp"
	"strconv"
	"strings"

	npyio "codeberg.org/sbinet/npyio/npy"

	"github.com/qpeft/qpeft/internal/atomicfile"
)

// Elem is the set of Go element types that map to .npy dtypes.
type Elem interface {
	float64 | float32 | complex128 | int64 | int32 | uint8
}

// DType is an element type of an .npy array.
type DType int

// The supported dtypes.
const (
	Float64    DType = iota + 1 // '<f8'
	Float32                     // '<f4'
	Complex128                  // '<c16'
	Int64                       // '<i8'
	Int32                       // '<i4'
	Uint8                       // '|u1' (bytes have no byte order)
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
	case Int32:
		return "<i4"
	case Uint8:
		return "|u1"
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
	case Int32:
		return 4
	case Uint8:
		return 1
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
	case int32:
		return Int32
	case uint8:
		return Uint8
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
	// []float64, []float32, []complex128, []int64, []int32 or []uint8
	// according to DType.
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
		case int32:
			buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
		case uint8:
			buf = append(buf, v)
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
	descr     string // as in the file, e.g. ">f8"
	fortran   bool
	shape     []int
	count     int    // elements
	dataLen   int    // bytes
	headerLen int    // bytes from the start of the file to the data
	raw       []byte // the header bytes (magic through the final newline), as npyio reads them
}

// headerLayout is the header dictionary as numpy writes it (keys in this
// order, a plain dtype string, a tuple of non-negative ints). It guards
// npyio's header parser, which slices the text by key positions and panics
// on other layouts.
var headerLayout = regexp.MustCompile(`^\{'descr': '[^']*', 'fortran_order': (True|False), 'shape': (\(\)|\(\d+,\)|\(\d+(, ?\d+)+,?\)), ?\} *\n$`)

// parseDict has npyio parse the header dictionary. npyio indexes into the dictionary
// without checking its bounds, and a header that passes headerLayout can still make it
// panic (FuzzReadNPZ found "slice bounds out of range [50:10]" in its readDescr): a panic
// becomes an error here.
func parseDict(raw []byte) (r *npyio.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("npyio cannot parse it (%v)", p)
		}
	}()
	return npyio.NewReader(bytes.NewReader(raw))
}

// readHeader reads and validates everything up to the data; npyio parses
// the dictionary.
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
	raw := make([]byte, 8+lenBytes+hlen)
	copy(raw, pre[:])
	copy(raw[8:], lb[:lenBytes])
	if n, err := io.ReadFull(r, raw[8+lenBytes:]); err != nil {
		return nil, fmt.Errorf("npy: header length says %d bytes but the file ends after %d: %w", hlen, n, err)
	}
	text := string(raw[8+lenBytes:])
	if !headerLayout.MatchString(text) {
		return nil, fmt.Errorf("npy: header %q is not numpy's dictionary {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", strings.TrimRight(text, " \n"))
	}
	if major == 3 {
		raw[6] = 2 // 3.0 differs from 2.0 only by a UTF-8 header, which the layout above excludes
	}
	h, err := parseDict(raw)
	if err != nil {
		return nil, fmt.Errorf("npy: header %q: %w", strings.TrimRight(text, " \n"), err)
	}
	info := &headerInfo{raw: raw, headerLen: len(raw), fortran: h.Header.Descr.Fortran, shape: h.Header.Descr.Shape}
	if info.shape == nil {
		info.shape = []int{}
	}
	info.descr = strings.Trim(h.Header.Descr.Type, "'")
	if info.dtype = dtypeOfDescr(info.descr); info.dtype == 0 {
		return nil, fmt.Errorf("npy: unsupported dtype %q (supported: '<f8', '<f4', '<c16', '<i8', '<i4', their big-endian '>' forms, and '|u1')", info.descr)
	}
	count, err := elemCount(info.shape)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	hi, lo := bits.Mul64(uint64(count), uint64(info.dtype.Size()))
	if hi != 0 || lo > math.MaxInt {
		return nil, fmt.Errorf("npy: shape %v of %s is too large", info.shape, info.descr)
	}
	info.count, info.dataLen = count, int(lo)
	return info, nil
}

// dtypeOfDescr maps a little- or big-endian descr to its DType, 0 if unsupported.
func dtypeOfDescr(descr string) DType {
	if descr == "|u1" || descr == "<u1" || descr == ">u1" {
		return Uint8
	}
	if len(descr) < 2 || (descr[0] != '<' && descr[0] != '>') {
		return 0
	}
	for _, d := range []DType{Float64, Float32, Complex128, Int64, Int32} {
		if d.String()[1:] == descr[1:] {
			return d
		}
	}
	return 0
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
			return nil, fmt.Errorf("npy: data truncated: shape %v of %s needs %d bytes, only %d present", info.shape, info.descr, info.dataLen, n)
		}
		return nil, fmt.Errorf("npy: read data: %w", err)
	}
	return decode(info, buf.Bytes())
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
			path, info.shape, info.descr, info.dataLen, info.headerLen, st.Size()-int64(info.headerLen))
	}
	if st.Size() > want {
		return nil, fmt.Errorf("npy: %s: %d unexpected bytes after the data (shape %v of %s ends at byte %d)",
			path, st.Size()-want, info.shape, info.descr, want)
	}
	data := make([]byte, info.dataLen)
	if _, err := f.ReadAt(data, int64(info.headerLen)); err != nil {
		return nil, fmt.Errorf("npy: %s: read data: %w", path, err)
	}
	a, err := decode(info, data)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return a, nil
}

// decode converts the validated header and raw data bytes (exactly
// info.dataLen of them) to a typed slice in C order, with npyio.
func decode(info *headerInfo, raw []byte) (*Array, error) {
	a := &Array{DType: info.dtype, Shape: info.shape}
	r, err := npyio.NewReader(io.MultiReader(bytes.NewReader(info.raw), bytes.NewReader(raw)))
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	switch info.dtype {
	case Float64:
		a.Data, err = readAs[float64](r, info)
	case Float32:
		a.Data, err = readAs[float32](r, info)
	case Complex128:
		a.Data, err = readAs[complex128](r, info)
	case Int64:
		a.Data, err = readAs[int64](r, info)
	case Int32:
		a.Data, err = readAs[int32](r, info)
	case Uint8:
		a.Data, err = readAs[uint8](r, info)
	}
	if err != nil {
		return nil, fmt.Errorf("npy: decode %s data: %w", info.descr, err)
	}
	return a, nil
}

// readAs reads info.count elements of type T with npyio and reorders
// Fortran data into C order (npyio returns the file order).
func readAs[T Elem](r *npyio.Reader, info *headerInfo) ([]T, error) {
	s := make([]T, info.count)
	if len(s) > 0 {
		if err := r.Read(&s); err != nil {
			return nil, err
		}
	}
	return fromFortran(info.fortran, info.shape, s), nil
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
