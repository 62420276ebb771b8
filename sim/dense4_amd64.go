//go:build amd64 && !purego

package sim

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useDense4 selects the SIMD dense 4x4 loops (AVX2 + FMA, dense4_amd64.s: one assembler
// macro per shape, instantiated per element family and vector width); tests switch it off to
// run the portable loop.
var useDense4 = hasAVX2 && cpu.X86.HasFMA

// hasAVX512 reports whether the CPU (and OS) support AVX-512F.
var hasAVX512 = cpu.X86.HasAVX512F

// useDense4x512 selects the AVX-512 forms of the dense 4x4 loops (64-byte vectors) when
// useDense4 is on; tests switch it off to run the AVX2 forms.
var useDense4x512 = hasAVX512

//go:noescape
func dense4G4P1PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G4P2PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G2P2PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G2P4PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G1P4PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G1P8PS(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G4P1PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G4P2PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G2P2PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G2P4PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G1P4PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G4P1PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G4P2PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G2P2PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G2P4PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G1P4PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G1P8PS512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G4P1PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G4P2PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G2P2PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G2P4PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G1P4PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G1P8PD(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

//go:noescape
func dense4G1P8PD512(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

type dense4Func func(p unsafe.Pointer, offs *[4]int, n1, n2, s2, n3, s3 int, coef unsafe.Pointer, perm *[8][16]int32)

var dense4Funcs = map[[4]int]dense4Func{
	{0, 4, 1, 32}: dense4G4P1PS, {0, 4, 2, 32}: dense4G4P2PS, {0, 2, 2, 32}: dense4G2P2PS,
	{0, 2, 4, 32}: dense4G2P4PS, {0, 1, 4, 32}: dense4G1P4PS, {0, 1, 8, 32}: dense4G1P8PS,
	{1, 4, 1, 32}: dense4G4P1PD, {1, 4, 2, 32}: dense4G4P2PD, {1, 2, 2, 32}: dense4G2P2PD,
	{1, 2, 4, 32}: dense4G2P4PD, {1, 1, 4, 32}: dense4G1P4PD, {1, 1, 8, 32}: dense4G1P8PD, {1, 1, 8, 64}: dense4G1P8PD512,
	{0, 4, 1, 64}: dense4G4P1PS512,
	{0, 4, 2, 64}: dense4G4P2PS512,
	{0, 2, 2, 64}: dense4G2P2PS512,
	{0, 2, 4, 64}: dense4G2P4PS512,
	{0, 1, 4, 64}: dense4G1P4PS512,
	{0, 1, 8, 64}: dense4G1P8PS512,
	{1, 4, 1, 64}: dense4G4P1PD512,
	{1, 4, 2, 64}: dense4G4P2PD512,
	{1, 2, 2, 64}: dense4G2P2PD512,
	{1, 2, 4, 64}: dense4G2P4PD512,
	{1, 1, 4, 64}: dense4G1P4PD512,
}

// dense4Call runs the plan's loop over the given geometry from p.
func dense4Call(pl *dense4Plan, p unsafe.Pointer, n1, n2, s2, n3, s3 int) {
	fam := 0
	var coef unsafe.Pointer
	if pl.pd {
		fam = 1
		coef = unsafe.Pointer(&pl.coef64[0])
	} else {
		coef = unsafe.Pointer(&pl.coef32[0])
	}
	dense4Funcs[[4]int{fam, pl.G, pl.P, pl.vb}](p, &pl.offs, n1, n2, s2, n3, s3, coef, &pl.perm)
}
