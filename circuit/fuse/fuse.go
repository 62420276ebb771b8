// Package fuse is the gate-fusion pass: it merges the gates of a bound circuit into a short
// list of small dense blocks whose product is the circuit's unitary. It depends only on the
// circuit and gates packages, so that both the simulator and the lowering package can use it.
package fuse

import (
	"fmt"
	"slices"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/internal/smallmat"
)

// Block is one fused unitary: the product of consecutive (after commuting disjoint gates
// past each other) gates of a circuit, as a small dense matrix on its qubits.
type Block struct {
	// Qubits are the qubits the block acts on, in argument order: bit j of a row or column
	// index of Matrix is the state of Qubits[j] (the gates package's convention). Empty only
	// for a circuit whose gates are all global phases.
	Qubits []int
	// Matrix is the 2^k × 2^k row-major block matrix, k = len(Qubits).
	Matrix []complex128
	// Diagonal reports that every off-diagonal entry of Matrix is exactly zero.
	Diagonal bool
	// Real reports that every entry of Matrix has a zero imaginary part.
	Real bool
	// Ops are the indices (into the circuit's Ops) of the gates fused into the block, in
	// application order. A global phase is folded into the first block and listed there.
	Ops []int
}

// Dim is the block matrix dimension 2^len(Qubits).
func (b *Block) Dim() int { return 1 << len(b.Qubits) }

// Diag returns the diagonal of Matrix (meaningful when Diagonal is set).
func (b *Block) Diag() []complex128 {
	d := b.Dim()
	out := make([]complex128, d)
	for i := range out {
		out[i] = b.Matrix[i*d+i]
	}
	return out
}

// RealMatrix returns Matrix as float64; it returns nil when the block is not Real.
func (b *Block) RealMatrix() []float64 {
	if !b.Real {
		return nil
	}
	out := make([]float64, len(b.Matrix))
	for i, v := range b.Matrix {
		out[i] = real(v)
	}
	return out
}

// MaxQubits is the largest block (and gate) the pass handles: a block matrix has 4^k
// entries.
const MaxQubits = 10

// Fuse is the gate-fusion pass: it binds the circuit's gates with env and merges them into
// blocks of at most maxQubits qubits each, in an order that multiplies out to the circuit's
// unitary: U = Matrix(blocks[len−1]) ⋯ Matrix(blocks[0]) (each embedded on its Qubits).
//
// A gate joins the most recent block on its qubits when the union of qubits stays within
// maxQubits; a gate whose qubits are covered by several recent blocks, each of which is the
// last block on all of its own qubits, merges them all with itself when the union fits. So
// runs of single-qubit gates on one qubit become one 2×2 block, single-qubit gates are
// absorbed into a neighbouring two-qubit gate (maxQubits ≥ 2), gates on the same qubit pair
// merge, and runs of diagonal gates merge into one diagonal block. A gate on more than
// maxQubits qubits is a block of its own (gates are never split).
//
// Barriers are skipped (they do not change the state). Measurement, reset and classically
// conditioned gates are errors: fuse the unitary stretches between them with FuseOps.
// maxQubits must be 1 to 10.
func Fuse(c *circuit.Circuit, env circuit.Env, maxQubits int) ([]Block, error) {
	return FuseOps(c.Ops, c.NumQubits, env, maxQubits)
}

type fuseBlock struct {
	qubits []int
	m      []complex128
	ops    []int
	alive  bool
}

// FuseOps is Fuse on a slice of operations of a circuit with numQubits qubits; Block.Ops
// index into ops.
func FuseOps(ops []circuit.Op, numQubits int, env circuit.Env, maxQubits int) ([]Block, error) {
	if maxQubits < 1 || maxQubits > MaxQubits {
		return nil, fmt.Errorf("fuse: maxQubits must be 1 to %d, got %d", MaxQubits, maxQubits)
	}
	gs := make([]Gate, 0, len(ops))
	idx := make([]int, 0, len(ops))
	for i := range ops {
		op := &ops[i]
		switch {
		case op.Kind == circuit.Barrier && op.Cond == nil:
			continue
		case !op.IsUnitary():
			return nil, fmt.Errorf("fuse: %s%s (operation %d) is not a unitary gate", op.Pos.Prefix(), op.Name(), i)
		}
		for _, q := range op.Qubits {
			if q < 0 || q >= numQubits {
				return nil, fmt.Errorf("fuse: %s%s (operation %d): qubit %d out of range", op.Pos.Prefix(), op.Name(), i, q)
			}
		}
		if len(op.Qubits) > MaxQubits {
			return nil, fmt.Errorf("fuse: %s%s (operation %d) acts on %d qubits; at most %d are supported", op.Pos.Prefix(), op.Name(), i, len(op.Qubits), MaxQubits)
		}
		m, err := op.Matrix(env)
		if err != nil {
			return nil, fmt.Errorf("fuse: %s%s (operation %d): %w", op.Pos.Prefix(), op.Name(), i, err)
		}
		gs = append(gs, Gate{Qubits: op.Qubits, Matrix: m})
		idx = append(idx, i)
	}
	blocks, err := FuseGates(gs, numQubits, maxQubits)
	if err != nil {
		return nil, err
	}
	for b := range blocks {
		for j, g := range blocks[b].Ops {
			blocks[b].Ops[j] = idx[g]
		}
	}
	return blocks, nil
}

