//go:build amd64 && !purego

#include "textflag.h"

// AVX2 inner loops of the gate kernels (see simd_amd64.go). Every result is computed with
// separate VMULPD and VADDPD/VADDSUBPD in the order of the portable Go expressions, never
// FMA, so it is bit-identical to the Go loop. Loads and stores are unaligned (VMOVUPD).
//
// Complex vectors hold two complex128 as [re0 im0 re1 im1]. With the coefficient m split
// into broadcasts mr, mi, a product m·x is
//   VADDSUBPD(mr·x, mi·swap(x)) = [mr·xr − mi·xi, mr·xi + mi·xr]
// where swap exchanges re and im (VPERMILPD $5): the real part is Go's ac−bd and the
// imaginary part its ad+bc.

// CMUL2 sets oa = m0·x + m1·y and ob = m2·x + m3·y for complex vectors x, y whose swaps are
// xs, ys; the coefficients are in Y8..Y15 (m0r m0i m1r m1i m2r m2i m3r m3i); t1, t2 are
// scratch.
#define CMUL2(x, y, xs, ys, oa, ob, t1, t2) \
	VMULPD    Y8, x, oa;     \
	VMULPD    Y9, xs, t1;    \
	VADDSUBPD t1, oa, oa;    \
	VMULPD    Y10, y, t1;    \
	VMULPD    Y11, ys, t2;   \
	VADDSUBPD t2, t1, t1;    \
	VADDPD    t1, oa, oa;    \
	VMULPD    Y12, x, ob;    \
	VMULPD    Y13, xs, t1;   \
	VADDSUBPD t1, ob, ob;    \
	VMULPD    Y14, y, t1;    \
	VMULPD    Y15, ys, t2;   \
	VADDSUBPD t2, t1, t1;    \
	VADDPD    t1, ob, ob

// func pairVecF64(a, b *float64, nvec, stride int, m0, m1, m2, m3 float64)
// For k < nvec, with x, y the 4 float64 at a+k·stride, b+k·stride (bytes):
// x, y = m0·x + m1·y, m2·x + m3·y.
TEXT ·pairVecF64(SB), NOSPLIT, $0-64
	MOVQ         a+0(FP), SI
	MOVQ         b+8(FP), DI
	MOVQ         nvec+16(FP), CX
	MOVQ         stride+24(FP), R8
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
	VMULPD  Y12, Y0, Y4
	VMULPD  Y13, Y1, Y5
	VADDPD  Y5, Y4, Y4
	VMULPD  Y14, Y0, Y6
	VMULPD  Y15, Y1, Y7
	VADDPD  Y7, Y6, Y6
	VMULPD  Y12, Y2, Y8
	VMULPD  Y13, Y3, Y9
	VADDPD  Y9, Y8, Y8
	VMULPD  Y14, Y2, Y10
	VMULPD  Y15, Y3, Y11
	VADDPD  Y11, Y10, Y10
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
	VMULPD  Y12, Y0, Y4
	VMULPD  Y13, Y1, Y5
	VADDPD  Y5, Y4, Y4
	VMULPD  Y14, Y0, Y6
	VMULPD  Y15, Y1, Y7
	VADDPD  Y7, Y6, Y6
	VMOVUPD Y4, (SI)
	VMOVUPD Y6, (DI)

pf64done:
	VZEROUPPER
	RET

// func pairVecC128(a, b *complex128, nvec, stride int, m0, m1, m2, m3 complex128)
// For k < nvec, with x, y the 2 complex128 at a+k·stride, b+k·stride (bytes):
// x, y = m0·x + m1·y, m2·x + m3·y.
TEXT ·pairVecC128(SB), NOSPLIT, $0-96
	MOVQ         a+0(FP), SI
	MOVQ         b+8(FP), DI
	MOVQ         nvec+16(FP), CX
	MOVQ         stride+24(FP), R8
	VBROADCASTSD m0_real+32(FP), Y8
	VBROADCASTSD m0_imag+40(FP), Y9
	VBROADCASTSD m1_real+48(FP), Y10
	VBROADCASTSD m1_imag+56(FP), Y11
	VBROADCASTSD m2_real+64(FP), Y12
	VBROADCASTSD m2_imag+72(FP), Y13
	VBROADCASTSD m3_real+80(FP), Y14
	VBROADCASTSD m3_imag+88(FP), Y15
	TESTQ        CX, CX
	JZ           pc128done

