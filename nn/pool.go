package nn

import (
	"fmt"
	"math"
)

// MaxPool2DConfig describes 2-D max pooling over NCHW input (ONNX MaxPool with ceil_mode 0,
// dilation 1; padded cells never win).
type MaxPool2DConfig struct {
	KernelH, KernelW int
	// StrideH and StrideW default to the kernel size when 0.
	StrideH, StrideW                     int
	PadTop, PadLeft, PadBottom, PadRight int
}

func (c MaxPool2DConfig) strides() (int, int) {
	sh, sw := c.StrideH, c.StrideW
	if sh == 0 {
		sh = c.KernelH
	}
	if sw == 0 {
		sw = c.KernelW
	}
	return sh, sw
}

// Validate reports whether the configuration is usable (positive kernel, non-negative
// strides, padding smaller than the kernel so every window holds an input cell).
func (c MaxPool2DConfig) Validate() error {
	if c.KernelH <= 0 || c.KernelW <= 0 {
		return fmt.Errorf("maxpool: kernel %dx%d must be positive", c.KernelH, c.KernelW)
	}
	if c.StrideH < 0 || c.StrideW < 0 {
		return fmt.Errorf("maxpool: strides %d,%d must be positive", c.StrideH, c.StrideW)
	}
	if c.PadTop < 0 || c.PadBottom < 0 || c.PadLeft < 0 || c.PadRight < 0 ||
		c.PadTop >= c.KernelH || c.PadBottom >= c.KernelH || c.PadLeft >= c.KernelW || c.PadRight >= c.KernelW {
		return fmt.Errorf("maxpool: padding %d,%d,%d,%d must be non-negative and smaller than the kernel %dx%d",
			c.PadTop, c.PadLeft, c.PadBottom, c.PadRight, c.KernelH, c.KernelW)
	}
	return nil
}

// OutputSize returns floor((h + pads − kernel)/stride) + 1 per axis, or an error if the
// padded input is smaller than the kernel.
func (c MaxPool2DConfig) OutputSize(h, w int) (oh, ow int, err error) {
	sh, sw := c.strides()
	return windowOutput("maxpool", h+c.PadTop+c.PadBottom, w+c.PadLeft+c.PadRight, c.KernelH, c.KernelW, sh, sw)
}

// MaxPool2D takes the maximum over each window of every channel. Ties go to the first
// maximum in row-major window order, which also receives the whole gradient.
type MaxPool2D[T Float] struct {
	Config MaxPool2DConfig

	xShape []int
	arg    []int32 // per output: index of the winning input within its plane
}

// NewMaxPool2D returns a max-pooling layer. It panics on an invalid config.
func NewMaxPool2D[T Float](cfg MaxPool2DConfig) *MaxPool2D[T] {
	if err := cfg.Validate(); err != nil {
		panic("nn: NewMaxPool2D: " + err.Error())
	}
	return &MaxPool2D[T]{Config: cfg}
}

// Forward pools x of shape (N, C, H, W) to (N, C, OH, OW).
func (mp *MaxPool2D[T]) Forward(x *Tensor[T]) *Tensor[T] {
	if len(x.Shape) != 4 {
		panic(fmt.Sprintf("nn: MaxPool2D.Forward: input %v, want (N, C, H, W)", x.Shape))
	}
	cfg := mp.Config
	n, c, h, w := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow, err := cfg.OutputSize(h, w)
	if err != nil {
		panic("nn: MaxPool2D.Forward: " + err.Error())
	}
	sh, sw := cfg.strides()
	mp.xShape = append(mp.xShape[:0], x.Shape...)
	mp.arg = ensure(mp.arg, n*c*oh*ow)
	y := New[T](n, c, oh, ow)
	ParallelFor(n*c, 4, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			in := x.Data[pl*h*w : (pl+1)*h*w]
			out := y.Data[pl*oh*ow : (pl+1)*oh*ow]
			arg := mp.arg[pl*oh*ow : (pl+1)*oh*ow]
			if cfg.PadTop == 0 && cfg.PadLeft == 0 && cfg.PadBottom == 0 && cfg.PadRight == 0 {
				// Every window lies inside the input: no bounds checks per cell.
				for yo := 0; yo < oh; yo++ {
					for xo := 0; xo < ow; xo++ {
						i0 := yo*sh*w + xo*sw
						best, bi := in[i0], int32(i0)
						for dy := 0; dy < cfg.KernelH; dy++ {
							line := in[i0+dy*w : i0+dy*w+cfg.KernelW]
							for dx, v := range line {
								if v > best {
									best, bi = v, int32(i0+dy*w+dx)
								}
							}
						}
						out[yo*ow+xo] = best
						arg[yo*ow+xo] = bi
					}
				}
				continue
			}
			for yo := 0; yo < oh; yo++ {
				for xo := 0; xo < ow; xo++ {
					best, bi := T(math.Inf(-1)), int32(-1)
					for dy := 0; dy < cfg.KernelH; dy++ {
						iy := yo*sh - cfg.PadTop + dy
						if iy < 0 || iy >= h {
							continue
						}
						for dx := 0; dx < cfg.KernelW; dx++ {
							ix := xo*sw - cfg.PadLeft + dx
							if ix < 0 || ix >= w {
								continue
							}
							if v := in[iy*w+ix]; v > best || bi < 0 {
								best, bi = v, int32(iy*w+ix)
							}
						}
					}
					out[yo*ow+xo] = best
					arg[yo*ow+xo] = bi
				}
			}
		}
	})
	return y
}

// Backward routes each output gradient to the input cell that won the forward maximum.
func (mp *MaxPool2D[T]) Backward(dy *Tensor[T]) *Tensor[T] {
	if mp.xShape == nil {
		panic("nn: MaxPool2D.Backward before Forward")
	}
	n, c, h, w := mp.xShape[0], mp.xShape[1], mp.xShape[2], mp.xShape[3]
	if len(dy.Shape) != 4 || dy.Shape[0] != n || dy.Shape[1] != c || len(dy.Data) != len(mp.arg) {
		panic(fmt.Sprintf("nn: MaxPool2D.Backward: dy %v does not match the last Forward", dy.Shape))
	}
	op := dy.Shape[2] * dy.Shape[3]
	dx := New[T](n, c, h, w)
	ParallelFor(n*c, 4, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			d := dx.Data[pl*h*w : (pl+1)*h*w]
			for q, v := range dy.Data[pl*op : (pl+1)*op] {
				d[mp.arg[pl*op+q]] += v
			}
		}
	})
	return dx
}

// Params returns nil.
func (mp *MaxPool2D[T]) Params() []*Param { return nil }

// String describes the layer.
func (mp *MaxPool2D[T]) String() string {
	c := mp.Config
	sh, sw := c.strides()
	return fmt.Sprintf("MaxPool2D(kernel=%dx%d, stride=%d,%d, pad=%d,%d,%d,%d)", c.KernelH, c.KernelW, sh, sw, c.PadTop, c.PadLeft, c.PadBottom, c.PadRight)
}
