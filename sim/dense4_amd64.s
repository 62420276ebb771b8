//go:build amd64 && !purego

#include "textflag.h"

// Dense 4x4 loops (dense4.go). For every vector position x of a group of G vectors at
// p + offs[u] (u < G, offs[0] = 0), all G outputs are
//   out[v] = Σ_u Σ_k coef[(u·P+k)·G+v] ⊙ perm_k(in[u])
// with perm_0 the identity and perm_k (k ≥ 1) the VPERMPS index vectors perm[k−1]; the
// vector positions are p + i1·V + i2·s2 + i3·s3 (bytes) for i1 < n1, i2 < n2, i3 < n3,
// V = 32 bytes (AVX2, YMM registers) or 64 (the ...512 functions: AVX-512F, ZMM).
// Every product is accumulated with a fused multiply-add.
//
// There is one function per element family (PS: float32 and complex64 lanes; PD: float64
// and complex128 lanes), shape (G input vectors per group, P lane permutations) and vector
// width, fully unrolled. Each shape's loop is written once, as the macro D4GgPp below; its
// arguments are the family's instructions (MOVU: the unaligned move, MUL, FMA: the multiply
// and the fused multiply-add), PRE (instructions run before the loops: the AVX-512 functions
// load coefficient vectors into registers there) and the G·G·P coefficient operands, by
// index (u·P+k)·G+v. The vector registers are named by the width aliases VBYTES (V),
// MOVIDX (the move of the index vectors), ACC0..ACC3 (the G outputs), VIN (the input vector),
// VPRM (its permutation) and IDX1..IDX7 (the index vectors), defined before each half.

// D4ENTER loads the arguments (p in DI, offs[1..G−1] in R9..R11 by OFFS, coef in R13, the
// index vectors by IDX), runs PRE and opens the three loops (DX: the vector position).
#define D4ENTER(OFFS, IDX, PRE) \
	MOVQ p+0(FP), DI; MOVQ offs+8(FP), AX; OFFS; \
	MOVQ coef+56(FP), R13; MOVQ perm+64(FP), AX; IDX; PRE; \
	MOVQ n3+40(FP), R12; TESTQ R12, R12; JZ done; \
l3: MOVQ DI, SI; MOVQ n2+24(FP), BX; \
l2: MOVQ SI, DX; MOVQ n1+16(FP), CX; \
l1:

// D4EXIT runs STORE (the stores of the G outputs) and closes the loops.
#define D4EXIT(STORE) \
	STORE; ADDQ $VBYTES, DX; DECQ CX; JNZ l1; \
	ADDQ s2+32(FP), SI; DECQ BX; JNZ l2; \
	ADDQ s3+48(FP), DI; DECQ R12; JNZ l3; \
done: VZEROUPPER; RET

#define D4NONE
#define D4OFFS2 MOVQ 8(AX), R9
#define D4OFFS4 D4OFFS2; MOVQ 16(AX), R10; MOVQ 24(AX), R11
#define D4IDX2 MOVIDX 0(AX), IDX1
#define D4IDX4 D4IDX2; MOVIDX 64(AX), IDX2; MOVIDX 128(AX), IDX3
#define D4IDX8 D4IDX4; MOVIDX 192(AX), IDX4; MOVIDX 256(AX), IDX5; MOVIDX 320(AX), IDX6; MOVIDX 384(AX), IDX7

// D4LD1 and D4LD4 load the coefficient vectors from off(R13) on into r0.. (AVX-512).
#define D4LD1(MOVU, off, r0) MOVU (off)(R13), r0
#define D4LD4(MOVU, off, r0, r1, r2, r3) \
	MOVU (off)(R13), r0; MOVU (off+64)(R13), r1; MOVU (off+128)(R13), r2; MOVU (off+192)(R13), r3

// D4ST1, D4ST2 and D4ST4 store the G outputs at p + offs[v].
#define D4ST1(MOVU) MOVU ACC0, (DX)
#define D4ST2(MOVU) D4ST1(MOVU); MOVU ACC1, (DX)(R9*1)
#define D4ST4(MOVU) D4ST2(MOVU); MOVU ACC2, (DX)(R10*1); MOVU ACC3, (DX)(R11*1)

// D4MAC1, D4MAC2 and D4MAC4 accumulate OP(c_v, x) into the G outputs (OP = MUL sets them).
#define D4MAC1(OP, x, c0) OP c0, x, ACC0
#define D4MAC2(OP, x, c0, c1) D4MAC1(OP, x, c0); OP c1, x, ACC1
#define D4MAC4(OP, x, c0, c1, c2, c3) D4MAC2(OP, x, c0, c1); OP c2, x, ACC2; OP c3, x, ACC3