pc128loop:
	VMOVUPD   (SI), Y0
	VMOVUPD   (DI), Y1
	VPERMILPD $5, Y0, Y2
	VPERMILPD $5, Y1, Y3
	CMUL2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	VMOVUPD   Y4, (SI)
	VMOVUPD   Y5, (DI)
	ADDQ      R8, SI
	ADDQ      R8, DI
	DECQ      CX
	JNZ       pc128loop

pc128done:
	VZEROUPPER
	RET

// func pairShort1C128(d *complex128, nblk2 int, m0, m1, m2, m3 complex128)
// d holds 2·nblk2 blocks [a b] of two complex128; each becomes [m0·a + m1·b, m2·a + m3·b].
// Two blocks [a0 b0] [a1 b1] are transposed to x = [a0 a1], y = [b0 b1], transformed and
// transposed back.
TEXT ·pairShort1C128(SB), NOSPLIT, $0-80
	MOVQ         d+0(FP), SI
	MOVQ         nblk2+8(FP), CX
	VBROADCASTSD m0_real+16(FP), Y8
	VBROADCASTSD m0_imag+24(FP), Y9
	VBROADCASTSD m1_real+32(FP), Y10
	VBROADCASTSD m1_imag+40(FP), Y11
	VBROADCASTSD m2_real+48(FP), Y12
	VBROADCASTSD m2_imag+56(FP), Y13
	VBROADCASTSD m3_real+64(FP), Y14
	VBROADCASTSD m3_imag+72(FP), Y15
	TESTQ        CX, CX
	JZ           ps1done

ps1loop:
	VMOVUPD    (SI), Y0
	VMOVUPD    32(SI), Y1
	VPERM2F128 $0x20, Y1, Y0, Y2 // x = [a0 a1]
	VPERM2F128 $0x31, Y1, Y0, Y3 // y = [b0 b1]
	VPERMILPD  $5, Y2, Y0
	VPERMILPD  $5, Y3, Y1
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
	MOVQ    d+0(FP), SI
	MOVQ    nvec+8(FP), CX
	MOVQ    c+16(FP), R8
	MOVBLZX sw128+24(FP), AX
	VMOVUPD (R8), Y12
	VMOVUPD 32(R8), Y13
	TESTL   AX, AX
	JNZ     plh

pll2:
	CMPQ      CX, $2
	JLT       pll1
	VMOVUPD   (SI), Y0
	VMOVUPD   32(SI), Y1
	VPERMILPD $5, Y0, Y2
	VPERMILPD $5, Y1, Y3
	VMULPD    Y12, Y0, Y0
	VMULPD    Y13, Y2, Y2
	VADDPD    Y2, Y0, Y0
	VMULPD    Y12, Y1, Y1
	VMULPD    Y13, Y3, Y3
	VADDPD    Y3, Y1, Y1
	VMOVUPD   Y0, (SI)
	VMOVUPD   Y1, 32(SI)
	ADDQ      $64, SI
	SUBQ      $2, CX
	JMP       pll2

pll1:
	TESTQ     CX, CX
	JZ        pldone
	VMOVUPD   (SI), Y0
	VPERMILPD $5, Y0, Y2
	VMULPD    Y12, Y0, Y0
	VMULPD    Y13, Y2, Y2
	VADDPD    Y2, Y0, Y0
	VMOVUPD   Y0, (SI)
	JMP       pldone

