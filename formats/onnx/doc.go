// Package onnx reads ONNX models and converts chains of common operators into nn
// networks with their pretrained weights, with no dependency beyond nn and the protobuf wire
// decoder google.golang.org/protobuf/encoding/protowire.
//
// The messages are decoded field by field on protowire: [Decode] reads a ModelProto (GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto and OperatorSetIdProto; unknown
// fields are skipped as protobuf requires). Malformed input (truncated data, a wrong wire
// type for a known field, varint overflow, lengths past the end, groups, negative dimensions)
// yields a [*DecodeError] naming the message path and byte offset; decoding never panics.
//
// [Convert] (or [Load] = Decode + Convert) turns a graph that is a single chain of
// [SupportedOps] into an [nn.Sequential]: Conv (group 1, dilation 1, explicit pads or
// auto_pad) becomes [nn.Conv2D] whose LinearMap holds the weight as an OC x (C·KH·KW) matrix;
// an Add of a per-channel/per-feature constant right after Conv, MatMul or Gemm becomes that
// layer's bias; MatMul and Gemm become [nn.Linear] (weights transposed to PyTorch's out x in);
// Reshape to (batch, features) and Flatten become [nn.Flatten]; constants (initializers,
// Constant nodes, Reshape of constants) are folded. Anything else is an error naming the node
// and listing the supported operators.
package onnx