// Gate is a unitary already resolved to its matrix: Matrix is 2^k × 2^k row-major on Qubits
// (bit j of an index ↔ Qubits[j], k = len(Qubits)); with no qubits it is a 1×1 global phase.
type Gate struct {
	Qubits []int
	Matrix []complex128
}

// FuseGates is the fusion pass on gates given as matrices (the simulator's compiled steps):
// the same merging rules as Fuse, with Block.Ops indexing gs. Matrices are not copied into
// the blocks unless merged, so a caller must not change gs[i].Matrix while it uses the
// blocks. It returns an error for a qubit out of range or repeated, a gate on more than
// MaxQubits qubits, or a matrix of the wrong size.
func FuseGates(gs []Gate, numQubits, maxQubits int) ([]Block, error) {
	if maxQubits < 1 || maxQubits > MaxQubits {
		return nil, fmt.Errorf("fuse: maxQubits must be 1 to %d, got %d", MaxQubits, maxQubits)
	}
	var blocks []*fuseBlock
	latest := make([]int, numQubits)
	for i := range latest {
		latest[i] = -1
	}
	phase := complex(1, 0)
	var phaseOps []int
	for i := range gs {
		g := &gs[i]
		if len(g.Qubits) > MaxQubits {
			return nil, fmt.Errorf("fuse: gate %d acts on %d qubits; at most %d are supported", i, len(g.Qubits), MaxQubits)
		}
		for j, q := range g.Qubits {
			if q < 0 || q >= numQubits {
				return nil, fmt.Errorf("fuse: gate %d: qubit %d out of range for %d qubits", i, q, numQubits)
			}
			if slices.Contains(g.Qubits[:j], q) {
				return nil, fmt.Errorf("fuse: gate %d: qubit %d appears twice", i, q)
			}
		}
		if d := 1 << len(g.Qubits); len(g.Matrix) != d*d {
			return nil, fmt.Errorf("fuse: gate %d on %d qubits has %d matrix entries, want %d", i, len(g.Qubits), len(g.Matrix), d*d)
		}
		m := g.Matrix
		if len(g.Qubits) == 0 {
			phase *= m[0]
			phaseOps = append(phaseOps, i)
			continue
		}
		// Distinct most recent blocks on the gate's qubits.
		var cands []int
		for _, q := range g.Qubits {
			if b := latest[q]; b >= 0 && !slices.Contains(cands, b) {
				cands = append(cands, b)
			}
		}
		union := []int{}
		for _, b := range cands {
			union = appendNew(union, blocks[b].qubits...)
		}
		union = appendNew(union, g.Qubits...)
		target := -1
		if len(union) <= maxQubits {
			switch len(cands) {
			case 0:
			case 1:
				target = cands[0]
			default:
				open := true
				for _, b := range cands {
					for _, q := range blocks[b].qubits {
						if latest[q] != b {
							open = false
						}
					}
				}
				if open {
					// Open blocks are disjoint and nothing later touches them: merge them
					// into one block placed at the end.
					slices.Sort(cands)
					nb := &fuseBlock{qubits: union, m: smallmat.Identity(1 << len(union)), alive: true}
					for _, b := range cands {
						ob := blocks[b]
						nb.m = smallmat.Mul(smallmat.Embed(ob.m, ob.qubits, union), nb.m, 1<<len(union))
						nb.ops = append(nb.ops, ob.ops...)
						ob.alive = false
					}
					blocks = append(blocks, nb)
					target = len(blocks) - 1
					for _, q := range union {
						latest[q] = target
					}
				}
			}
		}
		if target < 0 {
			blocks = append(blocks, &fuseBlock{qubits: append([]int(nil), g.Qubits...), m: m, ops: []int{i}, alive: true})
			for _, q := range g.Qubits {
				latest[q] = len(blocks) - 1
			}
			continue
		}
		b := blocks[target]
		if len(union) != len(b.qubits) {
			b.m = smallmat.Embed(b.m, b.qubits, union)
			b.qubits = union
		}
		b.m = smallmat.Mul(smallmat.Embed(m, g.Qubits, union), b.m, 1<<len(union))
		b.ops = append(b.ops, i)
		for _, q := range g.Qubits {
			latest[q] = target
		}
	}
	var out []Block
	for _, b := range blocks {
		if !b.alive {
			continue
		}
		out = append(out, Block{Qubits: b.qubits, Matrix: b.m, Ops: b.ops})
	}
	if len(phaseOps) > 0 {
		if len(out) == 0 {
			out = append(out, Block{Matrix: []complex128{1}})
		}
		out[0].Matrix = slices.Clone(out[0].Matrix)
		for j := range out[0].Matrix {
			out[0].Matrix[j] *= phase
		}
		out[0].Ops = append(append([]int(nil), phaseOps...), out[0].Ops...)
	}
	for i := range out {
		d := out[i].Dim()
		out[i].Diagonal = isDiagMat(out[i].Matrix, d)
		out[i].Real = isRealMat(out[i].Matrix)
	}
	return out, nil
}

// appendNew appends the values of v not already in s.
func appendNew(s []int, v ...int) []int {
	for _, x := range v {
		if !slices.Contains(s, x) {
			s = append(s, x)
		}
	}
	return s
}

// Small dense matrices (row-major, 2^k × 2^k; the shared ones are in internal/smallmat).

func isDiagMat(m []complex128, d int) bool {
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			if i != j && m[i*d+j] != 0 {
				return false
			}
		}
	}
	return true
}

func isRealMat(m []complex128) bool {
	for _, v := range m {
		if imag(v) != 0 {
			return false
		}
	}
	return true
}
