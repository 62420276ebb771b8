//go:build amd64 && !purego

#include "textflag.h"
#include "simd_amd64.h"

// AVX2 + FMA inner loops of the single-precision (float32, complex64) gate kernels (see
// simd32_amd64.go). Unlike the double-precision loops they use fused multiply-adds: single
// precision is not held to bit-identity with the portable loops (its tests compare with a
// tolerance against itsubaki/q and the double-precision run).
//
// Complex vectors hold four complex64 as [re0 im0 re1 im1 re2 im2 re3 im3]. A product m·x is
//   mr·x + mi'·swap(x),  mi' = [−mi, mi, −mi, mi, ...]
// where swap exchanges re and im (VPERMILPS $0xB1).

// FMAPAIR sets ox = m0·x + m1·y and oy = m2·x + m3·y for float32 vectors x, y, with the
// coefficients broadcast in Y12..Y15.
#define FMAPAIR(x, y, ox, oy) \
	VMULPS Y12, x, ox; VFMADD231PS Y13, y, ox; VMULPS Y14, x, oy; VFMADD231PS Y15, y, oy

// CFMA2 sets oa = m0·x + m1·y and ob = m2·x + m3·y for complex vectors x, y whose swaps are
// xs, ys; the coefficients are in Y8..Y15 (m0r m0i' m1r m1i' m2r m2i' m3r m3i').
#define CFMA2(x, y, xs, ys, oa, ob) \
	VMULPS Y8, x, oa; VFMADD231PS Y9, xs, oa; VFMADD231PS Y10, y, oa; VFMADD231PS Y11, ys, oa; \
	VMULPS Y12, x, ob; VFMADD231PS Y13, xs, ob; VFMADD231PS Y14, y, ob; VFMADD231PS Y15, ys, ob

// BCASTC64 broadcasts the complex64 coefficient (re, im) as r = [re re ...] and
// i = [−im, im, −im, im, ...] (Y7 must be zero).
#define BCASTC64(re, im, r, i) VBROADCASTSS re, r; VBROADCASTSS im, i; VADDSUBPS i, Y7, i

// SPLIT32 broadcasts the real and the imaginary part of each complex64 at m over its lanes.
#define SPLIT32(m, re, im) VMOVSLDUP m, re; VMOVSHDUP m, im

// P0, P1, P2 load the vector at SI into Y0 and put the repeated "a" halves of its blocks in
// Y1 and the "b" halves in Y2 (blocks of 2, 4 and 8 floats); LANEMUL sets
// Y4 = c0·Y1 + c1·Y2 and LANECPLX adds c2·swap(Y1) + c3·swap(Y2).
#define P0 \
	VMOVUPS   (SI), Y0; \
	VMOVSLDUP Y0, Y1;   \
	VMOVSHDUP Y0, Y2

#define P1 \
	VMOVUPS   (SI), Y0;       \
	VPERMILPS $0x44, Y0, Y1; \
	VPERMILPS $0xEE, Y0, Y2

#define P2 \
	VMOVUPS    (SI), Y0;          \
	VPERM2F128 $0x00, Y0, Y0, Y1; \
	VPERM2F128 $0x11, Y0, Y0, Y2

#define LANEMUL \
	VMULPS      Y12, Y1, Y4; \
	VFMADD231PS Y13, Y2, Y4

#define LANECPLX \
	VPERMILPS   $0xB1, Y1, Y3; \
	VFMADD231PS Y14, Y3, Y4;   \
	VPERMILPS   $0xB1, Y2, Y3; \
	VFMADD231PS Y15, Y3, Y4

// LANELOOP is one loop of pairLaneF32 at label l: for each of the CX vectors at SI, load it
// with P, apply LANEMUL and CPLX (LANECPLX or nothing) and store Y4; then run EXIT.
#define LANELOOP(l, P, CPLX, EXIT) \
l: \
	P; LANEMUL; CPLX; VMOVUPS Y4, (SI); ADDQ $32, SI; DECQ CX; JNZ l; EXIT

// func pairVecF32(a, b *float32, nvec, stride int, m0, m1, m2, m3 float32)
// For k < nvec, with x, y the 8 float32 at a+k·stride, b+k·stride (bytes):
// x, y = m0·x + m1·y, m2·x + m3·y.
TEXT ·pairVecF32(SB), NOSPLIT, $0-48
	PAIRARGS
	VBROADCASTSS m0+32(FP), Y12
	VBROADCASTSS m1+36(FP), Y13
	VBROADCASTSS m2+40(FP), Y14
	VBROADCASTSS m3+44(FP), Y15
	PAIRLOOP(VMOVUPS, FMAPAIR(Y0, Y1, Y4, Y5))

