package onnx

import (
	"encoding/binary"
	"math"
)

// pb is a minimal protobuf writer used by the tests to craft models.
type pb []byte

func (p pb) varint(v uint64) pb {
	for v >= 0x80 {
		p = append(p, byte(v)|0x80)
		v >>= 7
	}
	return append(p, byte(v))
}

func (p pb) tag(f, t int) pb          { return p.varint(uint64(f)<<3 | uint64(t)) }
func (p pb) bytes(f int, b []byte) pb { return append(p.tag(f, 2).varint(uint64(len(b))), b...) }
func (p pb) str(f int, s string) pb   { return p.bytes(f, []byte(s)) }
func (p pb) int(f int, v int64) pb    { return p.tag(f, 0).varint(uint64(v)) }
func (p pb) msg(f int, m pb) pb       { return p.bytes(f, m) }
func (p pb) f32(f int, v float32) pb {
	return binary.LittleEndian.AppendUint32(p.tag(f, 5), math.Float32bits(v))
}
func (p pb) packedInts(f int, v ...int64) pb {
	var q pb
	for _, x := range v {
		q = q.varint(uint64(x))
	}
	return p.bytes(f, q)
}

// tensorPB encodes a FLOAT tensor with raw_data (or packed float_data when raw is false).
func tensorPB(name string, dims []int64, vals []float32, raw bool) pb {
	var t pb
	for _, d := range dims {
		t = t.int(1, d)
	}
	t = t.int(2, int64(Float)).str(8, name)
	var data []byte
	for _, v := range vals {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
	}
	if raw {
		return t.bytes(9, data)
	}
	return t.bytes(4, data)
}

func int64TensorPB(name string, dims []int64, vals []int64) pb {
	var t pb
	for _, d := range dims {
		t = t.int(1, d)
	}
	return t.int(2, int64(Int64)).str(8, name).packedInts(7, vals...)
}

type attrPB struct {
	name string
	ints []int64
	i    *int64
	f    *float32
	s    string
}

func nodePB(name, op string, in, out []string, attrs ...attrPB) pb {
	var n pb
	for _, s := range in {
		n = n.str(1, s)
	}
	for _, s := range out {
		n = n.str(2, s)
	}
	n = n.str(3, name).str(4, op)
	for _, a := range attrs {
		var q pb
		q = q.str(1, a.name)
		switch {
		case a.ints != nil:
			q = q.packedInts(8, a.ints...).int(20, int64(AttrInts))
		case a.i != nil:
			q = q.int(3, *a.i).int(20, int64(AttrInt))
		case a.f != nil:
			q = q.f32(2, *a.f).int(20, int64(AttrFloat))
		default:
			q = q.str(4, a.s).int(20, int64(AttrString))
		}
		n = n.msg(5, q)
	}
	return n
}

func valueInfoPB(name string, dims ...int64) pb {
	var shape pb
	for _, d := range dims {
		if d < 0 {
			shape = shape.msg(1, pb(nil).str(2, "N"))
		} else {
			shape = shape.msg(1, pb(nil).int(1, d))
		}
	}
	tt := pb(nil).int(1, int64(Float)).msg(2, shape)
	return pb(nil).str(1, name).msg(2, pb(nil).msg(1, tt))
}

func modelPB(nodes []pb, inits []pb, inputs, outputs []pb) []byte {
	var g pb
	for _, n := range nodes {
		g = g.msg(1, n)
	}
	g = g.str(2, "test")
	for _, t := range inits {
		g = g.msg(5, t)
	}
	for _, v := range inputs {
		g = g.msg(11, v)
	}
	for _, v := range outputs {
		g = g.msg(12, v)
	}
	return pb(nil).int(1, 7).str(2, "qpeft-test").msg(7, g).msg(8, pb(nil).int(2, 13))
}

func i64(v int64) *int64      { return &v }
func f32p(v float32) *float32 { return &v }