// D4PERM2, D4PERM1 add the contribution of the input's permutation by the index vector idx
// (G = 2, 1).
#define D4PERM2(FMA, idx, c0, c1) VPERMPS VIN, idx, VPRM; D4MAC2(FMA, VPRM, c0, c1)
#define D4PERM1(FMA, idx, c0) VPERMPS VIN, idx, VPRM; D4MAC1(FMA, VPRM, c0)

// D4U4P1, D4U4P2, D4U2P2, D4U2P4 add the contributions of the input vector at in (OP = MUL
// for the first input, FMA for the others).
#define D4U4P1(MOVU, OP, in, c0, c1, c2, c3) MOVU in, VIN; D4MAC4(OP, VIN, c0, c1, c2, c3)
#define D4U4P2(MOVU, OP, FMA, in, c0, c1, c2, c3, c4, c5, c6, c7) \
	D4U4P1(MOVU, OP, in, c0, c1, c2, c3); VPERMPS VIN, IDX1, VPRM; D4MAC4(FMA, VPRM, c4, c5, c6, c7)
#define D4U2P2(MOVU, OP, FMA, in, c0, c1, c2, c3) \
	MOVU in, VIN; D4MAC2(OP, VIN, c0, c1); D4PERM2(FMA, IDX1, c2, c3)
#define D4U2P4(MOVU, OP, FMA, in, c0, c1, c2, c3, c4, c5, c6, c7) \
	D4U2P2(MOVU, OP, FMA, in, c0, c1, c2, c3); D4PERM2(FMA, IDX2, c4, c5); D4PERM2(FMA, IDX3, c6, c7)

// The loops of the six shapes.
#define D4G4P1(MOVU, MUL, FMA, PRE, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15) \
	D4ENTER(D4OFFS4, D4NONE, PRE); \
	D4U4P1(MOVU, MUL, (DX), c0, c1, c2, c3); \
	D4U4P1(MOVU, FMA, (DX)(R9*1), c4, c5, c6, c7); \
	D4U4P1(MOVU, FMA, (DX)(R10*1), c8, c9, c10, c11); \
	D4U4P1(MOVU, FMA, (DX)(R11*1), c12, c13, c14, c15); \
	D4EXIT(D4ST4(MOVU))

#define D4G4P2(MOVU, MUL, FMA, PRE, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31) \
	D4ENTER(D4OFFS4, D4IDX2, PRE); \
	D4U4P2(MOVU, MUL, FMA, (DX), c0, c1, c2, c3, c4, c5, c6, c7); \
	D4U4P2(MOVU, FMA, FMA, (DX)(R9*1), c8, c9, c10, c11, c12, c13, c14, c15); \
	D4U4P2(MOVU, FMA, FMA, (DX)(R10*1), c16, c17, c18, c19, c20, c21, c22, c23); \
	D4U4P2(MOVU, FMA, FMA, (DX)(R11*1), c24, c25, c26, c27, c28, c29, c30, c31); \
	D4EXIT(D4ST4(MOVU))

#define D4G2P2(MOVU, MUL, FMA, PRE, c0, c1, c2, c3, c4, c5, c6, c7) \
	D4ENTER(D4OFFS2, D4IDX2, PRE); \
	D4U2P2(MOVU, MUL, FMA, (DX), c0, c1, c2, c3); \
	D4U2P2(MOVU, FMA, FMA, (DX)(R9*1), c4, c5, c6, c7); \
	D4EXIT(D4ST2(MOVU))

#define D4G2P4(MOVU, MUL, FMA, PRE, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15) \
	D4ENTER(D4OFFS2, D4IDX4, PRE); \
	D4U2P4(MOVU, MUL, FMA, (DX), c0, c1, c2, c3, c4, c5, c6, c7); \
	D4U2P4(MOVU, FMA, FMA, (DX)(R9*1), c8, c9, c10, c11, c12, c13, c14, c15); \
	D4EXIT(D4ST2(MOVU))

#define D4G1P4(MOVU, MUL, FMA, PRE, c0, c1, c2, c3) \
	D4ENTER(D4NONE, D4IDX4, PRE); \
	MOVU (DX), VIN; D4MAC1(MUL, VIN, c0); \
	D4PERM1(FMA, IDX1, c1); D4PERM1(FMA, IDX2, c2); D4PERM1(FMA, IDX3, c3); \
	D4EXIT(D4ST1(MOVU))

#define D4G1P8(MOVU, MUL, FMA, PRE, c0, c1, c2, c3, c4, c5, c6, c7) \
	D4ENTER(D4NONE, D4IDX8, PRE); \
	MOVU (DX), VIN; D4MAC1(MUL, VIN, c0); \
	D4PERM1(FMA, IDX1, c1); D4PERM1(FMA, IDX2, c2); D4PERM1(FMA, IDX3, c3); \
	D4PERM1(FMA, IDX4, c4); D4PERM1(FMA, IDX5, c5); D4PERM1(FMA, IDX6, c6); D4PERM1(FMA, IDX7, c7); \
	D4EXIT(D4ST1(MOVU))

