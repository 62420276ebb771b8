package safetensors

import (
	"fmt"
	"math"
)

// DType is the element type of a tensor, as named in the header ("F32" …).
type DType uint8

// The dtypes of the format. Their numeric order is the reference
// implementation's alignment order, which the writer uses to lay tensors
// out (largest alignment first).
const (
	BOOL   DType = iota + 1 // boolean, one byte (0 or 1)
	U8                      // unsigned 8-bit integer
	I8                      // signed 8-bit integer
	F8E5M2                  // 8-bit float, 5 exponent and 2 mantissa bits ("F8_E5M2")
	F8E4M3                  // 8-bit float, 4 exponent and 3 mantissa bits ("F8_E4M3")
	I16                     // signed 16-bit integer
	U16                     // unsigned 16-bit integer
	F16                     // IEEE 754 half precision
	BF16                    // bfloat16: the top 16 bits of a float32
	I32                     // signed 32-bit integer
	U32                     // unsigned 32-bit integer
	F32                     // IEEE 754 single precision
	F64                     // IEEE 754 double precision
	I64                     // signed 64-bit integer
	U64                     // unsigned 64-bit integer
)

var dtypeNames = [...]string{
	BOOL: "BOOL", U8: "U8", I8: "I8", F8E5M2: "F8_E5M2", F8E4M3: "F8_E4M3",
	I16: "I16", U16: "U16", F16: "F16", BF16: "BF16", I32: "I32", U32: "U32",
	F32: "F32", F64: "F64", I64: "I64", U64: "U64",
}

var dtypeSizes = [...]int{
	BOOL: 1, U8: 1, I8: 1, F8E5M2: 1, F8E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
	I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
}

// valid reports whether d is one of the defined dtypes.
func (d DType) valid() bool { return d >= BOOL && d <= U64 }

// String returns the header name of d, e.g. "F32" or "F8_E4M3".
func (d DType) String() string {
	if d.valid() {
		return dtypeNames[d]
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// Size returns the number of bytes of one element, or 0 for an invalid DType.
func (d DType) Size() int {
	if d.valid() {
		return dtypeSizes[d]
	}
	return 0
}

// ParseDType returns the DType named s in a header ("F32", "BF16", …).
func ParseDType(s string) (DType, error) {
	for d := BOOL; d <= U64; d++ {
		if dtypeNames[d] == s {
			return d, nil
		}
	}
	return 0, fmt.Errorf("unknown dtype %q (known: BOOL U8 I8 F8_E5M2 F8_E4M3 I16 U16 F16 BF16 I32 U32 F32 F64 I64 U64)", s)
}

// F16ToFloat32 converts IEEE 754 half-precision bits to float32. The
// conversion is exact for every value, subnormals included; NaN payloads are
// kept.
func F16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal half: normalise into a float32 normal.
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	}
}

// BF16ToFloat32 converts bfloat16 bits to float32 (exact).
func BF16ToFloat32(b uint16) float32 {
	return math.Float32frombits(uint32(b) << 16)
}
