//go:build amd64 && !purego

#include "textflag.h"

// AVX2 + FMA inner loops of the single-precision (float32, complex64) gate kernels (see
// simd32_amd64.go). Unlike the double-precision loops they use fused multiply-adds: single
// precision is not held to bit-identity with the portable loops (its tests compare with a
// tolerance against itsubaki/q and the double-precision run).
//
// Complex vectors hold four complex64 as [re0 im0 re1 im1 re2 im2 re3 im3]. A product m·x is
//   mr·x + mi'·swap(x),  mi' = [−mi, mi, −mi, mi, ...]
// where swap exchanges re and im (VPERMILPS $0xB1).

// func pairVecF32(a, b *float32, nvec, stride int, m0, m1, m2, m3 float32)
// For k < nvec, with x, y the 8 float32 at a+k·stride, b+k·stride (bytes):
// x, y = m0·x + m1·y, m2·x + m3·y.
TEXT ·pairVecF32(SB), NOSPLIT, $0-48
	MOVQ         a+0(FP), SI
	MOVQ         b+8(FP), DI
	MOVQ         nvec+16(FP), CX
	MOVQ         stride+24(FP), R8
	VBROADCASTSS m0+32(FP), Y12
	VBROADCASTSS m1+36(FP), Y13
	VBROADCASTSS m2+40(FP), Y14
	VBROADCASTSS m3+44(FP), Y15
	TESTQ        CX, CX
	JZ           pf32done

pf32loop:
	VMOVUPS     (SI), Y0
	VMOVUPS     (DI), Y1
	VMULPS      Y12, Y0, Y4
	VFMADD231PS Y13, Y1, Y4
	VMULPS      Y14, Y0, Y5
	VFMADD231PS Y15, Y1, Y5
	VMOVUPS     Y4, (SI)
	VMOVUPS     Y5, (DI)
	ADDQ        R8, SI
	ADDQ        R8, DI
	DECQ        CX
	JNZ         pf32loop

pf32done:
	VZEROUPPER
	RET

// func pairVecC64(a, b *complex64, nvec, stride int, m0, m1, m2, m3 complex64)
// For k < nvec, with x, y the 4 complex64 at a+k·stride, b+k·stride (bytes):
// x, y = m0·x + m1·y, m2·x + m3·y.
TEXT ·pairVecC64(SB), NOSPLIT, $0-64
	MOVQ         a+0(FP), SI
	MOVQ         b+8(FP), DI
	MOVQ         nvec+16(FP), CX
	MOVQ         stride+24(FP), R8
	VXORPS       Y7, Y7, Y7
	VBROADCASTSS m0_real+32(FP), Y8
	VBROADCASTSS m0_imag+36(FP), Y9
	VADDSUBPS    Y9, Y7, Y9 // [−m0i, m0i, ...]
	VBROADCASTSS m1_real+40(FP), Y10
	VBROADCASTSS m1_imag+44(FP), Y11
	VADDSUBPS    Y11, Y7, Y11
	VBROADCASTSS m2_real+48(FP), Y12
	VBROADCASTSS m2_imag+52(FP), Y13
	VADDSUBPS    Y13, Y7, Y13
	VBROADCASTSS m3_real+56(FP), Y14
	VBROADCASTSS m3_imag+60(FP), Y15
	VADDSUBPS    Y15, Y7, Y15
	TESTQ        CX, CX
	JZ           pc64done

pc64loop:
	VMOVUPS     (SI), Y0
	VMOVUPS     (DI), Y1
	VPERMILPS   $0xB1, Y0, Y2
	VPERMILPS   $0xB1, Y1, Y3
	VMULPS      Y8, Y0, Y4
	VFMADD231PS Y9, Y2, Y4
	VFMADD231PS Y10, Y1, Y4
	VFMADD231PS Y11, Y3, Y4
	VMULPS      Y12, Y0, Y5
	VFMADD231PS Y13, Y2, Y5
	VFMADD231PS Y14, Y1, Y5
	VFMADD231PS Y15, Y3, Y5
	VMOVUPS     Y4, (SI)
	VMOVUPS     Y5, (DI)
	ADDQ        R8, SI
	ADDQ        R8, DI
	DECQ        CX
	JNZ         pc64loop

pc64done:
	VZEROUPPER
	RET

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