// The coefficient operands of the AVX2 functions: all in memory, vector i at 32·i(R13).
#define D4G4P1Y(MOVU, MUL, FMA) D4G4P1(MOVU, MUL, FMA, D4NONE, 0(R13), 32(R13), 64(R13), 96(R13), 128(R13), 160(R13), 192(R13), 224(R13), 256(R13), 288(R13), 320(R13), 352(R13), 384(R13), 416(R13), 448(R13), 480(R13))
#define D4G4P2Y(MOVU, MUL, FMA) D4G4P2(MOVU, MUL, FMA, D4NONE, 0(R13), 32(R13), 64(R13), 96(R13), 128(R13), 160(R13), 192(R13), 224(R13), 256(R13), 288(R13), 320(R13), 352(R13), 384(R13), 416(R13), 448(R13), 480(R13), 512(R13), 544(R13), 576(R13), 608(R13), 640(R13), 672(R13), 704(R13), 736(R13), 768(R13), 800(R13), 832(R13), 864(R13), 896(R13), 928(R13), 960(R13), 992(R13))
#define D4G2P2Y(MOVU, MUL, FMA) D4G2P2(MOVU, MUL, FMA, D4NONE, 0(R13), 32(R13), 64(R13), 96(R13), 128(R13), 160(R13), 192(R13), 224(R13))
#define D4G2P4Y(MOVU, MUL, FMA) D4G2P4(MOVU, MUL, FMA, D4NONE, 0(R13), 32(R13), 64(R13), 96(R13), 128(R13), 160(R13), 192(R13), 224(R13), 256(R13), 288(R13), 320(R13), 352(R13), 384(R13), 416(R13), 448(R13), 480(R13))
#define D4G1P4Y(MOVU, MUL, FMA) D4G1P4(MOVU, MUL, FMA, D4NONE, 0(R13), 32(R13), 64(R13), 96(R13))
#define D4G1P8Y(MOVU, MUL, FMA) D4G1P8(MOVU, MUL, FMA, D4NONE, 0(R13), 32(R13), 64(R13), 96(R13), 128(R13), 160(R13), 192(R13), 224(R13))

// The coefficient operands of the AVX-512 functions: as many as fit in Z6, Z7 and the registers
// after the index vectors (Z(7+P)..Z31), loaded by PRE; the rest stay in memory at 64·i(R13).
#define D4G4P1Z(MOVU, MUL, FMA) D4G4P1(MOVU, MUL, FMA, D4LD4(MOVU, 0, Z6, Z7, Z8, Z9); D4LD4(MOVU, 256, Z10, Z11, Z12, Z13); D4LD4(MOVU, 512, Z14, Z15, Z16, Z17); D4LD4(MOVU, 768, Z18, Z19, Z20, Z21), Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21)
#define D4G4P2Z(MOVU, MUL, FMA) D4G4P2(MOVU, MUL, FMA, D4LD4(MOVU, 0, Z6, Z7, Z9, Z10); D4LD4(MOVU, 256, Z11, Z12, Z13, Z14); D4LD4(MOVU, 512, Z15, Z16, Z17, Z18); D4LD4(MOVU, 768, Z19, Z20, Z21, Z22); D4LD4(MOVU, 1024, Z23, Z24, Z25, Z26); D4LD4(MOVU, 1280, Z27, Z28, Z29, Z30); D4LD1(MOVU, 1536, Z31), Z6, Z7, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31, 1600(R13), 1664(R13), 1728(R13), 1792(R13), 1856(R13), 1920(R13), 1984(R13))
#define D4G2P2Z(MOVU, MUL, FMA) D4G2P2(MOVU, MUL, FMA, D4LD4(MOVU, 0, Z6, Z7, Z9, Z10); D4LD4(MOVU, 256, Z11, Z12, Z13, Z14), Z6, Z7, Z9, Z10, Z11, Z12, Z13, Z14)
#define D4G2P4Z(MOVU, MUL, FMA) D4G2P4(MOVU, MUL, FMA, D4LD4(MOVU, 0, Z6, Z7, Z11, Z12); D4LD4(MOVU, 256, Z13, Z14, Z15, Z16); D4LD4(MOVU, 512, Z17, Z18, Z19, Z20); D4LD4(MOVU, 768, Z21, Z22, Z23, Z24), Z6, Z7, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24)
#define D4G1P4Z(MOVU, MUL, FMA) D4G1P4(MOVU, MUL, FMA, D4LD4(MOVU, 0, Z6, Z7, Z11, Z12), Z6, Z7, Z11, Z12)
#define D4G1P8Z(MOVU, MUL, FMA) D4G1P8(MOVU, MUL, FMA, D4LD4(MOVU, 0, Z6, Z7, Z15, Z16); D4LD4(MOVU, 256, Z17, Z18, Z19, Z20), Z6, Z7, Z15, Z16, Z17, Z18, Z19, Z20)