plh:
	CMPQ       CX, $2
	JLT        plh1
	VMOVUPD    (SI), Y0
	VMOVUPD    32(SI), Y1
	VPERM2F128 $1, Y0, Y0, Y2
	VPERM2F128 $1, Y1, Y1, Y3
	VMULPD     Y12, Y0, Y0
	VMULPD     Y13, Y2, Y2
	VADDPD     Y2, Y0, Y0
	VMULPD     Y12, Y1, Y1
	VMULPD     Y13, Y3, Y3
	VADDPD     Y3, Y1, Y1
	VMOVUPD    Y0, (SI)
	VMOVUPD    Y1, 32(SI)
	ADDQ       $64, SI
	SUBQ       $2, CX
	JMP        plh

plh1:
	TESTQ      CX, CX
	JZ         pldone
	VMOVUPD    (SI), Y0
	VPERM2F128 $1, Y0, Y0, Y2
	VMULPD     Y12, Y0, Y0
	VMULPD     Y13, Y2, Y2
	VADDPD     Y2, Y0, Y0
	VMOVUPD    Y0, (SI)

pldone:
	VZEROUPPER
	RET

// func scaleVecF64(a *float64, nvec int, v float64)
// Multiplies the nvec vectors of 4 float64 at a by v.
TEXT ·scaleVecF64(SB), NOSPLIT, $0-24
	MOVQ         a+0(FP), SI
	MOVQ         nvec+8(FP), CX
	VBROADCASTSD v+16(FP), Y15

sf4:
	CMPQ    CX, $4
	JLT     sf1
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	VMULPD  Y15, Y0, Y0
	VMULPD  Y15, Y1, Y1
	VMULPD  Y15, Y2, Y2
	VMULPD  Y15, Y3, Y3
	VMOVUPD Y0, (SI)
	VMOVUPD Y1, 32(SI)
	VMOVUPD Y2, 64(SI)
	VMOVUPD Y3, 96(SI)
	ADDQ    $128, SI
	SUBQ    $4, CX
	JMP     sf4

sf1:
	TESTQ   CX, CX
	JZ      sfdone
	VMOVUPD (SI), Y0
	VMULPD  Y15, Y0, Y0
	VMOVUPD Y0, (SI)
	ADDQ    $32, SI
	DECQ    CX
	JMP     sf1

sfdone:
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

sc2:
	CMPQ      CX, $2
	JLT       sc1
	VMOVUPD   (SI), Y0
	VMOVUPD   32(SI), Y1
	VPERMILPD $5, Y0, Y2
	VPERMILPD $5, Y1, Y3
	VMULPD    Y14, Y0, Y0
	VMULPD    Y15, Y2, Y2
	VADDSUBPD Y2, Y0, Y0
	VMULPD    Y14, Y1, Y1
	VMULPD    Y15, Y3, Y3
	VADDSUBPD Y3, Y1, Y1
	VMOVUPD   Y0, (SI)
	VMOVUPD   Y1, 32(SI)
	ADDQ      $64, SI
	SUBQ      $2, CX
	JMP       sc2

sc1:
	TESTQ     CX, CX
	JZ        scdone
	VMOVUPD   (SI), Y0
	VPERMILPD $5, Y0, Y2
	VMULPD    Y14, Y0, Y0
	VMULPD    Y15, Y2, Y2
	VADDSUBPD Y2, Y0, Y0
	VMOVUPD   Y0, (SI)

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
	MOVQ  a+0(FP), SI
	MOVQ  p+8(FP), DI
	MOVQ  nvec+16(FP), CX
	TESTQ CX, CX
	JZ    mvdone

mvloop:
	VMOVUPD   (SI), Y0
	VMOVDDUP  (DI), Y1
	VPERMILPD $0xF, (DI), Y2
	VPERMILPD $5, Y0, Y3
	VMULPD    Y1, Y0, Y0
	VMULPD    Y2, Y3, Y3
	VADDSUBPD Y3, Y0, Y0
	VMOVUPD   Y0, (SI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       mvloop

mvdone:
	VZEROUPPER
	RET
