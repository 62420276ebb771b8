package nn

import (
	"fmt"
	"sync"
)

// Micro-tile and block sizes of the packed GEMM (BLIS-style). The AVX2 kernel computes a
// gemmMR x gemmNR tile of C from packed panels; blocks of gemmMC x gemmNC of C are independent
// units of parallel work; gemmKC is the depth of one packed block.
const (
	gemmMR = 6
	gemmNR = 16
	gemmMC = 96
	gemmNC = 512
	gemmKC = 256
	// A product whose C has fewer than gemmSplitTiles blocks and depth at least
	// 2*gemmKChunk is cut along k into chunks of gemmKChunk, computed in parallel into
	// partial buffers and summed in chunk order (weight gradients: small C, long k).
	gemmSplitTiles = 4
	gemmKChunk     = 1024
	// A block of C at most gemmDirectN columns wide reads a row-major A (unit column stride)
	// in place instead of packing it (float32 AVX2 kernel): with so few B panels the packed
	// A would be used once or twice, and packing a tall A (an im2col patch matrix, an
	// activation) costs more than the arithmetic of such a thin product.
	gemmDirectN = 32
)

// useDirectA enables the direct-A kernel; tests switch it off to compare with packed A.
var useDirectA = true

// Gemm computes C = op(A)·op(B) (accumulate false) or C += op(A)·op(B) (accumulate true),
// where op(A) is m x k and op(B) is k x n, all row-major: A is m x k with leading dimension
// lda (k x m when transA), B is k x n with leading dimension ldb (n x k when transB), C is
// m x n with leading dimension ldc.
//
// The product runs over all available cores (GOMAXPROCS) with results that do not depend on
// the number of threads; float32 uses an AVX2/FMA micro-kernel when the CPU supports it.
// Gemm panics if a slice is too short for its shape (a programmer error).
func Gemm[T Float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, accumulate bool, c []T, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("nn: Gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	rsa, csa := lda, 1
	if transA {
		ar, ac = k, m
		rsa, csa = 1, lda
	}
	br, bc := k, n
	rsb, csb := ldb, 1
	if transB {
		br, bc = n, k
		rsb, csb = 1, ldb
	}
	checkMat("A", len(a), ar, ac, lda)
	checkMat("B", len(b), br, bc, ldb)
	checkMat("C", len(c), m, n, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	gemmStrided(m, n, k, a, rsa, csa, b, rsb, csb, !accumulate, c, ldc, 1)
}

func checkMat(name string, have, rows, cols, ld int) {
	if rows == 0 || cols == 0 {
		return
	}
	if ld < cols {
		panic(fmt.Sprintf("nn: Gemm: leading dimension of %s is %d < %d columns", name, ld, cols))
	}
	if need := (rows-1)*ld + cols; have < need {
		panic(fmt.Sprintf("nn: Gemm: %s has %d elements, %d x %d with ld %d needs %d", name, have, rows, cols, ld, need))
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// gemmStrided computes C += A·B (C = A·B when overwrite) with general row/column strides.
func gemmStrided[T Float](m, n, k int, a []T, rsa, csa int, b []T, rsb, csb int, overwrite bool, c []T, rsc, csc int) {
	// Orientation: computing Cᵀ = Bᵀ·Aᵀ gives the same sums in the same order; pick the one
	// that wastes less of the MR x NR micro-tile on padding.
	// Swapping makes a row-major C column-strided (tiles stored element by element, no
	// direct store from the kernel), so it must save more than a tenth of the padding.
	padSwap, padKeep := ceilDiv(n, gemmMR)*gemmMR*ceilDiv(m, gemmNR)*gemmNR, ceilDiv(m, gemmMR)*gemmMR*ceilDiv(n, gemmNR)*gemmNR
	swap := padSwap < padKeep
	if csc == 1 && rsc != 1 {
		swap = 10*padSwap < 9*padKeep
	}
	if directA[T]() {
		// Prefer the orientation in which a thin product reads its tall operand in place.
		if d0, d1 := csa == 1 && n <= gemmDirectN, rsb == 1 && m <= gemmDirectN; d0 != d1 {
			swap = d1
		}
	}
	if swap {
		m, n = n, m
		a, b = b, a
		rsa, csa, rsb, csb = csb, rsb, csa, rsa
		rsc, csc = csc, rsc
	}
	tilesM, tilesN := ceilDiv(m, gemmMC), ceilDiv(n, gemmNC)
	if tilesM*tilesN < gemmSplitTiles && k >= 2*gemmKChunk {
		gemmSplitK(m, n, k, a, rsa, csa, b, rsb, csb, overwrite, c, rsc, csc)
		return
	}
	// Parallel over independent MC x NC blocks of C; each packs its own panels.
	minFlops := 1 << 16
	grain := 1
	if f := 2 * gemmMC * gemmNC * k; f < minFlops {
		grain = ceilDiv(minFlops, f)
	}
	ParallelFor(tilesM*tilesN, grain, func(lo, hi int) {
		ws := getWorkspace[T]()
		for t := lo; t < hi; t++ {
			ic, jc := (t/tilesN)*gemmMC, (t%tilesN)*gemmNC
			mc, nc := min(gemmMC, m-ic), min(gemmNC, n-jc)
			gemmBlock(ws, mc, nc, k, a[ic*rsa:], rsa, csa, b[jc*csb:], rsb, csb, overwrite, c[ic*rsc+jc*csc:], rsc, csc)
		}
		putWorkspace(ws)
	})
}

// gemmSplitK cuts k into fixed chunks, computes each partial product in parallel and adds the
// partials to C in chunk order.
func gemmSplitK[T Float](m, n, k int, a []T, rsa, csa int, b []T, rsb, csb int, overwrite bool, c []T, rsc, csc int) {
	chunks := ceilDiv(k, gemmKChunk)
	part := make([]T, chunks*m*n)
	ParallelFor(chunks, 1, func(lo, hi int) {
		ws := getWorkspace[T]()
		for q := lo; q < hi; q++ {
			p0 := q * gemmKChunk
			kc := min(gemmKChunk, k-p0)
			pc := part[q*m*n : (q+1)*m*n]
			for ic := 0; ic < m; ic += gemmMC {
				for jc := 0; jc < n; jc += gemmNC {
					gemmBlock(ws, min(gemmMC, m-ic), min(gemmNC, n-jc), kc, a[ic*rsa+p0*csa:], rsa, csa,
						b[p0*rsb+jc*csb:], rsb, csb, true, pc[ic*n+jc:], n, 1)
				}
			}
		}
		putWorkspace(ws)
	})
	for q := 0; q < chunks; q++ {
		pc := part[q*m*n : (q+1)*m*n]
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				if overwrite && q == 0 {
					c[i*rsc+j*csc] = pc[i*n+j]
				} else {
					c[i*rsc+j*csc] += pc[i*n+j]
				}
			}
		}
	}
}

type gemmWorkspace[T Float] struct {
	ap, bp []T
	tile   [gemmMR * gemmNR]T
}

var workspacePools sync.Map // reflect-free: key is a zero value of the element type

// getWorkspace returns packing buffers (≈ 0.6 MB for float32) from a per-type pool.
func getWorkspace[T Float]() *gemmWorkspace[T] {
	var zero T
	p, _ := workspacePools.LoadOrStore(any(zero), &sync.Pool{New: func() any {
		return &gemmWorkspace[T]{ap: make([]T, gemmMC*gemmKC), bp: make([]T, gemmKC*gemmNC)}
	}})
	return p.(*sync.Pool).Get().(*gemmWorkspace[T])
}

func putWorkspace[T Float](ws *gemmWorkspace[T]) {
	var zero T
	if p, ok := workspacePools.Load(any(zero)); ok {
		p.(*sync.Pool).Put(ws)
	}
}

// gemmBlock computes C(mc x nc) += A(mc x k)·B(k x nc) (= when overwrite), blocking k by
// gemmKC; k >= 1. A thin block (nc <= gemmDirectN) with a row-major A reads A in place
// where the kernel allows it; every path accumulates in the same order.
func gemmBlock[T Float](ws *gemmWorkspace[T], mc, nc, k int, a []T, rsa, csa int, b []T, rsb, csb int, overwrite bool, c []T, rsc, csc int) {
	direct := csa == 1 && nc <= gemmDirectN && directA[T]()
	for pc := 0; pc < k; pc += gemmKC {
		store := overwrite && pc == 0
		kc := min(gemmKC, k-pc)
		if !direct {
			packA(ws.ap, mc, kc, a[pc*csa:], rsa, csa)
		}
		packB(ws.bp, kc, nc, b[pc*rsb:], rsb, csb)
		for jr := 0; jr < nc; jr += gemmNR {
			nr := min(gemmNR, nc-jr)
			bpan := ws.bp[(jr/gemmNR)*kc*gemmNR:]
			for ir := 0; ir < mc; ir += gemmMR {
				mr := min(gemmMR, mc-ir)
				switch {
				case direct && mr == gemmMR:
					arow := a[ir*rsa+pc:]
					if nr == gemmNR && csc == 1 && kernel32D(kc, arow, rsa, bpan, c[ir*rsc+jr:], rsc, store) {
						continue
					}
					kernel32D(kc, arow, rsa, bpan, ws.tile[:], gemmNR, true)
				case direct:
					// The last, partial row panel: pack it alone.
					packA(ws.ap, mr, kc, a[ir*rsa+pc:], rsa, csa)
					microKernel(kc, ws.ap, bpan, &ws.tile)
				default:
					apan := ws.ap[(ir/gemmMR)*kc*gemmMR:]
					if mr == gemmMR && nr == gemmNR && csc == 1 && kernel32C(kc, apan, bpan, c[ir*rsc+jr:], rsc, store) {
						continue
					}
					microKernel(kc, apan, bpan, &ws.tile)
				}
				storeTile(&ws.tile, mr, nr, store, c[ir*rsc+jr*csc:], rsc, csc)
			}
		}
	}
}

// storeTile writes (store) or adds the top-left mr x nr of tile into C.
func storeTile[T Float](t *[gemmMR * gemmNR]T, mr, nr int, store bool, c []T, rsc, csc int) {
	for i := 0; i < mr; i++ {
		row := c[i*rsc:]
		ti := t[i*gemmNR : i*gemmNR+nr]
		switch {
		case store && csc == 1:
			copy(row[:nr], ti)
		case store:
			for j, v := range ti {
				row[j*csc] = v
			}
		case csc == 1:
			row = row[:nr]
			for j, v := range ti {
				row[j] += v
			}
		default:
			for j, v := range ti {
				row[j*csc] += v
			}
		}
	}
}

// packA packs an mc x kc block of A into MR-row panels, zero padded: panel r holds, for each
// p, the MR values A(r*MR+i, p).
func packA[T Float](dst []T, mc, kc int, a []T, rsa, csa int) {
	for ir := 0; ir < mc; ir += gemmMR {
		mr := min(gemmMR, mc-ir)
		pan := dst[(ir/gemmMR)*kc*gemmMR : (ir/gemmMR+1)*kc*gemmMR]
		if csa == 1 && mr == gemmMR {
			r0 := a[ir*rsa : ir*rsa+kc]
			r1 := a[(ir+1)*rsa : (ir+1)*rsa+kc]
			r2 := a[(ir+2)*rsa : (ir+2)*rsa+kc]
			r3 := a[(ir+3)*rsa : (ir+3)*rsa+kc]
			r4 := a[(ir+4)*rsa : (ir+4)*rsa+kc]
			r5 := a[(ir+5)*rsa : (ir+5)*rsa+kc]
			for p := range r0 {
				d := pan[p*gemmMR : p*gemmMR+gemmMR]
				d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
		} else if csa == 1 {
			for i := 0; i < mr; i++ {
				src := a[(ir+i)*rsa : (ir+i)*rsa+kc]
				for p, v := range src {
					pan[p*gemmMR+i] = v
				}
			}
		} else {
			for p := 0; p < kc; p++ {
				base := ir*rsa + p*csa
				d := pan[p*gemmMR : p*gemmMR+gemmMR]
				if rsa == 1 && mr == gemmMR {
					s := a[base : base+gemmMR]
					d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
					continue
				}
				for i := 0; i < mr; i++ {
					d[i] = a[base+i*rsa]
				}
			}
		}
		if mr < gemmMR {
			for p := 0; p < kc; p++ {
				clear(pan[p*gemmMR+mr : p*gemmMR+gemmMR])
			}
		}
	}
}

// packB packs a kc x nc block of B into NR-column panels, zero padded.
func packB[T Float](dst []T, kc, nc int, b []T, rsb, csb int) {
	for jr := 0; jr < nc; jr += gemmNR {
		nr := min(gemmNR, nc-jr)
		pan := dst[(jr/gemmNR)*kc*gemmNR : (jr/gemmNR+1)*kc*gemmNR]
		if csb == 1 {
			for p := 0; p < kc; p++ {
				src := b[p*rsb+jr : p*rsb+jr+nr]
				d := pan[p*gemmNR : p*gemmNR+gemmNR]
				copy(d, src)
				clear(d[nr:])
			}
		} else if rsb == 1 && nr == gemmNR {
			base := b[jr*csb:]
			for p := 0; p < kc; p++ {
				d := (*[gemmNR]T)(pan[p*gemmNR : p*gemmNR+gemmNR])
				for j := range d {
					d[j] = base[j*csb+p]
				}
			}
		} else if rsb == 1 {
			for j := 0; j < nr; j++ {
				src := b[(jr+j)*csb : (jr+j)*csb+kc]
				for p, v := range src {
					pan[p*gemmNR+j] = v
				}
			}
			if nr < gemmNR {
				for p := 0; p < kc; p++ {
					clear(pan[p*gemmNR+nr : p*gemmNR+gemmNR])
				}
			}
		} else {
			for p := 0; p < kc; p++ {
				d := pan[p*gemmNR : p*gemmNR+gemmNR]
				for j := 0; j < nr; j++ {
					d[j] = b[p*rsb+(jr+j)*csb]
				}
				clear(d[nr:])
			}
		}
	}
}

// microKernel sets tile (MR x NR, row-major) to the product of a packed A panel (kc x MR) and
// a packed B panel (kc x NR).
func microKernel[T Float](kc int, ap, bp []T, tile *[gemmMR * gemmNR]T) {
	if kernel32(kc, ap, bp, tile) {
		return
	}
	kernelGo(kc, ap, bp, tile)
}

// kernelGo is the portable micro-kernel.
func kernelGo[T Float](kc int, ap, bp []T, tile *[gemmMR * gemmNR]T) {
	*tile = [gemmMR * gemmNR]T{}
	ap = ap[:kc*gemmMR]
	bp = bp[:kc*gemmNR]
	for p := 0; p < kc; p++ {
		a := ap[p*gemmMR : p*gemmMR+gemmMR]
		b := (*[gemmNR]T)(bp[p*gemmNR : p*gemmNR+gemmNR])
		for i, ai := range a {
			row := (*[gemmNR]T)(tile[i*gemmNR : i*gemmNR+gemmNR])
			for j := range row {
				row[j] += ai * b[j]
			}
		}
	}
}
