package onnx

import (
	"fmt"
	"math"
)

// Model is an ONNX ModelProto (the subset qpeft reads; unknown fields are skipped).
type Model struct {
	IRVersion       int64
	OpsetImports    []OperatorSetID
	ProducerName    string
	ProducerVersion string
	Domain          string
	ModelVersion    int64
	DocString       string
	Graph           *Graph
}

// OperatorSetID names an operator set and its version; the default ONNX domain is "".
type OperatorSetID struct {
	Domain  string
	Version int64
}

// Graph is an ONNX GraphProto: nodes in topological order, constant initializers, and the
// declared inputs and outputs.
type Graph struct {
	Name         string
	Nodes        []*Node
	Initializers []*Tensor
	Inputs       []*ValueInfo
	Outputs      []*ValueInfo
	ValueInfo    []*ValueInfo
	DocString    string
}

// Node is an ONNX NodeProto: one operator application.
type Node struct {
	Name       string
	OpType     string
	Domain     string
	Inputs     []string
	Outputs    []string
	Attributes []*Attribute
	DocString  string
}

// AttributeType is ONNX's AttributeProto.AttributeType.
type AttributeType int32

// Attribute types.
const (
	AttrUndefined AttributeType = 0
	AttrFloat     AttributeType = 1
	AttrInt       AttributeType = 2
	AttrString    AttributeType = 3
	AttrTensor    AttributeType = 4
	AttrGraph     AttributeType = 5
	AttrFloats    AttributeType = 6
	AttrInts      AttributeType = 7
	AttrStrings   AttributeType = 8
	AttrTensors   AttributeType = 9
	AttrGraphs    AttributeType = 10
)

// Attribute is an ONNX AttributeProto; the field matching Type holds the value.
type Attribute struct {
	Name    string
	Type    AttributeType
	F       float32
	I       int64
	S       []byte
	T       *Tensor
	G       *Graph
	Floats  []float32
	Ints    []int64
	Strings [][]byte
	Tensors []*Tensor
	Graphs  []*Graph
}

// DataType is ONNX's TensorProto.DataType.
type DataType int32

// Tensor element types (the ones qpeft can convert to numbers are FLOAT, DOUBLE, INT32,
// INT64, UINT8, INT8).
const (
	Undefined DataType = 0
	Float     DataType = 1
	Uint8     DataType = 2
	Int8      DataType = 3
	Uint16    DataType = 4
	Int16     DataType = 5
	Int32     DataType = 6
	Int64     DataType = 7
	String    DataType = 8
	Bool      DataType = 9
	Float16   DataType = 10
	Double    DataType = 11
	Uint32    DataType = 12
	Uint64    DataType = 13
)

var dataTypeNames = map[DataType]string{Undefined: "UNDEFINED", Float: "FLOAT", Uint8: "UINT8", Int8: "INT8",
	Uint16: "UINT16", Int16: "INT16", Int32: "INT32", Int64: "INT64", String: "STRING", Bool: "BOOL",
	Float16: "FLOAT16", Double: "DOUBLE", Uint32: "UINT32", Uint64: "UINT64"}

// String returns the ONNX name of the type.
func (d DataType) String() string {
	if s, ok := dataTypeNames[d]; ok {
		return s
	}
	return fmt.Sprintf("DataType(%d)", int32(d))
}

// Tensor is an ONNX TensorProto. Values live in RawData (little-endian) or in the typed
// field for the DataType; use [Tensor.Float32s] or [Tensor.Int64s] to read them.
type Tensor struct {
	Name         string
	Dims         []int64
	DataType     DataType
	FloatData    []float32
	Int32Data    []int64 // int32_data also carries uint8, int8, int16, uint16, bool, float16
	Int64Data    []int64
	DoubleData   []float64
	Uint64Data   []uint64
	StringData   [][]byte
	RawData      []byte
	External     bool // data_location EXTERNAL or external_data present (not supported)
	hasRawData   bool
	decodeOffset int
}