// The AVX2 functions.
#define VBYTES 32
#define MOVIDX VMOVDQU
#define ACC0 Y0
#define ACC1 Y1
#define ACC2 Y2
#define ACC3 Y3
#define VIN Y4
#define VPRM Y5
#define IDX1 Y8
#define IDX2 Y9
#define IDX3 Y10
#define IDX4 Y11
#define IDX5 Y12
#define IDX6 Y13
#define IDX7 Y14

// func dense4G4P1PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G4P1PS(SB), NOSPLIT, $0-72
	D4G4P1Y(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G4P1PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G4P1PD(SB), NOSPLIT, $0-72
	D4G4P1Y(VMOVUPD, VMULPD, VFMADD231PD)

// func dense4G4P2PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G4P2PS(SB), NOSPLIT, $0-72
	D4G4P2Y(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G4P2PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G4P2PD(SB), NOSPLIT, $0-72
	D4G4P2Y(VMOVUPD, VMULPD, VFMADD231PD)

// func dense4G2P2PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G2P2PS(SB), NOSPLIT, $0-72
	D4G2P2Y(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G2P2PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G2P2PD(SB), NOSPLIT, $0-72
	D4G2P2Y(VMOVUPD, VMULPD, VFMADD231PD)

// func dense4G2P4PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G2P4PS(SB), NOSPLIT, $0-72
	D4G2P4Y(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G2P4PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G2P4PD(SB), NOSPLIT, $0-72
	D4G2P4Y(VMOVUPD, VMULPD, VFMADD231PD)

// func dense4G1P4PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G1P4PS(SB), NOSPLIT, $0-72
	D4G1P4Y(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G1P4PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G1P4PD(SB), NOSPLIT, $0-72
	D4G1P4Y(VMOVUPD, VMULPD, VFMADD231PD)

// func dense4G1P8PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G1P8PS(SB), NOSPLIT, $0-72
	D4G1P8Y(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G1P8PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G1P8PD(SB), NOSPLIT, $0-72
	D4G1P8Y(VMOVUPD, VMULPD, VFMADD231PD)

// The AVX-512F functions.
#undef VBYTES
#undef MOVIDX
#undef ACC0
#undef ACC1
#undef ACC2
#undef ACC3
#undef VIN
#undef VPRM
#undef IDX1
#undef IDX2
#undef IDX3
#undef IDX4
#undef IDX5
#undef IDX6
#undef IDX7
#define VBYTES 64
#define MOVIDX VMOVDQU32
#define ACC0 Z0
#define ACC1 Z1
#define ACC2 Z2
#define ACC3 Z3
#define VIN Z4
#define VPRM Z5
#define IDX1 Z8
#define IDX2 Z9
#define IDX3 Z10
#define IDX4 Z11
#define IDX5 Z12
#define IDX6 Z13
#define IDX7 Z14

// func dense4G4P1PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G4P1PS512(SB), NOSPLIT, $0-72
	D4G4P1Z(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G4P1PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G4P1PD512(SB), NOSPLIT, $0-72
	D4G4P1Z(VMOVUPD, VMULPD, VFMADD231PD)

// func dense4G4P2PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G4P2PS512(SB), NOSPLIT, $0-72
	D4G4P2Z(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G4P2PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G4P2PD512(SB), NOSPLIT, $0-72
	D4G4P2Z(VMOVUPD, VMULPD, VFMADD231PD)

// func dense4G2P2PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G2P2PS512(SB), NOSPLIT, $0-72
	D4G2P2Z(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G2P2PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G2P2PD512(SB), NOSPLIT, $0-72
	D4G2P2Z(VMOVUPD, VMULPD, VFMADD231PD)

// func dense4G2P4PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G2P4PS512(SB), NOSPLIT, $0-72
	D4G2P4Z(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G2P4PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G2P4PD512(SB), NOSPLIT, $0-72
	D4G2P4Z(VMOVUPD, VMULPD, VFMADD231PD)

// func dense4G1P4PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G1P4PS512(SB), NOSPLIT, $0-72
	D4G1P4Z(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G1P4PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G1P4PD512(SB), NOSPLIT, $0-72
	D4G1P4Z(VMOVUPD, VMULPD, VFMADD231PD)

// func dense4G1P8PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G1P8PS512(SB), NOSPLIT, $0-72
	D4G1P8Z(VMOVUPS, VMULPS, VFMADD231PS)

// func dense4G1P8PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)
TEXT ·dense4G1P8PD512(SB), NOSPLIT, $0-72
	D4G1P8Z(VMOVUPD, VMULPD, VFMADD231PD)
