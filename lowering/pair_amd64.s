//go:build amd64 && !purego

#include "textflag.h"

// func pairRunAVX2(x0, x1, y0, y1 *float64, n int, a *[4]float64, c *[4]float64)
//
// Four pairs an iteration. Y12..Y15 hold a0..a3 broadcast; Y8..Y11 the four lanes of
// c00, c01, c10, c11. Every product and sum is a separate VMULPD / VADDPD in the order of
// the Go loop in kernels.go (no FMA), so x and y come out bit-identical to it.
TEXT ·pairRunAVX2(SB), NOSPLIT, $0-56
	MOVQ x0+0(FP), SI
	MOVQ x1+8(FP), DI
	MOVQ y0+16(FP), R8
	MOVQ y1+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ a+40(FP), AX
	MOVQ c+48(FP), DX
	VBROADCASTSD 0(AX), Y12
	VBROADCASTSD 8(AX), Y13
	VBROADCASTSD 16(AX), Y14
	VBROADCASTSD 24(AX), Y15
	TESTQ DX, DX
	JZ    undo

	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

acc:
	VMOVUPD (SI), Y0 // u0
	VMOVUPD (DI), Y1 // u1
	VMOVUPD (R8), Y2 // v0
	VMOVUPD (R9), Y3 // v1
	VMULPD  Y12, Y0, Y4
	VMULPD  Y13, Y1, Y5
	VADDPD  Y5, Y4, Y4 // b0 = a0·u0 + a1·u1
	VMULPD  Y14, Y0, Y5
	VMULPD  Y15, Y1, Y6
	VADDPD  Y6, Y5, Y5 // b1 = a2·u0 + a3·u1
	VMULPD  Y4, Y2, Y6
	VADDPD  Y6, Y8, Y8 // c00 += v0·b0
	VMULPD  Y5, Y2, Y6
	VADDPD  Y6, Y9, Y9 // c01 += v0·b1
	VMULPD  Y4, Y3, Y6
	VADDPD  Y6, Y10, Y10 // c10 += v1·b0
	VMULPD  Y5, Y3, Y6
	VADDPD  Y6, Y11, Y11 // c11 += v1·b1
	VMOVUPD Y4, (SI)
	VMOVUPD Y5, (DI)
	VMULPD  Y12, Y2, Y6
	VMULPD  Y13, Y3, Y7
	VADDPD  Y7, Y6, Y6
	VMOVUPD Y6, (R8) // y0 = a0·v0 + a1·v1
	VMULPD  Y14, Y2, Y6
	VMULPD  Y15, Y3, Y7
	VADDPD  Y7, Y6, Y6
	VMOVUPD Y6, (R9) // y1 = a2·v0 + a3·v1
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, R8
	ADDQ    $32, R9
	SUBQ    $4, CX
	JNZ     acc

	// c[k] = (l0 + l2) + (l1 + l3) of each accumulator.
	VEXTRACTF128 $1, Y8, X0
	VADDPD       X0, X8, X8
	VUNPCKHPD    X8, X8, X0
	VADDSD       X0, X8, X8
	MOVSD        X8, 0(DX)
	VEXTRACTF128 $1, Y9, X0
	VADDPD       X0, X9, X9
	VUNPCKHPD    X9, X9, X0
	VADDSD       X0, X9, X9
	MOVSD        X9, 8(DX)
	VEXTRACTF128 $1, Y10, X0
	VADDPD       X0, X10, X10
	VUNPCKHPD    X10, X10, X0
	VADDSD       X0, X10, X10
	MOVSD        X10, 16(DX)
	VEXTRACTF128 $1, Y11, X0
	VADDPD       X0, X11, X11
	VUNPCKHPD    X11, X11, X0
	VADDSD       X0, X11, X11
	MOVSD        X11, 24(DX)
	VZEROUPPER
	RET

undo:
	VMOVUPD (SI), Y0
	VMOVUPD (DI), Y1
	VMOVUPD (R8), Y2
	VMOVUPD (R9), Y3
	VMULPD  Y12, Y0, Y4
	VMULPD  Y13, Y1, Y5
	VADDPD  Y5, Y4, Y4
	VMULPD  Y14, Y0, Y5
	VMULPD  Y15, Y1, Y6
	VADDPD  Y6, Y5, Y5
	VMOVUPD Y4, (SI)
	VMOVUPD Y5, (DI)
	VMULPD  Y12, Y2, Y6
	VMULPD  Y13, Y3, Y7
	VADDPD  Y7, Y6, Y6
	VMOVUPD Y6, (R8)
	VMULPD  Y14, Y2, Y6
	VMULPD  Y15, Y3, Y7
	VADDPD  Y7, Y6, Y6
	VMOVUPD Y6, (R9)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, R8
	ADDQ    $32, R9
	SUBQ    $4, CX
	JNZ     undo
	VZEROUPPER
	RET