// func pairVecC64(a, b *complex64, nvec, stride int, m0, m1, m2, m3 complex64)
// For k < nvec, with x, y the 4 complex64 at a+k·stride, b+k·stride (bytes):
// x, y = m0·x + m1·y, m2·x + m3·y.
TEXT ·pairVecC64(SB), NOSPLIT, $0-64
	PAIRARGS
	VXORPS Y7, Y7, Y7
	BCASTC64(m0_real+32(FP), m0_imag+36(FP), Y8, Y9)
	BCASTC64(m1_real+40(FP), m1_imag+44(FP), Y10, Y11)
	BCASTC64(m2_real+48(FP), m2_imag+52(FP), Y12, Y13)
	BCASTC64(m3_real+56(FP), m3_imag+60(FP), Y14, Y15)
	PAIRLOOP(VMOVUPS, SWAP32(Y0, Y2); SWAP32(Y1, Y3); CFMA2(Y0, Y1, Y2, Y3, Y4, Y5))

// func scaleVecF32(a *float32, nvec int, v float32)
// Multiplies the nvec vectors of 8 float32 at a by v.
TEXT ·scaleVecF32(SB), NOSPLIT, $0-20
	SCALEVEC(VMOVUPS, VMULPS, VBROADCASTSS)

// func pairLaneF32(d *float32, nvec int, c *[32]float32, mode int, cplx bool)
// For each of the nvec float32 vectors v at d: v = c[0:8]·P1(v) + c[8:16]·P2(v), plus, when
// cplx, c[16:24]·swap(P1(v)) + c[24:32]·swap(P2(v)) (swap: re ↔ im of each complex64). P1 and
// P2 pick the "a" and "b" halves of each block and repeat them: mode 0 blocks of 2 floats
// (VMOVSLDUP, VMOVSHDUP), mode 1 blocks of 4 floats (VPERMILPS $0x44, $0xEE), mode 2 blocks
// of 8 floats (VPERM2F128 $0x00, $0x11).
TEXT ·pairLaneF32(SB), NOSPLIT, $0-33
	LANEARGS
	MOVQ    mode+24(FP), AX
	MOVBLZX cplx+32(FP), DX
	VMOVUPS (R8), Y12
	VMOVUPS 32(R8), Y13
	VMOVUPS 64(R8), Y14
	VMOVUPS 96(R8), Y15
	TESTQ   CX, CX
	JZ      pldone
	TESTL   DX, DX
	JNZ     plcplx
	CMPQ    AX, $1
	JEQ     plr1
	JGT     plr2
	LANELOOP(plr0, P0, NOTHING, JMP pldone)
	LANELOOP(plr1, P1, NOTHING, JMP pldone)
	LANELOOP(plr2, P2, NOTHING, JMP pldone)

plcplx:
	CMPQ AX, $2
	JEQ  plc2
	LANELOOP(plc1, P1, LANECPLX, JMP pldone)
	LANELOOP(plc2, P2, LANECPLX, NOTHING)

pldone:
	VZEROUPPER
	RET

// func scaleVecC64(a *complex64, nvec int, v complex64)
// Multiplies the nvec vectors of 4 complex64 at a by v.
TEXT ·scaleVecC64(SB), NOSPLIT, $0-24
	MOVQ   a+0(FP), SI
	MOVQ   nvec+8(FP), CX
	VXORPS Y7, Y7, Y7
	BCASTC64(v_real+16(FP), v_imag+20(FP), Y14, Y15)
	TESTQ  CX, CX
	JZ     sc64done

sc64loop:
	VMOVUPS     (SI), Y0
	SWAP32(Y0, Y2)
	VMULPS      Y14, Y0, Y4
	VFMADD231PS Y15, Y2, Y4
	VMOVUPS     Y4, (SI)
	ADDQ        $32, SI
	DECQ        CX
	JNZ         sc64loop

sc64done:
	VZEROUPPER
	RET

// func mulVecC64(a, p *complex64, nvec int)
// Multiplies the nvec vectors of 4 complex64 at a by those at p, element by element.
TEXT ·mulVecC64(SB), NOSPLIT, $0-24
	MULVEC(VMOVUPS, VMULPS, VADDSUBPS, SPLIT32, SWAP32)

// func mulVecF32(a, p *float32, nvec int)
// Multiplies the nvec vectors of 8 float32 at a by those at p, element by element.
TEXT ·mulVecF32(SB), NOSPLIT, $0-24
	MULVECR(VMOVUPS, VMULPS)
