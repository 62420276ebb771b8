package sim

import (
	"fmt"
	"math"
	"os"
	"testing"
	"time"
	"unsafe"
)

// chunkTime is the fastest of 7 rounds of 4 calls of f, per call, in ns.
func chunkTime(f func()) float64 {
	f()
	best := math.Inf(1)
	for r := 0; r < 7; r++ {
		t := time.Now()
		for k := 0; k < 4; k++ {
			f()
		}
		best = min(best, float64(time.Since(t).Nanoseconds())/4)
	}
	return best
}

// BenchmarkChunkCost prints what one step costs per amplitude on a cache-resident chunk
// (512 KiB, one goroutine) for every kernel the cost model of 2-qubit fusion knows
// (costmodel.go) — ry (real 2x2), rx (complex 2x2), rz (1-qubit diagonal), cx with the
// control or the target on qubit q, cz and cp, and dense 4x4 blocks (real, complex) on
// (q, highest) and (q, q+1) — on complex128, complex64, float64 and float32 data, by lowest
// qubit q. QPEFT_BENCH_NOAVX512=1 times the AVX2 forms of the dense loops.
//
//	go test ./sim -run '^$' -bench ChunkCost -benchtime 1x
func BenchmarkChunkCost(b *testing.B) {
	if os.Getenv("QPEFT_BENCH_NOAVX512") != "" {
		defer func(v bool) { useDense4x512 = v }(useDense4x512)
		useDense4x512 = false
	}
	for _, tname := range []string{"c128", "c64", "f64", "f32"} {
		c := map[string]int{"c128": 15, "c64": 16, "f64": 16, "f32": 17}[tname]
		N := 1 << c
		c128 := make([]complex128, N)
		c64 := make([]complex64, N)
		f64 := make([]float64, N)
		f32 := make([]float32, N)
		for i := range c128 {
			c128[i] = complex(0.001*float64(i%7), 0.002)
			c64[i] = complex64(c128[i])
			f64[i] = 0.001 * float64(i%7)
			f32[i] = float32(f64[i])
		}
		apply := func(controls, targets []int, m []complex128) func() {
			switch tname {
			case "c128":
				if mr, ok := realCoefs(m, nil); ok {
					fv := unsafe.Slice((*float64)(unsafe.Pointer(&c128[0])), 2*N)
					if len(targets) == 2 && len(controls) == 0 && !isDiagonal(m, 4) {
						if _, _, ok := transposition(m, 4); !ok {
							pl := dense4PlanFor(2, targets, mr)
							if pl != nil {
								return func() { pl.run(unsafe.Pointer(&fv[0]), len(fv)) }
							}
						}
					}
					return func() { applyControlled(fv, 2, controls, targets, mr, 0) }
				}
				if len(targets) == 2 && len(controls) == 0 && !isDiagonal(m, 4) {
					pl := dense4PlanFor(1, targets, m)
					if pl != nil {
						return func() { pl.run(unsafe.Pointer(&c128[0]), N) }
					}
				}
				return func() { applyControlled(c128, 1, controls, targets, m, 0) }
			case "c64":
				m64 := make([]complex64, len(m))
				for i, v := range m {
					m64[i] = complex64(v)
				}
				if mr, ok := realCoefs(m, nil); ok {
					mr32 := make([]float32, len(mr))
					for i, v := range mr {
						mr32[i] = float32(v)
					}
					fv := unsafe.Slice((*float32)(unsafe.Pointer(&c64[0])), 2*N)
					if len(targets) == 2 && len(controls) == 0 && !isDiagonal(m, 4) {
						if _, _, ok := transposition(m, 4); !ok {
							pl := dense4PlanFor(2, targets, mr32)
							if pl != nil {
								return func() { pl.run(unsafe.Pointer(&fv[0]), len(fv)) }
							}
						}
					}
					return func() { applyControlled(fv, 2, controls, targets, mr32, 0) }
				}
				if len(targets) == 2 && len(controls) == 0 && !isDiagonal(m, 4) {
					pl := dense4PlanFor(1, targets, m64)
					if pl != nil {
						return func() { pl.run(unsafe.Pointer(&c64[0]), N) }
					}
				}
				return func() { applyControlled(c64, 1, controls, targets, m64, 0) }
			case "f64":
				mr, ok := realCoefs(m, nil)
				if !ok {
					return nil
				}
				if len(targets) == 2 && len(controls) == 0 && !isDiagonal(m, 4) {
					if _, _, ok := transposition(m, 4); !ok {
						if pl := dense4PlanFor(1, targets, mr); pl != nil {
							return func() { pl.run(unsafe.Pointer(&f64[0]), N) }
						}
					}
				}
				return func() { applyControlled(f64, 1, controls, targets, mr, 0) }
			default:
				mr, ok := realCoefs(m, nil)
				if !ok {
					return nil
				}
				mr32 := make([]float32, len(mr))
				for i, v := range mr {
					mr32[i] = float32(v)
				}
				if len(targets) == 2 && len(controls) == 0 && !isDiagonal(m, 4) {
					if _, _, ok := transposition(m, 4); !ok {
						if pl := dense4PlanFor(1, targets, mr32); pl != nil {
							return func() { pl.run(unsafe.Pointer(&f32[0]), N) }
						}
					}
				}
				return func() { applyControlled(f32, 1, controls, targets, mr32, 0) }
			}
		}
		th := 0.4
		ry := []complex128{complex(math.Cos(th), 0), complex(-math.Sin(th), 0), complex(math.Sin(th), 0), complex(math.Cos(th), 0)}
		rx := []complex128{complex(math.Cos(th), 0), complex(0, -math.Sin(th)), complex(0, -math.Sin(th)), complex(math.Cos(th), 0)}
		rz := []complex128{complex(math.Cos(th), -math.Sin(th)), 0, 0, complex(math.Cos(th), math.Sin(th))}
		x := []complex128{0, 1, 1, 0}
		cz := []complex128{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1}
		cp := []complex128{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, complex(math.Cos(th), math.Sin(th))}
		// A real orthogonal dense 4x4 (two rotations, Kronecker product) and a random
		// unitary: norm-preserving, so that repeated application keeps the data normal
		// (a contracting matrix drives float32 data into subnormals, 100x slower).
		c1, s1, c2, s2 := math.Cos(0.3), math.Sin(0.3), math.Cos(0.7), math.Sin(0.7)
		r1 := [4]float64{c1, -s1, s1, c1}
		r2 := [4]float64{c2, -s2, s2, c2}
		d4r := make([]complex128, 16)
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				d4r[i*4+j] = complex(r1[(i&1)*2+j&1]*r2[(i>>1)*2+j>>1], 0)
			}
		}
		d4c := randUnitary4(nil)
		fmt.Printf("%s (chunk 2^%d): ns/amp\n q   ry     rx     rz     cx(c=hi) cx(t=hi) cz     cp    d4r(hi) d4c(hi) d4r(q+1) d4c(q+1)\n", tname, c)
		for q := 0; q < c; q++ {
			hi := c - 1
			if q == hi {
				hi = 0
			}
			q1 := (q + 1) % c
			row := fmt.Sprintf("%2d", q)
			for _, f := range []func() func(){
				func() func() { return apply(nil, []int{q}, ry) },
				func() func() { return apply(nil, []int{q}, rx) },
				func() func() { return apply(nil, []int{q}, rz) },
				func() func() { return apply([]int{hi}, []int{q}, x) },
				func() func() { return apply([]int{q}, []int{hi}, x) },
				func() func() { return apply(nil, []int{q, hi}, cz) },
				func() func() { return apply(nil, []int{q, hi}, cp) },
				func() func() { return apply(nil, []int{q, hi}, d4r) },
				func() func() { return apply(nil, []int{q, hi}, d4c) },
				func() func() { return apply(nil, []int{q, q1}, d4r) },
				func() func() { return apply(nil, []int{q, q1}, d4c) },
			} {
				g := f()
				if g == nil {
					row += "     -"
					continue
				}
				row += fmt.Sprintf(" %6.3f", chunkTime(g)/float64(N))
			}
			fmt.Println(row)
		}
	}
}
