// Package nn is the small, fast neural-network stack that qpeft fine-tunes real pretrained
// networks with.
//
// # Shapes and precision
//
// A [Tensor] is a dense, row-major array with an explicit shape. Batches are the leading
// dimension (batch-major) and images are NCHW (batch, channels, height, width), as in PyTorch
// and ONNX. Layers are generic over the element type ([Float]: float32 or float64): production
// code runs in float32 on a blocked, multi-threaded SGEMM (an AVX2/FMA micro-kernel where the
// CPU has one); the tests instantiate the very same layers in float64 and check every gradient
// against central finite differences.
//
// Parameters ([Param]) are kept as float64 master copies whatever the compute type, so
// optimisers, gradient clipping, checkpoints and adapters (whose circuit gradients are float64)
// never round through float32. A layer converts its parameters to its compute type at the start
// of each Forward.
//
// # Layers and the LinearMap seam
//
// Every layer implements [Layer]: Forward(x) returns y and caches what Backward needs;
// Backward(dy) accumulates parameter gradients into [Param.Grad] and returns dx. A [Sequential]
// chains layers.
//
// [LinearMap] is the seam that adapters plug into. A LinearMap is a Layer that maps every row
// of an (rows x In) matrix to a row of an (rows x Out) matrix, y = x·Wᵀ + b for a [Linear].
// [Conv2D] is im2col followed by a LinearMap applied to the patch matrix (rows = batch x output
// pixels, columns = in-channels x kernel-height x kernel-width, the flattening of a PyTorch or
// ONNX conv weight OC x C x KH x KW), followed by a transpose back to NCHW. So an adapted
// linear layer W0 + ΔW written once as a LinearMap serves both a fully connected layer (replace
// the Linear in a Sequential) and a convolution (replace [Conv2D.Map]) unchanged.
//
// # Determinism
//
// Work is split over goroutines (runtime.GOMAXPROCS) by output element: every output value is
// computed by exactly one goroutine in a fixed order, and reductions over long dimensions are
// cut into chunks whose size depends only on the shapes, summed in chunk order. Results are
// therefore bit-identical for any number of threads and any scheduling on a given machine.
//
// # Concurrency
//
// A layer caches its input between Forward and Backward and owns scratch buffers: one layer
// value must not run Forward or Backward from two goroutines at once, and the caller must not
// modify a tensor passed to Forward before the matching Backward.
//
// # Panics
//
// As in gonum/mat, wrong shapes passed by code (a programmer error) panic with a message that
// names the layer and the shapes. Errors in user input (files, flags) are the business of the
// packages that read them (formats/onnx, data), which validate before building layers.
package nn
