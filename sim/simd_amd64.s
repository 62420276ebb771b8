//go:build amd64 && !purego

#include "textflag.h"
#include "simd_amd64.h"

// AVX2 inner loops of the gate kernels (see simd_amd64.go). Every result is computed with
// separate VMULPD and VADDPD/VADDSUBPD in the order of the portable Go expressions, never
// FMA, so it is bit-identical to the Go loop. Loads and stores are unaligned (VMOVUPD).
//
// Complex vectors hold two complex128 as [re0 im0 re1 im1]. With the coefficient m split
// into broadcasts mr, mi, a product m·x is
//   VADDSUBPD(mr·x, mi·swap(x)) = [mr·xr − mi·xi, mr·xi + mi·xr]
// where swap exchanges re and im (VPERMILPD $5): the real part is Go's ac−bd and the
// imaginary part its ad+bc.

// CMAC sets o = m·x + n·y for complex vectors x, y whose swaps are xs, ys, with the parts of
// m in mr, mi and of n in nr, ni; t1, t2 are scratch. CMUL2 sets oa = m0·x + m1·y and
// ob = m2·x + m3·y with the coefficients in Y8..Y15 (m0r m0i m1r m1i m2r m2i m3r m3i).
#define CMAC(mr, mi, nr, ni, x, y, xs, ys, o, t1, t2) \
	VMULPD    mr, x, o;      \
	VMULPD    mi, xs, t1;    \
	VADDSUBPD t1, o, o;      \
	VMULPD    nr, y, t1;     \
	VMULPD    ni, ys, t2;    \
	VADDSUBPD t2, t1, t1;    \
	VADDPD    t1, o, o
#define CMUL2(x, y, xs, ys, oa, ob, t1, t2) \
	CMAC(Y8, Y9, Y10, Y11, x, y, xs, ys, oa, t1, t2); \
	CMAC(Y12, Y13, Y14, Y15, x, y, xs, ys, ob, t1, t2)

// PAIRF64 sets ox = m0·x + m1·y and oy = m2·x + m3·y for float64 vectors x, y, with the
// coefficients broadcast in Y12..Y15; tx, ty are scratch.
#define PAIRF64(x, y, ox, oy, tx, ty) \
	VMULPD Y12, x, ox; VMULPD Y13, y, tx; VADDPD tx, ox, ox; \
	VMULPD Y14, x, oy; VMULPD Y15, y, ty; VADDPD ty, oy, oy

// BCAST8 broadcasts the real and imaginary parts of the four complex128 coefficients into
// Y8..Y15 (m0r m0i m1r m1i m2r m2i m3r m3i).
#define BCAST8(m0r, m0i, m1r, m1i, m2r, m2i, m3r, m3i) \
	VBROADCASTSD m0r, Y8; VBROADCASTSD m0i, Y9; VBROADCASTSD m1r, Y10; VBROADCASTSD m1i, Y11; \
	VBROADCASTSD m2r, Y12; VBROADCASTSD m2i, Y13; VBROADCASTSD m3r, Y14; VBROADCASTSD m3i, Y15

// SWAPLOOP multiplies each of the CX vectors x at SI by ca and adds OP (VADDPD or VADDSUBPD)
// cb·SWAP(x), two vectors at a time (label l2), then one (label l1); it ends at l1's last
// store when none is left, or jumps to done when CX is zero there.
#define SWAPMUL(OP, ca, cb, x, s) VMULPD ca, x, x; VMULPD cb, s, s; OP s, x, x
#define SWAPLOOP(l2, l1, done, SWAP, OP, ca, cb) \
l2: \
	CMPQ CX, $2; JLT l1; \
	VMOVUPD (SI), Y0; VMOVUPD 32(SI), Y1; SWAP(Y0, Y2); SWAP(Y1, Y3); \
	SWAPMUL(OP, ca, cb, Y0, Y2); SWAPMUL(OP, ca, cb, Y1, Y3); \
	VMOVUPD Y0, (SI); VMOVUPD Y1, 32(SI); ADDQ $64, SI; SUBQ $2, CX; JMP l2; \
l1: \
	TESTQ CX, CX; JZ done; \
	VMOVUPD (SI), Y0; SWAP(Y0, Y2); SWAPMUL(OP, ca, cb, Y0, Y2); VMOVUPD Y0, (SI)

