package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
)

// DecodeError reports malformed protobuf or ONNX content: where (the message path, e.g.
// "model.graph.node[3].attribute[1]", and the byte offset in the input) and what.
type DecodeError struct {
	Path   string
	Offset int
	Msg    string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("onnx: %s at byte %d: %s", e.Path, e.Offset, e.Msg)
}

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireStart   = 3
	wireEnd     = 4
	wireFixed32 = 5
)

var wireNames = [...]string{"varint", "64-bit", "length-delimited", "start-group", "end-group", "32-bit", "invalid(6)", "invalid(7)"}

// maxDepth bounds the nesting of graphs inside attributes.
const maxDepth = 32

// reader walks the fields of one protobuf message. off is the absolute offset of b[0] in the
// whole input, for error messages.
type reader struct {
	b     []byte
	off   int
	pos   int
	path  string
	field int // field number of the last tag read
	fname string
}

func newReader(b []byte, off int, path string) *reader {
	return &reader{b: b, off: off, path: path}
}

func (r *reader) done() bool { return r.pos >= len(r.b) }

func (r *reader) errf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if r.fname != "" {
		msg = fmt.Sprintf("field %d (%s): %s", r.field, r.fname, msg)
	}
	return &DecodeError{Path: r.path, Offset: r.off + r.pos, Msg: msg}
}

func (r *reader) varint() (uint64, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if r.pos >= len(r.b) {
			return 0, r.errf("truncated varint")
		}
		c := r.b[r.pos]
		r.pos++
		if i == 9 && c > 1 {
			return 0, r.errf("varint overflows 64 bits")
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, r.errf("varint longer than 10 bytes")
}

// next reads a tag. name gives the field's name for later messages (set by the caller through
// setName).
func (r *reader) next() (field, typ int, err error) {
	r.fname = ""
	start := r.pos
	t, err := r.varint()
	if err != nil {
		return 0, 0, err
	}
	field, typ = int(t>>3), int(t&7)
	if field == 0 || t>>3 > 1<<29-1 {
		r.pos = start
		return 0, 0, r.errf("invalid field number %d", t>>3)
	}
	if typ > wireFixed32 {
		r.pos = start
		return 0, 0, r.errf("field %d has invalid wire type %d", field, typ)
	}
	r.field = field
	return field, typ, nil
}

func (r *reader) want(typ, want int, name string) error {
	r.fname = name
	if typ != want {
		return r.errf("wire type %s, want %s", wireNames[typ], wireNames[want])
	}
	return nil
}

// skip skips a field of an unknown number.
func (r *reader) skip(typ int) error {
	switch typ {
	case wireVarint:
		_, err := r.varint()
		return err
	case wireFixed64:
		return r.advance(8)
	case wireFixed32:
		return r.advance(4)
	case wireBytes:
		_, _, err := r.lenDelim()
		return err
	default:
		return r.errf("field %d: groups (wire type %s) are not supported", r.field, wireNames[typ])
	}
}

func (r *reader) advance(n int) error {
	if len(r.b)-r.pos < n {
		return r.errf("truncated: need %d bytes, %d left", n, len(r.b)-r.pos)
	}
	r.pos += n
	return nil
}

// lenDelim returns the payload of a length-delimited field and its absolute offset.
func (r *reader) lenDelim() ([]byte, int, error) {
	n, err := r.varint()
	if err != nil {
		return nil, 0, err
	}
	if n > uint64(len(r.b)-r.pos) {
		return nil, 0, r.errf("truncated: length %d but %d bytes left", n, len(r.b)-r.pos)
	}
	start := r.pos
	r.pos += int(n)
	return r.b[start:r.pos], r.off + start, nil
}

func (r *reader) int64Field(typ int, name string) (int64, error) {
	if err := r.want(typ, wireVarint, name); err != nil {
		return 0, err
	}
	v, err := r.varint()
	return int64(v), err
}

func (r *reader) bytesField(typ int, name string) ([]byte, int, error) {
	if err := r.want(typ, wireBytes, name); err != nil {
		return nil, 0, err
	}
	return r.lenDelim()
}

func (r *reader) stringField(typ int, name string) (string, error) {
	b, _, err := r.bytesField(typ, name)
	return string(b), err
}

func (r *reader) float32Field(typ int, name string) (float32, error) {
	if err := r.want(typ, wireFixed32, name); err != nil {
		return 0, err
	}
	if err := r.advance(4); err != nil {
		return 0, err
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(r.b[r.pos-4:])), nil
}

// varints appends a repeated varint field, packed (length-delimited) or not.
func (r *reader) varints(typ int, name string, dst []int64) ([]int64, error) {
	r.fname = name
	switch typ {
	case wireVarint:
		v, err := r.varint()
		return append(dst, int64(v)), err
	case wireBytes:
		b, off, err := r.lenDelim()
		if err != nil {
			return dst, err
		}
		sub := &reader{b: b, off: off, path: r.path, field: r.field, fname: name}
		for !sub.done() {
			v, err := sub.varint()
			if err != nil {
				return dst, err
			}
			dst = append(dst, int64(v))
		}
		return dst, nil
	default:
		return dst, r.errf("wire type %s, want varint or packed", wireNames[typ])
	}
}

// fixed32s appends a repeated 32-bit field (float), packed or not.
func (r *reader) fixed32s(typ int, name string, dst []float32) ([]float32, error) {
	r.fname = name
	switch typ {
	case wireFixed32:
		v, err := r.float32Field(typ, name)
		return append(dst, v), err
	case wireBytes:
		b, _, err := r.lenDelim()
		if err != nil {
			return dst, err
		}
		if len(b)%4 != 0 {
			return dst, r.errf("packed 32-bit payload of %d bytes is not a multiple of 4", len(b))
		}
		for i := 0; i < len(b); i += 4 {
			dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
		}
		return dst, nil
	default:
		return dst, r.errf("wire type %s, want 32-bit or packed", wireNames[typ])
	}
}

// fixed64s appends a repeated 64-bit field (double or fixed uint64 bits), packed or not.
func (r *reader) fixed64s(typ int, name string, dst []uint64) ([]uint64, error) {
	r.fname = name
	switch typ {
	case wireFixed64:
		if err := r.advance(8); err != nil {
			return dst, err
		}
		return append(dst, binary.LittleEndian.Uint64(r.b[r.pos-8:])), nil
	case wireBytes:
		b, _, err := r.lenDelim()
		if err != nil {
			return dst, err
		}
		if len(b)%8 != 0 {
			return dst, r.errf("packed 64-bit payload of %d bytes is not a multiple of 8", len(b))
		}
		for i := 0; i < len(b); i += 8 {
			dst = append(dst, binary.LittleEndian.Uint64(b[i:]))
		}
		return dst, nil
	default:
		return dst, r.errf("wire type %s, want 64-bit or packed", wireNames[typ])
	}
}