// func pairLaneF32(d *float32, nvec int, c *[32]float32, mode int, cplx bool)
// For each of the nvec float32 vectors v at d: v = c[0:8]·P1(v) + c[8:16]·P2(v), plus, when
// cplx, c[16:24]·swap(P1(v)) + c[24:32]·swap(P2(v)) (swap: re ↔ im of each complex64). P1 and
// P2 pick the "a" and "b" halves of each block and repeat them: mode 0 blocks of 2 floats
// (VMOVSLDUP, VMOVSHDUP), mode 1 blocks of 4 floats (VPERMILPS $0x44, $0xEE), mode 2 blocks
// of 8 floats (VPERM2F128 $0x00, $0x11).
TEXT ·pairLaneF32(SB), NOSPLIT, $0-33
	MOVQ    d+0(FP), SI
	MOVQ    nvec+8(FP), CX
	MOVQ    c+16(FP), R8
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

plr0:
	P0
	LANEMUL
	VMOVUPS Y4, (SI)
	ADDQ    $32, SI
	DECQ    CX
	JNZ     plr0
	JMP     pldone

plr1:
	P1
	LANEMUL
	VMOVUPS Y4, (SI)
	ADDQ    $32, SI
	DECQ    CX
	JNZ     plr1
	JMP     pldone

plr2:
	P2
	LANEMUL
	VMOVUPS Y4, (SI)
	ADDQ    $32, SI
	DECQ    CX
	JNZ     plr2
	JMP     pldone

plcplx:
	CMPQ AX, $2
	JEQ  plc2

plc1:
	P1
	LANEMUL
	LANECPLX
	VMOVUPS Y4, (SI)
	ADDQ    $32, SI
	DECQ    CX
	JNZ     plc1
	JMP     pldone

plc2:
	P2
	LANEMUL
	LANECPLX
	VMOVUPS Y4, (SI)
	ADDQ    $32, SI
	DECQ    CX
	JNZ     plc2

pldone:
	VZEROUPPER
	RET

// func scaleVecF32(a *float32, nvec int, v float32)
// Multiplies the nvec vectors of 8 float32 at a by v.
TEXT ·scaleVecF32(SB), NOSPLIT, $0-20
	MOVQ         a+0(FP), SI
	MOVQ         nvec+8(FP), CX
	VBROADCASTSS v+16(FP), Y15

sf32x4:
	CMPQ    CX, $4
	JLT     sf32x1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPS  Y15, Y0, Y0
	VMULPS  Y15, Y1, Y1
	VMULPS  Y15, Y2, Y2
	VMULPS  Y15, Y3, Y3
	VMOVUPS Y0, (SI)
	VMOVUPS Y1, 32(SI)
	VMOVUPS Y2, 64(SI)
	VMOVUPS Y3, 96(SI)
	ADDQ    $128, SI
	SUBQ    $4, CX
	JMP     sf32x4

sf32x1:
	TESTQ   CX, CX
	JZ      sf32done
	VMOVUPS (SI), Y0
	VMULPS  Y15, Y0, Y0
	VMOVUPS Y0, (SI)
	ADDQ    $32, SI
	DECQ    CX
	JMP     sf32x1

sf32done:
	VZEROUPPER
	RET

// func scaleVecC64(a *complex64, nvec int, v complex64)
// Multiplies the nvec vectors of 4 complex64 at a by v.
TEXT ·scaleVecC64(SB), NOSPLIT, $0-24
	MOVQ         a+0(FP), SI
	MOVQ         nvec+8(FP), CX
	VXORPS       Y7, Y7, Y7
	VBROADCASTSS v_real+16(FP), Y14
	VBROADCASTSS v_imag+20(FP), Y15
	VADDSUBPS    Y15, Y7, Y15
	TESTQ        CX, CX
	JZ           sc64done

sc64loop:
	VMOVUPS     (SI), Y0
	VPERMILPS   $0xB1, Y0, Y2
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
	MOVQ  a+0(FP), SI
	MOVQ  p+8(FP), DI
	MOVQ  nvec+16(FP), CX
	TESTQ CX, CX
	JZ    mv64done

mv64loop:
	VMOVUPS   (SI), Y0
	VMOVSLDUP (DI), Y1
	VMOVSHDUP (DI), Y2
	VPERMILPS $0xB1, Y0, Y3
	VMULPS    Y1, Y0, Y0
	VMULPS    Y2, Y3, Y3
	VADDSUBPS Y3, Y0, Y0
	VMOVUPS   Y0, (SI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       mv64loop

mv64done:
	VZEROUPPER
	RET