// SWAP128 sets s to x with its two 128-bit halves exchanged.
#define SWAP128(x, s) VPERM2F128 $1, x, x, s

// SPLIT64 broadcasts the real and the imaginary part of each complex128 at m over its lanes.
#define SPLIT64(m, re, im) VMOVDDUP m, re; VPERMILPD $0xF, m, im

// func pairVecF64(a, b *float64, nvec, stride int, m0, m1, m2, m3 float64)
// For k < nvec, with x, y the 4 float64 at a+k·stride, b+k·stride (bytes):
// x, y = m0·x + m1·y, m2·x + m3·y.
TEXT ·pairVecF64(SB), NOSPLIT, $0-64
	PAIRARGS
	LEAQ         (R8)(R8*1), R9
	VBROADCASTSD m0+32(FP), Y12
	VBROADCASTSD m1+40(FP), Y13
	VBROADCASTSD m2+48(FP), Y14
	VBROADCASTSD m3+56(FP), Y15
	CMPQ         CX, $2
	JLT          pf64one

pf64loop2:
	VMOVUPD (SI), Y0
	VMOVUPD (DI), Y1
	VMOVUPD (SI)(R8*1), Y2
	VMOVUPD (DI)(R8*1), Y3
	PAIRF64(Y0, Y1, Y4, Y6, Y5, Y7)
	PAIRF64(Y2, Y3, Y8, Y10, Y9, Y11)
	VMOVUPD Y4, (SI)
	VMOVUPD Y6, (DI)
	VMOVUPD Y8, (SI)(R8*1)
	VMOVUPD Y10, (DI)(R8*1)
	ADDQ    R9, SI
	ADDQ    R9, DI
	SUBQ    $2, CX
	CMPQ    CX, $2
	JGE     pf64loop2

pf64one:
	TESTQ   CX, CX
	JZ      pf64done
	VMOVUPD (SI), Y0
	VMOVUPD (DI), Y1
	PAIRF64(Y0, Y1, Y4, Y6, Y5, Y7)
	VMOVUPD Y4, (SI)
	VMOVUPD Y6, (DI)

pf64done:
	VZEROUPPER
	RET

// func pairVecC128(a, b *complex128, nvec, stride int, m0, m1, m2, m3 complex128)
// For k < nvec, with x, y the 2 complex128 at a+k·stride, b+k·stride (bytes):
// x, y = m0·x + m1·y, m2·x + m3·y.
TEXT ·pairVecC128(SB), NOSPLIT, $0-96
	PAIRARGS
	BCAST8(m0_real+32(FP), m0_imag+40(FP), m1_real+48(FP), m1_imag+56(FP), m2_real+64(FP), m2_imag+72(FP), m3_real+80(FP), m3_imag+88(FP))
	PAIRLOOP(VMOVUPD, SWAP64(Y0, Y2); SWAP64(Y1, Y3); CMUL2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7))

// func pairShort1C128(d *complex128, nblk2 int, m0, m1, m2, m3 complex128)
// d holds 2·nblk2 blocks [a b] of two complex128; each becomes [m0·a + m1·b, m2·a + m3·b].
// Two blocks [a0 b0] [a1 b1] are transposed to x = [a0 a1], y = [b0 b1], transformed and
// transposed back.
TEXT ·pairShort1C128(SB), NOSPLIT, $0-80
	MOVQ d+0(FP), SI
	MOVQ nblk2+8(FP), CX
	BCAST8(m0_real+16(FP), m0_imag+24(FP), m1_real+32(FP), m1_imag+40(FP), m2_real+48(FP), m2_imag+56(FP), m3_real+64(FP), m3_imag+72(FP))
	TESTQ CX, CX
	JZ    ps1done

ps1loop:
	VMOVUPD    (SI), Y0
	VMOVUPD    32(SI), Y1
	VPERM2F128 $0x20, Y1, Y0, Y2 // x = [a0 a1]
	VPERM2F128 $0x31, Y1, Y0, Y3 // y = [b0 b1]
	SWAP64(Y2, Y0)
	SWAP64(Y3, Y1)
	CMUL2(Y2, Y3, Y0, Y1, Y4, Y5, Y6, Y7)
	VPERM2F128 $0x20, Y5, Y4, Y0 // [a0' b0']
	VPERM2F128 $0x31, Y5, Y4, Y1 // [a1' b1']
	VMOVUPD    Y0, (SI)
	VMOVUPD    Y1, 32(SI)
	ADDQ       $64, SI
	DECQ       CX
	JNZ        ps1loop

