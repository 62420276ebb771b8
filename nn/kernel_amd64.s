//go:build amd64 && !purego

#include "textflag.h"

// The 6x16 micro-kernels keep the tile in Y0..Y11 (row i in Y(2i), Y(2i+1)); B's row of 16
// floats is loaded into Y12, Y13 and A's elements are broadcast alternately into Y14, Y15.

// ZERO12 clears the accumulators Y0..Y11.
#define ZERO12 \
	VXORPS Y0, Y0, Y0; VXORPS Y1, Y1, Y1; VXORPS Y2, Y2, Y2; VXORPS Y3, Y3, Y3; \
	VXORPS Y4, Y4, Y4; VXORPS Y5, Y5, Y5; VXORPS Y6, Y6, Y6; VXORPS Y7, Y7, Y7; \
	VXORPS Y8, Y8, Y8; VXORPS Y9, Y9, Y9; VXORPS Y10, Y10, Y10; VXORPS Y11, Y11, Y11

// FMAROW adds A's element at a times B's row (Y12, Y13) to the tile row acc0, acc1.
#define FMAROW(a, t, acc0, acc1) VBROADCASTSS a, t; VFMADD231PS Y12, t, acc0; VFMADD231PS Y13, t, acc1

// KSTEP accumulates one rank-1 update p: B's row at DI times A's six elements a0..a5 (column
// p of the 6 rows).
#define KSTEP(a0, a1, a2, a3, a4, a5) \
	VMOVUPS (DI), Y12; VMOVUPS 32(DI), Y13; \
	FMAROW(a0, Y14, Y0, Y1); FMAROW(a1, Y15, Y2, Y3); FMAROW(a2, Y14, Y4, Y5); \
	FMAROW(a3, Y15, Y6, Y7); FMAROW(a4, Y14, Y8, Y9); FMAROW(a5, Y15, Y10, Y11)

// KARGS loads the arguments kc, a, b, c of the packed kernels into CX, SI, DI, DX.
#define KARGS MOVQ kc+0(FP), CX; MOVQ a+8(FP), SI; MOVQ b+16(FP), DI; MOVQ c+24(FP), DX

// KLOOP clears the tile and accumulates the CX rank-1 updates: B's rows from DI on (64 bytes
// apart), A's six elements at a0..a5, moved to the next column by NEXTA.
#define KLOOP(NEXTA, a0, a1, a2, a3, a4, a5) \
	ZERO12; \
loop: \
	KSTEP(a0, a1, a2, a3, a4, a5); NEXTA; ADDQ $64, DI; DECQ CX; JNZ loop

// NEXTPACKED and NEXTDIRECT step A to the next column: in the packed panel (6 floats) or in
// place (one float in each of the row pointers SI and R10).
#define NEXTPACKED ADDQ $24, SI
#define NEXTDIRECT ADDQ $4, SI; ADDQ $4, R10

// ADDROW adds the tile row acc0, acc1 to the 16 floats at DX; STOREROW stores it there.
#define ADDROW(acc0, acc1) \
	VADDPS (DX), acc0, acc0; VADDPS 32(DX), acc1, acc1; VMOVUPS acc0, (DX); VMOVUPS acc1, 32(DX)
#define STOREROW(acc0, acc1) VMOVUPS acc0, (DX); VMOVUPS acc1, 32(DX)

// TILEOUT applies ROW (ADDROW or STOREROW) to the six rows of C from DX on, R8 bytes apart,
// and returns; CTILEOUT does it with ADDROW, or with STOREROW when the bool argument store
// (at the operand flag) is true.
#define TILEOUT(ROW) \
	ROW(Y0, Y1); ADDQ R8, DX; ROW(Y2, Y3); ADDQ R8, DX; ROW(Y4, Y5); ADDQ R8, DX; \
	ROW(Y6, Y7); ADDQ R8, DX; ROW(Y8, Y9); ADDQ R8, DX; ROW(Y10, Y11); \
	VZEROUPPER; RET
#define CTILEOUT(flag) \
	MOVBLZX flag, AX; TESTQ AX, AX; JNZ store; TILEOUT(ADDROW); \
store: \
	TILEOUT(STOREROW)

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func sgemmKernel6x16(kc int, a, b, c *float32)
// c[i*16+j] = sum_p a[p*6+i] * b[p*16+j] for i < 6, j < 16, kc >= 1; accumulation in p order
// with fused multiply-add.
TEXT ·sgemmKernel6x16(SB), NOSPLIT, $0-32
	KARGS
	KLOOP(NEXTPACKED, (SI), 4(SI), 8(SI), 12(SI), 16(SI), 20(SI))
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	VMOVUPS Y4, 128(DX)
	VMOVUPS Y5, 160(DX)
	VMOVUPS Y6, 192(DX)
	VMOVUPS Y7, 224(DX)
	VMOVUPS Y8, 256(DX)
	VMOVUPS Y9, 288(DX)
	VMOVUPS Y10, 320(DX)
	VMOVUPS Y11, 352(DX)
	VZEROUPPER
	RET

// func sgemmKernel6x16C(kc int, a, b, c *float32, ldc int, store bool)
// C tile (6 rows of 16, row stride ldc floats) = (store) or += (!store) the packed product;
// same accumulation order as sgemmKernel6x16.
TEXT ·sgemmKernel6x16C(SB), NOSPLIT, $0-41
	KARGS
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	KLOOP(NEXTPACKED, (SI), 4(SI), 8(SI), 12(SI), 16(SI), 20(SI))
	CTILEOUT(store+40(FP))

// func sgemmKernel6x16D(kc int, a *float32, lda int, b, c *float32, ldc int, store bool)
// Like sgemmKernel6x16C, but A is read in place: row i of the 6 x kc block starts at
// a + i*lda floats (no packed panel). Same accumulation order, so the same results.
TEXT ·sgemmKernel6x16D(SB), NOSPLIT, $0-49
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R9
	SHLQ $2, R9
	LEAQ (SI)(R9*2), R10
	ADDQ R9, R10
	MOVQ b+24(FP), DI
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	KLOOP(NEXTDIRECT, (SI), (SI)(R9*1), (SI)(R9*2), (R10), (R10)(R9*1), (R10)(R9*2))
	CTILEOUT(store+48(FP))