// ValueInfo is an ONNX ValueInfoProto restricted to tensor types.
type ValueInfo struct {
	Name string
	// ElemType is the tensor element type (Undefined if the value is not a tensor).
	ElemType DataType
	// Shape holds the dimensions; nil means the rank is unknown.
	Shape []Dim
}

// Dim is one dimension of a declared shape: a fixed Value (>= 0) or a symbolic Param such as
// "N"; both empty means unknown.
type Dim struct {
	Value int64
	Param string
	Known bool
}

// Decode parses a serialized ONNX ModelProto.
func Decode(b []byte) (*Model, error) {
	if len(b) == 0 {
		return nil, &DecodeError{Path: "model", Msg: "empty input"}
	}
	return decodeModel(b)
}

// DecodeTensor parses a serialized TensorProto (the input_N.pb / output_N.pb files of the
// ONNX test data sets).
func DecodeTensor(b []byte) (*Tensor, error) {
	if len(b) == 0 {
		return nil, &DecodeError{Path: "tensor", Msg: "empty input"}
	}
	return decodeTensor(b, 0, "tensor")
}

func decodeModel(b []byte) (*Model, error) {
	m := &Model{}
	err := newReader(b, 0, "model").fields(func(r *reader, f, t int) (err error) {
		switch f {
		case 1:
			m.IRVersion, err = r.int64Field(t, "ir_version")
		case 2:
			m.ProducerName, err = r.stringField(t, "producer_name")
		case 3:
			m.ProducerVersion, err = r.stringField(t, "producer_version")
		case 4:
			m.Domain, err = r.stringField(t, "domain")
		case 5:
			m.ModelVersion, err = r.int64Field(t, "model_version")
		case 6:
			m.DocString, err = r.stringField(t, "doc_string")
		case 7:
			m.Graph, err = message(r, t, "graph", func(b []byte, off int, path string) (*Graph, error) {
				return decodeGraph(b, off, path, 0)
			})
		case 8:
			return appendMessage(r, t, "opset_import", &m.OpsetImports, decodeOpset)
		default:
			return r.skip(t)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if m.Graph == nil {
		return nil, &DecodeError{Path: "model", Offset: len(b), Msg: "no graph (is this an ONNX model file?)"}
	}
	return m, nil
}

// fields calls field with the number and wire type of each field of r's message in turn,
// and stops at the first error; field reads the field's value (or skips it, r.skip).
func (r *reader) fields(field func(r *reader, f, t int) error) error {
	for !r.done() {
		f, t, err := r.next()
		if err != nil {
			return err
		}
		if err := field(r, f, t); err != nil {
			return err
		}
	}
	return nil
}

// message reads the embedded message field name and decodes it with decode, whose path is
// the reader's path and the field name.
func message[T any](r *reader, t int, name string, decode func(b []byte, off int, path string) (T, error)) (T, error) {
	sub, off, err := r.bytesField(t, name)
	if err != nil {
		var zero T
		return zero, err
	}
	return decode(sub, off, r.path+"."+name)
}

// appendMessage reads the next element of the repeated message field name, decodes it with
// decode (its path ends in name[i]) and appends it to *dst.
func appendMessage[T any](r *reader, t int, name string, dst *[]T, decode func(b []byte, off int, path string) (T, error)) error {
	sub, off, err := r.bytesField(t, name)
	if err != nil {
		return err
	}
	v, err := decode(sub, off, fmt.Sprintf("%s.%s[%d]", r.path, name, len(*dst)))
	*dst = append(*dst, v)
	return err
}

func decodeOpset(b []byte, off int, path string) (OperatorSetID, error) {
	var id OperatorSetID
	err := newReader(b, off, path).fields(func(r *reader, f, t int) (err error) {
		switch f {
		case 1:
			id.Domain, err = r.stringField(t, "domain")
		case 2:
			id.Version, err = r.int64Field(t, "version")
		default:
			err = r.skip(t)
		}
		return err
	})
	return id, err
}

func decodeGraph(b []byte, off int, path string, depth int) (*Graph, error) {
	if depth > maxDepth {
		return nil, &DecodeError{Path: path, Offset: off, Msg: fmt.Sprintf("graphs nested deeper than %d", maxDepth)}
	}
	g := &Graph{}
	err := newReader(b, off, path).fields(func(r *reader, f, t int) (err error) {
		switch f {
		case 1:
			return appendMessage(r, t, "node", &g.Nodes, func(b []byte, off int, path string) (*Node, error) {
				return decodeNode(b, off, path, depth)
			})
		case 2:
			g.Name, err = r.stringField(t, "name")
		case 5:
			return appendMessage(r, t, "initializer", &g.Initializers, decodeTensor)
		case 10:
			g.DocString, err = r.stringField(t, "doc_string")
		case 11:
			return appendMessage(r, t, "input", &g.Inputs, decodeValueInfo)
		case 12:
			return appendMessage(r, t, "output", &g.Outputs, decodeValueInfo)
		case 13:
			return appendMessage(r, t, "value_info", &g.ValueInfo, decodeValueInfo)
		default:
			err = r.skip(t)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

func decodeNode(b []byte, off int, path string, depth int) (*Node, error) {
	n := &Node{}
	err := newReader(b, off, path).fields(func(r *reader, f, t int) (err error) {
		var s string
		switch f {
		case 1:
			if s, err = r.stringField(t, "input"); err == nil {
				n.Inputs = append(n.Inputs, s)
			}
		case 2:
			if s, err = r.stringField(t, "output"); err == nil {
				n.Outputs = append(n.Outputs, s)
			}
		case 3:
			n.Name, err = r.stringField(t, "name")
		case 4:
			n.OpType, err = r.stringField(t, "op_type")
		case 5:
			return appendMessage(r, t, "attribute", &n.Attributes, func(b []byte, off int, path string) (*Attribute, error) {
				return decodeAttribute(b, off, path, depth)
			})
		case 6:
			n.DocString, err = r.stringField(t, "doc_string")
		case 7:
			n.Domain, err = r.stringField(t, "domain")
		default:
			err = r.skip(t)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

func decodeAttribute(b []byte, off int, path string, depth int) (*Attribute, error) {
	a := &Attribute{}
	subgraph := func(b []byte, off int, path string) (*Graph, error) { return decodeGraph(b, off, path, depth+1) }
	err := newReader(b, off, path).fields(func(r *reader, f, t int) (err error) {
		switch f {
		case 1:
			a.Name, err = r.stringField(t, "name")
		case 20:
			var v int64
			v, err = r.int64Field(t, "type")
			a.Type = AttributeType(v)
		case 2:
			a.F, err = r.float32Field(t, "f")
		case 3:
			a.I, err = r.int64Field(t, "i")
		case 4:
			a.S, _, err = r.bytesField(t, "s")
		case 5:
			a.T, err = message(r, t, "t", decodeTensor)
		case 6:
			a.G, err = message(r, t, "g", subgraph)
		case 7:
			a.Floats, err = r.fixed32s(t, "floats", a.Floats)
		case 8:
			a.Ints, err = r.varints(t, "ints", a.Ints)
		case 9:
			var s []byte
			if s, _, err = r.bytesField(t, "strings"); err == nil {
				a.Strings = append(a.Strings, s)
			}
		case 10:
			return appendMessage(r, t, "tensors", &a.Tensors, decodeTensor)
		case 11:
			return appendMessage(r, t, "graphs", &a.Graphs, subgraph)
		default:
			err = r.skip(t)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func decodeTensor(b []byte, off int, path string) (*Tensor, error) {
	tn := &Tensor{decodeOffset: off}
	err := newReader(b, off, path).fields(func(r *reader, f, t int) (err error) {
		switch f {
		case 1:
			tn.Dims, err = r.varints(t, "dims", tn.Dims)
		case 2:
			var v int64
			v, err = r.int64Field(t, "data_type")
			tn.DataType = DataType(v)
		case 4:
			tn.FloatData, err = r.fixed32s(t, "float_data", tn.FloatData)
		case 5:
			tn.Int32Data, err = r.varints(t, "int32_data", tn.Int32Data)
		case 6:
			var s []byte
			if s, _, err = r.bytesField(t, "string_data"); err == nil {
				tn.StringData = append(tn.StringData, s)
			}
		case 7:
			tn.Int64Data, err = r.varints(t, "int64_data", tn.Int64Data)
		case 8:
			tn.Name, err = r.stringField(t, "name")
		case 9:
			tn.RawData, _, err = r.bytesField(t, "raw_data")
			tn.hasRawData = true
		case 10:
			var u []uint64
			u, err = r.fixed64s(t, "double_data", nil)
			for _, v := range u {
				tn.DoubleData = append(tn.DoubleData, math.Float64frombits(v))
			}
		case 11:
			tn.Uint64Data, err = r.varints64u(t, "uint64_data", tn.Uint64Data)
		case 13:
			if err = r.want(t, wireBytes, "external_data"); err == nil {
				_, _, err = r.lenDelim()
				tn.External = true
			}
		case 14:
			var v int64
			v, err = r.int64Field(t, "data_location")
			tn.External = tn.External || v == 1
		default:
			err = r.skip(t)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, d := range tn.Dims {
		if d < 0 {
			return nil, &DecodeError{Path: path, Offset: off, Msg: fmt.Sprintf("negative dimension in dims %v", tn.Dims)}
		}
	}
	return tn, nil
}

// varints64u appends a repeated uint64 varint field, packed or not.
func (r *reader) varints64u(typ int, name string, dst []uint64) ([]uint64, error) {
	return repeated(r, typ, wireVarint, 0, name, dst, (*reader).varint)
}

func decodeValueInfo(b []byte, off int, path string) (*ValueInfo, error) {
	vi := &ValueInfo{}
	err := newReader(b, off, path).fields(func(r *reader, f, t int) (err error) {
		switch f {
		case 1:
			vi.Name, err = r.stringField(t, "name")
		case 2:
			_, err = message(r, t, "type", func(b []byte, off int, path string) (struct{}, error) {
				return struct{}{}, decodeTypeProto(b, off, path, vi)
			})
		default:
			err = r.skip(t)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return vi, nil
}

// decodeTypeProto reads TypeProto.tensor_type (field 1) → elem_type (1), shape (2) →
// dim (1) → dim_value (1) | dim_param (2).
func decodeTypeProto(b []byte, off int, path string, vi *ValueInfo) error {
	return newReader(b, off, path).fields(func(r *reader, f, t int) error {
		if f != 1 {
			return r.skip(t)
		}
		_, err := message(r, t, "tensor_type", func(b []byte, off int, path string) (struct{}, error) {
			return struct{}{}, newReader(b, off, path).fields(func(r *reader, f, t int) (err error) {
				switch f {
				case 1:
					var v int64
					v, err = r.int64Field(t, "elem_type")
					vi.ElemType = DataType(v)
				case 2:
					vi.Shape, err = message(r, t, "shape", decodeShape)
				default:
					err = r.skip(t)
				}
				return err
			})
		})
		return err
	})
}

func decodeShape(b []byte, off int, path string) ([]Dim, error) {
	dims := []Dim{}
	err := newReader(b, off, path).fields(func(r *reader, f, t int) error {
		if f != 1 {
			return r.skip(t)
		}
		return appendMessage(r, t, "dim", &dims, decodeDim)
	})
	if err != nil {
		return nil, err
	}
	return dims, nil
}

func decodeDim(b []byte, off int, path string) (Dim, error) {
	var d Dim
	err := newReader(b, off, path).fields(func(r *reader, f, t int) (err error) {
		switch f {
		case 1:
			d.Value, err = r.int64Field(t, "dim_value")
			d.Known = true
		case 2:
			d.Param, err = r.stringField(t, "dim_param")
		default:
			err = r.skip(t)
		}
		return err
	})
	return d, err
}
