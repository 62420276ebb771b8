package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
)

// maxElements bounds the element count of one tensor (2^31, ONNX's 2 GB protobuf limit).
const maxElements = 1 << 31

func (t *Tensor) errf(format string, args ...any) error {
	name := t.Name
	if name == "" {
		name = "(unnamed)"
	}
	return &DecodeError{Path: "tensor " + name, Offset: t.decodeOffset, Msg: fmt.Sprintf(format, args...)}
}

// NumElements returns the product of the dimensions (1 for a scalar).
func (t *Tensor) NumElements() (int, error) {
	n := 1
	for _, d := range t.Dims {
		if d < 0 || (d > 0 && int64(n) > maxElements/d) {
			return 0, t.errf("dims %v: more than %d elements", t.Dims, int64(maxElements))
		}
		n *= int(d)
	}
	return n, nil
}

// Shape returns the dimensions as ints.
func (t *Tensor) Shape() []int {
	s := make([]int, len(t.Dims))
	for i, d := range t.Dims {
		s[i] = int(d)
	}
	return s
}

// Float32s returns the values as float32, converting from DOUBLE and integer types. It
// reports an error if the stored count does not match the dimensions, the data is external,
// or the type is not numeric.
func (t *Tensor) Float32s() ([]float32, error) {
	n, err := t.NumElements()
	if err != nil {
		return nil, err
	}
	if t.External {
		return nil, t.errf("external data (a separate weights file) is not supported; re-export the model with weights embedded")
	}
	// Every branch checks that the tensor holds its n values before allocating them, so that
	// dims cannot size an allocation beyond what the file holds.
	switch t.DataType {
	case Float:
		if t.hasRawData {
			if err := t.rawLen(n, 4); err != nil {
				return nil, err
			}
			out := make([]float32, n)
			for i := range out {
				out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.RawData[4*i:]))
			}
			return out, nil
		}
		if len(t.FloatData) != n {
			return nil, t.errf("float_data has %d values, dims %v need %d", len(t.FloatData), t.Dims, n)
		}
		return append([]float32(nil), t.FloatData...), nil
	case Double:
		if t.hasRawData {
			if err := t.rawLen(n, 8); err != nil {
				return nil, err
			}
			out := make([]float32, n)
			for i := range out {
				out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(t.RawData[8*i:])))
			}
			return out, nil
		}
		if len(t.DoubleData) != n {
			return nil, t.errf("double_data has %d values, dims %v need %d", len(t.DoubleData), t.Dims, n)
		}
		out := make([]float32, n)
		for i, v := range t.DoubleData {
			out[i] = float32(v)
		}
		return out, nil
	case Int64, Int32, Uint8, Int8:
		v, err := t.Int64s()
		if err != nil {
			return nil, err
		}
		out := make([]float32, n)
		for i, x := range v {
			out[i] = float32(x)
		}
		return out, nil
	}
	return nil, t.errf("data type %v cannot be read as numbers", t.DataType)
}

// Int64s returns the values of an INT64, INT32, UINT8 or INT8 tensor as int64.
func (t *Tensor) Int64s() ([]int64, error) {
	n, err := t.NumElements()
	if err != nil {
		return nil, err
	}
	if t.External {
		return nil, t.errf("external data is not supported")
	}
	size := map[DataType]int{Int64: 8, Int32: 4, Uint8: 1, Int8: 1}[t.DataType]
	if size == 0 {
		return nil, t.errf("data type %v is not an integer type", t.DataType)
	}
	if t.hasRawData {
		// The size is checked before allocating (dims cannot size an allocation beyond what
		// the file holds).
		if err := t.rawLen(n, size); err != nil {
			return nil, err
		}
		out := make([]int64, n)
		for i := range out {
			switch t.DataType {
			case Int64:
				out[i] = int64(binary.LittleEndian.Uint64(t.RawData[8*i:]))
			case Int32:
				out[i] = int64(int32(binary.LittleEndian.Uint32(t.RawData[4*i:])))
			case Uint8:
				out[i] = int64(t.RawData[i])
			case Int8:
				out[i] = int64(int8(t.RawData[i]))
			}
		}
		return out, nil
	}
	src, field := t.Int32Data, "int32_data"
	if t.DataType == Int64 {
		src, field = t.Int64Data, "int64_data"
	}
	if len(src) != n {
		return nil, t.errf("%s has %d values, dims %v need %d", field, len(src), t.Dims, n)
	}
	out := make([]int64, n)
	for i, v := range src {
		if t.DataType == Int32 {
			v = int64(int32(v)) // negative int32 are sign-extended varints
		}
		out[i] = v
	}
	return out, nil
}

func (t *Tensor) rawLen(n, size int) error {
	if len(t.RawData) != n*size {
		return t.errf("raw_data has %d bytes, dims %v of %v need %d", len(t.RawData), t.Dims, t.DataType, n*size)
	}
	return nil
}
