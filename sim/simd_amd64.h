// Loops shared by the double-precision (simd_amd64.s) and single-precision (simd32_amd64.s)
// gate kernels, written once and instantiated per precision: MOVU is the unaligned move
// (VMOVUPD or VMOVUPS), MUL the multiply, BCAST the broadcast of a scalar (VBROADCASTSD or
// VBROADCASTSS). A vector is one 32-byte YMM register.

// SWAP64 and SWAP32 set s to x with the real and imaginary parts of every complex128 or
// complex64 exchanged.
#define SWAP64(x, s) VPERMILPD $5, x, s
#define SWAP32(x, s) VPERMILPS $0xB1, x, s

// PAIRARGS loads the arguments a, b, nvec, stride of the pairVec functions into SI, DI, CX, R8.
#define PAIRARGS \
	MOVQ a+0(FP), SI; MOVQ b+8(FP), DI; MOVQ nvec+16(FP), CX; MOVQ stride+24(FP), R8

// LANEARGS loads the arguments d, nvec, c of the pairLane functions into SI, CX, R8.
#define LANEARGS MOVQ d+0(FP), SI; MOVQ nvec+8(FP), CX; MOVQ c+16(FP), R8

// PAIRLOOP runs BODY, which sets Y4 and Y5 from x = Y0 and y = Y1, for each of the CX vector
// pairs at SI, DI (stepping by R8 bytes), storing Y4 at SI and Y5 at DI.
#define PAIRLOOP(MOVU, BODY) \
	TESTQ CX, CX; JZ done; \
loop: \
	MOVU (SI), Y0; MOVU (DI), Y1; BODY; MOVU Y4, (SI); MOVU Y5, (DI); \
	ADDQ R8, SI; ADDQ R8, DI; DECQ CX; JNZ loop; \
done: \
	VZEROUPPER; RET

// NOTHING is an empty macro argument.
#define NOTHING

// ELEMLOOP multiplies each of the CX vectors at SI by S0 (MUL S0, x, x), four vectors at a
// time (the second to fourth by S1, S2, S3), then one at a time; after each step of four or
// one, STEP4 or STEP1 advances the source of the factors (NOTHING when they are registers).
#define ELEMLOOP(MOVU, MUL, S0, S1, S2, S3, STEP4, STEP1) \
x4: \
	CMPQ CX, $4; JLT x1; \
	MOVU (SI), Y0; MOVU 32(SI), Y1; MOVU 64(SI), Y2; MOVU 96(SI), Y3; \
	MUL S0, Y0, Y0; MUL S1, Y1, Y1; MUL S2, Y2, Y2; MUL S3, Y3, Y3; \
	MOVU Y0, (SI); MOVU Y1, 32(SI); MOVU Y2, 64(SI); MOVU Y3, 96(SI); \
	ADDQ $128, SI; STEP4; SUBQ $4, CX; JMP x4; \
x1: \
	TESTQ CX, CX; JZ done; \
	MOVU (SI), Y0; MUL S0, Y0, Y0; MOVU Y0, (SI); \
	ADDQ $32, SI; STEP1; DECQ CX; JMP x1; \
done: \
	VZEROUPPER; RET

// SCALEVEC is the body of scaleVecF64 and scaleVecF32 (a, nvec, v): multiply the nvec vectors
// at a by v, four vectors at a time, then one at a time.
#define SCALEVEC(MOVU, MUL, BCAST) \
	MOVQ a+0(FP), SI; MOVQ nvec+8(FP), CX; BCAST v+16(FP), Y15; \
	ELEMLOOP(MOVU, MUL, Y15, Y15, Y15, Y15, NOTHING, NOTHING)

// MULVECR is the body of mulVecF64 and mulVecF32 (a, p, nvec): multiply the nvec real vectors
// at a by those at p, element by element (one multiply per element: bit-identical to Go's
// a[k] *= p[k]), the factors read from memory by the multiplies.
#define PSTEP4 ADDQ $128, DI
#define PSTEP1 ADDQ $32, DI
#define MULVECR(MOVU, MUL) \
	MOVQ a+0(FP), SI; MOVQ p+8(FP), DI; MOVQ nvec+16(FP), CX; \
	ELEMLOOP(MOVU, MUL, (DI), 32(DI), 64(DI), 96(DI), PSTEP4, PSTEP1)

// MULVEC is the body of mulVecC128 and mulVecC64 (a, p, nvec): multiply the nvec complex
// vectors at a by those at p, element by element, as (ac−bd) + (ad+bc)i. SPLIT(m, re, im)
// broadcasts the real and the imaginary part of each element at m over its pair of lanes,
// SWAP is SWAP64 or SWAP32 and ADDSUB is VADDSUBPD or VADDSUBPS.
#define MULVEC(MOVU, MUL, ADDSUB, SPLIT, SWAP) \
	MOVQ a+0(FP), SI; MOVQ p+8(FP), DI; MOVQ nvec+16(FP), CX; \
	TESTQ CX, CX; JZ done; \
loop: \
	MOVU (SI), Y0; SPLIT((DI), Y1, Y2); SWAP(Y0, Y3); \
	MUL Y1, Y0, Y0; MUL Y2, Y3, Y3; ADDSUB Y3, Y0, Y0; MOVU Y0, (SI); \
	ADDQ $32, SI; ADDQ $32, DI; DECQ CX; JNZ loop; \
done: \
	VZEROUPPER; RET
