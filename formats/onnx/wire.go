package onnx

import (
	"errors"
	"fmt"
	"io"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
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

// consumeErr turns a negative protowire length into an error at the current position.
func (r *reader) consumeErr(n int, what string) error {
	err := protowire.ParseError(n)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return r.errf("truncated %s", what)
	}
	return r.errf("%s: %v", what, err)
}

func (r *reader) varint() (uint64, error) {
	v, n := protowire.ConsumeVarint(r.b[r.pos:])
	if n < 0 {
		if errors.Is(protowire.ParseError(n), io.ErrUnexpectedEOF) {
			return 0, r.errf("truncated varint")
		}
		return 0, r.errf("varint overflows 64 bits")
	}
	r.pos += n
	return v, nil
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
	num, wt := protowire.DecodeTag(t)
	if !num.IsValid() || t>>3 > uint64(protowire.MaxValidNumber) {
		r.pos = start
		return 0, 0, r.errf("invalid field number %d", t>>3)
	}
	field, typ = int(num), int(wt)
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
	if typ == wireStart || typ == wireEnd {
		return r.errf("field %d: groups (wire type %s) are not supported", r.field, wireNames[typ])
	}
	n := protowire.ConsumeFieldValue(protowire.Number(r.field), protowire.Type(typ), r.b[r.pos:])
	if n < 0 {
		return r.consumeErr(n, "field "+wireNames[typ]+" value")
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

// fixed reads a value of size bytes with consume (protowire.ConsumeFixed32 or 64).
func fixed[T any](r *reader, size int, consume func([]byte) (T, int)) (T, error) {
	v, n := consume(r.b[r.pos:])
	if n < 0 {
		return v, r.errf("truncated: need %d bytes, %d left", size, len(r.b)-r.pos)
	}
	r.pos += n
	return v, nil
}

// fixed32 reads a 32-bit value.
func (r *reader) fixed32() (uint32, error) { return fixed(r, 4, protowire.ConsumeFixed32) }

func (r *reader) float32Field(typ int, name string) (float32, error) {
	if err := r.want(typ, wireFixed32, name); err != nil {
		return 0, err
	}
	v, err := r.fixed32()
	return math.Float32frombits(v), err
}

// packed returns the payload of a packed repeated field as a reader, checking that its length
// is a multiple of size (0: varints).
func (r *reader) packed(name string, size int) (*reader, error) {
	b, off, err := r.lenDelim()
	if err != nil {
		return nil, err
	}
	if size > 0 && len(b)%size != 0 {
		return nil, r.errf("packed %d-bit payload of %d bytes is not a multiple of %d", 8*size, len(b), size)
	}
	return &reader{b: b, off: off, path: r.path, field: r.field, fname: name}, nil
}

// repeated appends a repeated scalar field of wire type wire (size bytes each, 0 for
// varints), unpacked (one value, read by one) or packed (a length-delimited run of them).
func repeated[T any](r *reader, typ, wire, size int, name string, dst []T, one func(*reader) (T, error)) ([]T, error) {
	r.fname = name
	switch typ {
	case wire:
		v, err := one(r)
		return append(dst, v), err
	case wireBytes:
		sub, err := r.packed(name, size)
		for err == nil && !sub.done() {
			var v T
			if v, err = one(sub); err == nil {
				dst = append(dst, v)
			}
		}
		return dst, err
	default:
		return dst, r.errf("wire type %s, want %s or packed", wireNames[typ], wireNames[wire])
	}
}

// varints appends a repeated varint field, packed (length-delimited) or not.
func (r *reader) varints(typ int, name string, dst []int64) ([]int64, error) {
	return repeated(r, typ, wireVarint, 0, name, dst, func(r *reader) (int64, error) {
		v, err := r.varint()
		return int64(v), err
	})
}

// fixed32s appends a repeated 32-bit field (float), packed or not.
func (r *reader) fixed32s(typ int, name string, dst []float32) ([]float32, error) {
	return repeated(r, typ, wireFixed32, 4, name, dst, func(r *reader) (float32, error) {
		v, err := r.fixed32()
		return math.Float32frombits(v), err
	})
}

// fixed64 reads a 64-bit value.
func (r *reader) fixed64() (uint64, error) { return fixed(r, 8, protowire.ConsumeFixed64) }

// fixed64s appends a repeated 64-bit field (double or fixed uint64 bits), packed or not.
func (r *reader) fixed64s(typ int, name string, dst []uint64) ([]uint64, error) {
	return repeated(r, typ, wireFixed64, 8, name, dst, (*reader).fixed64)
}
