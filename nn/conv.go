package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Conv2DConfig describes a 2-D convolution over NCHW input (cross-correlation, as PyTorch and
// ONNX Conv, group 1, dilation 1).
type Conv2DConfig struct {
	InChannels, OutChannels int
	KernelH, KernelW        int
	// StrideH and StrideW default to 1 when 0.
	StrideH, StrideW int
	// Zero padding added on each side of the input.
	PadTop, PadLeft, PadBottom, PadRight int
	// Bias adds a per-output-channel bias (used by NewConv2D only).
	Bias bool
}

func (c Conv2DConfig) strides() (int, int) {
	sh, sw := c.StrideH, c.StrideW
	if sh == 0 {
		sh = 1
	}
	if sw == 0 {
		sw = 1
	}
	return sh, sw
}

// Validate reports whether the configuration is usable.
func (c Conv2DConfig) Validate() error {
	switch {
	case c.InChannels <= 0 || c.OutChannels <= 0:
		return fmt.Errorf("conv2d: channels in=%d out=%d must be positive", c.InChannels, c.OutChannels)
	case c.KernelH <= 0 || c.KernelW <= 0:
		return fmt.Errorf("conv2d: kernel %dx%d must be positive", c.KernelH, c.KernelW)
	case c.StrideH < 0 || c.StrideW < 0:
		return fmt.Errorf("conv2d: strides %d,%d must be positive", c.StrideH, c.StrideW)
	case c.PadTop < 0 || c.PadLeft < 0 || c.PadBottom < 0 || c.PadRight < 0:
		return errors.New("conv2d: padding must be non-negative")
	}
	return nil
}

// OutputSize returns the output height and width for an input of h x w, or an error if the
// padded input is smaller than the kernel.
func (c Conv2DConfig) OutputSize(h, w int) (oh, ow int, err error) {
	sh, sw := c.strides()
	return windowOutput("conv2d", h+c.PadTop+c.PadBottom, w+c.PadLeft+c.PadRight, c.KernelH, c.KernelW, sh, sw)
}

// windowOutput returns the number of positions of a kh x kw window moved by strides sh, sw
// over a padded input of ph x pw, or an error (naming layer) if the input is smaller than
// the window.
func windowOutput(layer string, ph, pw, kh, kw, sh, sw int) (oh, ow int, err error) {
	if ph < kh || pw < kw {
		return 0, 0, fmt.Errorf("%s: padded input %dx%d smaller than kernel %dx%d", layer, ph, pw, kh, kw)
	}
	return (ph-kh)/sh + 1, (pw-kw)/sw + 1, nil
}

// PatchSize returns InChannels·KernelH·KernelW, the In of the conv's LinearMap.
func (c Conv2DConfig) PatchSize() int { return c.InChannels * c.KernelH * c.KernelW }

// Conv2D is a 2-D convolution computed as im2col followed by a [LinearMap] applied to the
// patch matrix:
//
//	patches (N·OH·OW x C·KH·KW)  --Map-->  (N·OH·OW x OC)  --transpose-->  y (N, OC, OH, OW)
//
// Row r = (n·OH + oh)·OW + ow of the patch matrix holds the receptive field of output pixel
// (oh, ow) of image n, flattened in (c, kh, kw) order: the same order as a PyTorch/ONNX conv
// weight OC x C x KH x KW flattened to the OC x (C·KH·KW) matrix that Map's W holds. Replace
// Map by any LinearMap with Dims() == (OC, C·KH·KW), e.g. an adapted linear layer, to adapt
// the convolution. The patch tensor passed to Map.Forward belongs to the Conv2D and is
// overwritten by its next Forward; a Map may keep it until the matching Backward.
type Conv2D[T Float] struct {
	Config Conv2DConfig
	// Map is applied to the im2col patches; a *Linear by default.
	Map LinearMap[T]

	xShape []int
	oh, ow int
	cols   []T
	dyRows []T
}

// NewConv2D returns a convolution whose Map is a Linear named name (weight [OC, C·KH·KW]),
// initialised as PyTorch does (uniform ±1/√(C·KH·KW)). It panics on an invalid config.
func NewConv2D[T Float](name string, cfg Conv2DConfig, rng *rand.Rand) *Conv2D[T] {
	if err := cfg.Validate(); err != nil {
		panic("nn: NewConv2D: " + err.Error())
	}
	return &Conv2D[T]{Config: cfg, Map: NewLinear[T](name, cfg.PatchSize(), cfg.OutChannels, cfg.Bias, rng)}
}

// NewConv2DFrom returns a convolution applying m to its patches. It panics on an invalid
// config or if m.Dims() is not (OutChannels, InChannels·KernelH·KernelW).
func NewConv2DFrom[T Float](cfg Conv2DConfig, m LinearMap[T]) *Conv2D[T] {
	if err := cfg.Validate(); err != nil {
		panic("nn: NewConv2DFrom: " + err.Error())
	}
	if out, in := m.Dims(); out != cfg.OutChannels || in != cfg.PatchSize() {
		panic(fmt.Sprintf("nn: NewConv2DFrom: map dims (%d, %d), config needs (%d, %d)", out, in, cfg.OutChannels, cfg.PatchSize()))
	}
	return &Conv2D[T]{Config: cfg, Map: m}
}

// Forward convolves x of shape (N, C, H, W) and returns (N, OC, OH, OW).
func (cv *Conv2D[T]) Forward(x *Tensor[T]) *Tensor[T] {
	cfg := cv.Config
	if len(x.Shape) != 4 || x.Shape[1] != cfg.InChannels {
		panic(fmt.Sprintf("nn: Conv2D.Forward: input %v, want (N, %d, H, W)", x.Shape, cfg.InChannels))
	}
	n, c, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow, err := cfg.OutputSize(h, w)
	if err != nil {
		panic("nn: Conv2D.Forward: " + err.Error())
	}
	cv.xShape = append(cv.xShape[:0], x.Shape...)
	cv.oh, cv.ow = oh, ow
	k, p := cfg.PatchSize(), oh*ow
	cv.cols = ensure(cv.cols, n*p*k)
	sh, sw := cfg.strides()
	ParallelFor(n, 1, func(lo, hi int) {
		for img := lo; img < hi; img++ {
			im2col(cv.cols[img*p*k:(img+1)*p*k], x.Data[img*c*h*w:(img+1)*c*h*w], c, h, w, cfg.KernelH, cfg.KernelW, sh, sw, cfg.PadTop, cfg.PadLeft, oh, ow)
		}
	})
	y2 := cv.Map.Forward(FromSlice(cv.cols, n*p, k))
	oc := cfg.OutChannels
	if len(y2.Data) != n*p*oc {
		panic(fmt.Sprintf("nn: Conv2D.Forward: map returned %v, want (%d, %d)", y2.Shape, n*p, oc))
	}
	y := New[T](n, oc, oh, ow)
	transposeEach(y.Data, y2.Data, n, p, oc)
	return y
}

// transposeEach transposes n matrices stored one after another: src holds n rows × cols
// matrices (the map's (N·OH·OW, OC) output, or dy (N, OC, OH, OW)), dst gets their n
// transposes, one image per task of ParallelFor.
func transposeEach[T Float](dst, src []T, n, rows, cols int) {
	size := rows * cols
	ParallelFor(n, 1, func(lo, hi int) {
		for img := lo; img < hi; img++ {
			s, d := src[img*size:(img+1)*size], dst[img*size:(img+1)*size]
			for r := 0; r < rows; r++ {
				for c, v := range s[r*cols : (r+1)*cols] {
					d[c*rows+r] = v
				}
			}
		}
	})
}

// Backward returns ∂loss/∂x for dy of shape (N, OC, OH, OW), accumulating the map's
// parameter gradients.
func (cv *Conv2D[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	dyRows := cv.dyToRows(dy)
	cfg := cv.Config
	n, c, h, w := cv.xShape[0], cv.xShape[1], cv.xShape[2], cv.xShape[3]
	p, k := cv.oh*cv.ow, cfg.PatchSize()
	dcols := cv.Map.Backward(dyRows)
	if len(dcols.Data) != n*p*k {
		panic(fmt.Sprintf("nn: Conv2D.Backward: map returned %v, want (%d, %d)", dcols.Shape, n*p, k))
	}
	dx := New[T](n, c, h, w)
	sh, sw := cfg.strides()
	ParallelFor(n, 1, func(lo, hi int) {
		for img := lo; img < hi; img++ {
			col2im(dx.Data[img*c*h*w:(img+1)*c*h*w], dcols.Data[img*p*k:(img+1)*p*k], c, h, w, cfg.KernelH, cfg.KernelW, sh, sw, cfg.PadTop, cfg.PadLeft, cv.oh, cv.ow)
		}
	})
	return dx
}

// BackwardParams accumulates the map's parameter gradients without computing ∂loss/∂x
// (no patch gradient, no col2im when the map implements [ParamBackwarder]).
func (cv *Conv2D[T]) BackwardParams(dy *Tensor[T]) {
	BackwardParams(cv.Map, cv.dyToRows(dy))
}

// dyToRows transposes dy (N, OC, OH, OW) to the map's output layout (N·OH·OW, OC).
func (cv *Conv2D[T]) dyToRows(dy *Tensor[T]) *Tensor[T] {
	if cv.xShape == nil {
		panic("nn: Conv2D.Backward before Forward")
	}
	n, oc, p := cv.xShape[0], cv.Config.OutChannels, cv.oh*cv.ow
	if !slices.Equal(dy.Shape, []int{n, oc, cv.oh, cv.ow}) {
		panic(fmt.Sprintf("nn: Conv2D.Backward: dy %v, want %v", dy.Shape, []int{n, oc, cv.oh, cv.ow}))
	}
	cv.dyRows = ensure(cv.dyRows, n*p*oc)
	transposeEach(cv.dyRows, dy.Data, n, oc, p)
	return FromSlice(cv.dyRows, n*p, oc)
}

// Params returns the map's parameters.
func (cv *Conv2D[T]) Params() []*Param { return cv.Map.Params() }

// String describes the layer.
func (cv *Conv2D[T]) String() string {
	c := cv.Config
	sh, sw := c.strides()
	return fmt.Sprintf("Conv2D(in=%d, out=%d, kernel=%dx%d, stride=%d,%d, pad=%d,%d,%d,%d, map=%v)",
		c.InChannels, c.OutChannels, c.KernelH, c.KernelW, sh, sw, c.PadTop, c.PadLeft, c.PadBottom, c.PadRight, cv.Map)
}

// interior returns the range [lo, hi) of output columns xo whose receptive field
// [xo·sw − pl, xo·sw − pl + kw) lies inside a row of width w.
func interior(w, kw, sw, pl, ow int) (lo, hi int) {
	lo = ceilDiv(pl, sw)
	if w-kw+pl < 0 {
		return lo, lo
	}
	hi = min((w-kw+pl)/sw+1, ow)
	lo = min(lo, ow)
	return lo, max(hi, lo)
}

// im2col writes the patch matrix of one image (c x h x w) into cols (oh·ow x c·kh·kw).
// For each output row and kernel row it copies the kw-wide windows of one input line into
// the ow patch rows, the windows that overlap the padding element by element.
func im2col[T Float](cols, x []T, c, h, w, kh, kw, sh, sw, pt, pl, oh, ow int) {
	k := c * kh * kw
	xlo, xhi := interior(w, kw, sw, pl, ow)
	for y := 0; y < oh; y++ {
		block := cols[y*ow*k : (y+1)*ow*k]
		for ch := 0; ch < c; ch++ {
			for dy := 0; dy < kh; dy++ {
				q := (ch*kh + dy) * kw
				iy := y*sh - pt + dy
				if iy < 0 || iy >= h {
					for xo := 0; xo < ow; xo++ {
						clear(block[xo*k+q : xo*k+q+kw])
					}
					continue
				}
				line := x[(ch*h+iy)*w : (ch*h+iy+1)*w]
				copyWindows(block, line, k, q, kw, sw, pl, xlo, xhi)
				for xo := 0; xo < ow; xo++ {
					if xo >= xlo && xo < xhi {
						continue
					}
					dst := block[xo*k+q : xo*k+q+kw]
					ix0 := xo*sw - pl
					for dx := range dst {
						if ix := ix0 + dx; ix >= 0 && ix < w {
							dst[dx] = line[ix]
						} else {
							dst[dx] = 0
						}
					}
				}
			}
		}
	}
}

// col2im adds the patch-matrix gradient of one image back onto dx (c x h x w), in a fixed
// order: every element of dx receives its terms by output row, then output column.
func col2im[T Float](dx, cols []T, c, h, w, kh, kw, sh, sw, pt, pl, oh, ow int) {
	k := c * kh * kw
	xlo, xhi := interior(w, kw, sw, pl, ow)
	for y := 0; y < oh; y++ {
		block := cols[y*ow*k : (y+1)*ow*k]
		for ch := 0; ch < c; ch++ {
			for dy := 0; dy < kh; dy++ {
				iy := y*sh - pt + dy
				if iy < 0 || iy >= h {
					continue
				}
				q := (ch*kh + dy) * kw
				line := dx[(ch*h+iy)*w : (ch*h+iy+1)*w]
				for xo := 0; xo < ow; xo++ {
					src := block[xo*k+q : xo*k+q+kw]
					ix0 := xo*sw - pl
					if xo >= xlo && xo < xhi {
						seg := line[ix0 : ix0+kw]
						seg = seg[:len(src)]
						for j, v := range src {
							seg[j] += v
						}
						continue
					}
					for j, v := range src {
						if ix := ix0 + j; ix >= 0 && ix < w {
							line[ix] += v
						}
					}
				}
			}
		}
	}
}

// copyWindows copies the kw-wide windows line[xo·sw − pl :] of the output columns xo in
// [lo, hi) (inside the line) to block[xo·k + q :], with fixed-size copies for the common
// kernel widths (a loop over 3-7 elements per window costs more than the copy).
func copyWindows[T Float](block, line []T, k, q, kw, sw, pl, lo, hi int) {
	switch kw {
	case 3:
		for xo := lo; xo < hi; xo++ {
			*(*[3]T)(block[xo*k+q:]) = *(*[3]T)(line[xo*sw-pl:])
		}
	case 5:
		for xo := lo; xo < hi; xo++ {
			*(*[5]T)(block[xo*k+q:]) = *(*[5]T)(line[xo*sw-pl:])
		}
	case 7:
		for xo := lo; xo < hi; xo++ {
			*(*[7]T)(block[xo*k+q:]) = *(*[7]T)(line[xo*sw-pl:])
		}
	default:
		for xo := lo; xo < hi; xo++ {
			copy(block[xo*k+q:xo*k+q+kw], line[xo*sw-pl:xo*sw-pl+kw])
		}
	}
}