ps1done:
	VZEROUPPER
	RET

// func pairLaneF64(d *float64, nvec int, c *[8]float64, sw128 bool)
// For each of the nvec float64 vectors v at d: v = c[0:4]·v + c[4:8]·s, s = v with the two
// elements of each 128-bit half exchanged (sw128 false) or with the halves exchanged
// (sw128 true).
TEXT ·pairLaneF64(SB), NOSPLIT, $0-25
	LANEARGS
	MOVBLZX sw128+24(FP), AX
	VMOVUPD (R8), Y12
	VMOVUPD 32(R8), Y13
	TESTL   AX, AX
	JNZ     plh
	SWAPLOOP(pll2, pll1, pldone, SWAP64, VADDPD, Y12, Y13)
	JMP     pldone
	SWAPLOOP(plh, plh1, pldone, SWAP128, VADDPD, Y12, Y13)

pldone:
	VZEROUPPER
	RET

// func scaleVecC128(a *complex128, nvec int, v complex128)
// Multiplies the nvec vectors of 2 complex128 at a by v: x·v = [xr·vr − xi·vi, xi·vr + xr·vi],
// Go's (ac−bd) + (ad+bc)i.
TEXT ·scaleVecC128(SB), NOSPLIT, $0-32
	MOVQ         a+0(FP), SI
	MOVQ         nvec+8(FP), CX
	VBROADCASTSD v_real+16(FP), Y14
	VBROADCASTSD v_imag+24(FP), Y15
	SWAPLOOP(sc2, sc1, scdone, SWAP64, VADDSUBPD, Y14, Y15)

scdone:
	VZEROUPPER
	RET
// func prefetchL2(p *float64, nlines int)
// Issues PREFETCHT1 for the nlines cache lines from p: a hint that moves the lines towards
// the core's L2 without occupying the L1 miss buffers while they arrive.
TEXT ·prefetchL2(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ nlines+8(FP), CX

pf:
	TESTQ      CX, CX
	JZ         pfdone
	PREFETCHT1 (SI)
	ADDQ       $64, SI
	DECQ       CX
	JMP        pf

pfdone:
	RET


// func swapVec(a, b *byte, nvec int)
// Exchanges the nvec 32-byte vectors at a and b (pure moves: bit-identical).
TEXT ·swapVec(SB), NOSPLIT, $0-24
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ nvec+16(FP), CX

sw2:
	CMPQ    CX, $2
	JLT     sw1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS (DI), Y2
	VMOVUPS 32(DI), Y3
	VMOVUPS Y2, (SI)
	VMOVUPS Y3, 32(SI)
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $2, CX
	JMP     sw2

sw1:
	TESTQ   CX, CX
	JZ      swdone
	VMOVUPS (SI), Y0
	VMOVUPS (DI), Y2
	VMOVUPS Y2, (SI)
	VMOVUPS Y0, (DI)

swdone:
	VZEROUPPER
	RET

// func mulVecC128(a, p *complex128, nvec int)
// Multiplies the nvec vectors of 2 complex128 at a by those at p, element by element, as Go
// does: (ac−bd) + (ad+bc)i (no FMA: bit-identical to the Go loop).
TEXT ·mulVecC128(SB), NOSPLIT, $0-24
	MULVEC(VMOVUPD, VMULPD, VADDSUBPD, SPLIT64, SWAP64)

// func scaleVecF64(a *float64, nvec int, v float64)
// Multiplies the nvec vectors of 4 float64 at a by v.
TEXT ·scaleVecF64(SB), NOSPLIT, $0-24
	SCALEVEC(VMOVUPD, VMULPD, VBROADCASTSD)

// func mulVecF64(a, p *float64, nvec int)
// Multiplies the nvec vectors of 4 float64 at a by those at p, element by element.
TEXT ·mulVecF64(SB), NOSPLIT, $0-24
	MULVECR(VMOVUPD, VMULPD)
