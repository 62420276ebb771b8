//go:build amd64 && !purego

#include "textflag.h"

// ZERO4 clears four accumulators.
#define ZERO4(a0, a1, a2, a3) VXORPS a0, a0, a0; VXORPS a1, a1, a1; VXORPS a2, a2, a2; VXORPS a3, a3, a3

// STEP2 is one step of a dot-product loop over two rows (b at +s bytes from a): the two
// factor rows at R8 in Y8, Y12, the rows' next two elements at CX broadcast in Y10, Y11 (row
// a, b; first element) and Y13, Y14 (second), accumulated into a0 (a, first), a1 (b, first),
// a2 (a, second), a3 (b, second). STEP1 is the step of one element: the factor row in Y8,
// the element of each row in Y10, Y11, accumulated into a0, a1.
#define STEP1(s, a0, a1) \
	VMOVUPS (R8), Y8; VBROADCASTSS (CX), Y10; VBROADCASTSS (CX)(s*1), Y11; \
	VFMADD231PS Y8, Y10, a0; VFMADD231PS Y8, Y11, a1
#define STEP2(s, a0, a1, a2, a3) \
	VMOVUPS (R8), Y8; VMOVUPS 32(R8), Y12; \
	VBROADCASTSS (CX), Y10; VBROADCASTSS (CX)(s*1), Y11; VBROADCASTSS 4(CX), Y13; VBROADCASTSS 4(CX)(s*1), Y14; \
	VFMADD231PS Y8, Y10, a0; VFMADD231PS Y8, Y11, a1; VFMADD231PS Y12, Y13, a2; VFMADD231PS Y12, Y14, a3

// GACC adds g_a·(row a's element in e) + g_b·(row b's in f) to the accumulator row at off(R9).
#define GACC(off, e, f, t) VMOVUPS off(R9), t; VFMADD231PS Y0, e, t; VFMADD231PS Y1, f, t; VMOVUPS t, off(R9)

// func lowRankRows8(pairs, in, out int, x, dy, q, p, gq, gp *float32)
//
// One pass over 2·pairs consecutive rows (x rows of in floats, dy rows of out floats) for
// eight factor columns: per row, g = dy_row·P and t = x_row·Q (P: out x 8, Q: in x 8,
// row-major), then gq[i] += x_row[i]·g (gq: in x 8) and gp[o] += dy_row[o]·t (gp: out x 8).
// Rows are taken two at a time, so each accumulator row is loaded and stored once per pair;
// x and dy are read once.
//
// Registers: SI x row a, DI dy row a (row b at +BX and +DX bytes), BX in*4, DX out*4,
// R10 q, R11 p, R12 gq, R13 gp; AX, CX, R8, R9 walk the loops; the pair count is kept in
// its argument slot. Y0/Y1 g of rows a/b, Y4+Y5 / Y6+Y7 t of rows a/b (two chains each).
TEXT ·lowRankRows8(SB), NOSPLIT, $0-72
	MOVQ pairs+0(FP), AX
	TESTQ AX, AX
	JZ   done
	MOVQ in+8(FP), BX
	SHLQ $2, BX
	MOVQ out+16(FP), DX
	SHLQ $2, DX
	MOVQ x+24(FP), SI
	MOVQ dy+32(FP), DI
	MOVQ q+40(FP), R10
	MOVQ p+48(FP), R11
	MOVQ gq+56(FP), R12
	MOVQ gp+64(FP), R13

pair:
	// g_a = dy_a·P (Y0 + Y2), g_b = dy_b·P (Y1 + Y3).
	ZERO4(Y0, Y1, Y2, Y3)
	MOVQ   R11, R8
	MOVQ   DI, CX
	MOVQ   DX, AX
	SHRQ   $3, AX
	TESTQ  AX, AX
	JZ     gtail

gloop:
	STEP2(DX, Y0, Y1, Y2, Y3)
	ADDQ         $64, R8
	ADDQ         $8, CX
	DECQ         AX
	JNZ          gloop

gtail:
	TESTQ        $4, DX
	JZ           gdone
	STEP1(DX, Y0, Y1)

gdone:
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1

	// t_a = x_a·Q, t_b = x_b·Q; gq[i] += x_a[i]·g_a + x_b[i]·g_b.
	ZERO4(Y4, Y5, Y6, Y7)
	MOVQ   R10, R8
	MOVQ   R12, R9
	MOVQ   SI, CX
	MOVQ   BX, AX
	SHRQ   $3, AX
	TESTQ  AX, AX
	JZ     itail

iloop:
	STEP2(BX, Y4, Y6, Y5, Y7)
	GACC(0, Y10, Y11, Y9)
	GACC(32, Y13, Y14, Y15)
	ADDQ         $64, R8
	ADDQ         $64, R9
	ADDQ         $8, CX
	DECQ         AX
	JNZ          iloop

itail:
	TESTQ        $4, BX
	JZ           idone
	STEP1(BX, Y4, Y6)
	GACC(0, Y10, Y11, Y9)

idone:
	VADDPS Y5, Y4, Y4
	VADDPS Y7, Y6, Y6

	// gp[o] += dy_a[o]·t_a + dy_b[o]·t_b.
	MOVQ R13, R9
	MOVQ DI, CX
	MOVQ DX, AX
	SHRQ $2, AX

oloop:
	VMOVUPS      (R9), Y9
	VBROADCASTSS (CX), Y10
	VBROADCASTSS (CX)(DX*1), Y11
	VFMADD231PS  Y4, Y10, Y9
	VFMADD231PS  Y6, Y11, Y9
	VMOVUPS      Y9, (R9)
	ADDQ         $32, R9
	ADDQ         $4, CX
	DECQ         AX
	JNZ          oloop

	LEAQ (SI)(BX*2), SI
	LEAQ (DI)(DX*2), DI
	DECQ pairs+0(FP)
	JNZ  pair
	VZEROUPPER

done:
	RET
