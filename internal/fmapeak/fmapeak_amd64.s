//go:build amd64 && !purego

#include "textflag.h"

// FMA throughput loops: iters rounds of 12 independent vector FMAs (acc_i += a*b), so that
// the loop is bound by the FMA units' throughput, not by their latency (4 cycles, 2 units:
// at least 8 independent chains are needed). The accumulators are not returned: the loop's
// only effect is its time.

// FMALOOP is the body of the four functions (iters): FMA is the fused multiply-add (PD or
// PS), b and c its two multiplicands and a0..a11 the twelve accumulators (YMM or ZMM).
// Clearing the XMM registers (VEX encoded) clears the whole vector registers.
#define FMALOOP(FMA, b, c, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) \
	MOVQ iters+0(FP), CX; \
	VXORPS X14, X14, X14; VXORPS X0, X0, X0; VXORPS X1, X1, X1; VXORPS X2, X2, X2; \
	VXORPS X3, X3, X3; VXORPS X4, X4, X4; VXORPS X5, X5, X5; VXORPS X6, X6, X6; \
	VXORPS X7, X7, X7; VXORPS X8, X8, X8; VXORPS X9, X9, X9; VXORPS X10, X10, X10; \
	VXORPS X11, X11, X11; VXORPS X13, X13, X13; \
loop: \
	FMA b, c, a0; FMA b, c, a1; FMA b, c, a2; FMA b, c, a3; FMA b, c, a4; FMA b, c, a5; \
	FMA b, c, a6; FMA b, c, a7; FMA b, c, a8; FMA b, c, a9; FMA b, c, a10; FMA b, c, a11; \
	DECQ CX; JNZ loop; \
	VZEROUPPER; RET

// FMAFUNCS defines the PD and PS functions of one vector width (YMM or ZMM registers).
#define FMAFUNCS(pd, ps, b, c, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) \
TEXT pd(SB), NOSPLIT, $0-8; \
	FMALOOP(VFMADD231PD, b, c, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11); \
TEXT ps(SB), NOSPLIT, $0-8; \
	FMALOOP(VFMADD231PS, b, c, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11)

// func fma256PD(iters int)
// func fma256PS(iters int)
FMAFUNCS(·fma256PD, ·fma256PS, Y13, Y14, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11)

// func fma512PD(iters int)
// func fma512PS(iters int)
FMAFUNCS(·fma512PD, ·fma512PS, Z13, Z14, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11)
