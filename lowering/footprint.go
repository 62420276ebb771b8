package lowering

import (
	"fmt"

	"github.com/qpeft/qpeft/sim"
)

// Footprint predicts the peak memory of Stiefel(theta, k) (or Dense with k = N): the N x k
// float64 matrix, the executor's scratch, and the program and workspace (the stages'
// matrices, diagonals and permutations). Stiefel checks it against the memory limit before
// allocating.
func (p *RealProgram) Footprint(k int) sim.Footprint { return p.p.footprint(k, true) }

// Footprint predicts the peak memory of Columns(theta, k) (or Dense with k = N): the N x k
// complex128 matrix, the executor's scratch, and the program and workspace. Columns checks
// it against the memory limit before allocating.
func (p *Program) Footprint(k int) sim.Footprint { return p.p.footprint(k, false) }

func (p *plan) footprint(k int, real bool) sim.Footprint {
	f := sim.ColumnsFootprint(p.n, k, real)
	f.What = "lowering " + f.What
	elem := 16.0
	if real {
		elem = 8
	}
	var prog float64
	for _, r := range p.ops {
		d := float64(int(1) << r.nq)
		prog += 16 * d * d // the gate's matrix
		if r.params {
			prog += 16 * d * d // the workspace's bound copy
		}
	}
	for _, st := range p.stages {
		D := float64(int(1) << len(st.support))
		switch st.kind {
		case KronStage:
			prog += 2 * 4 * elem * float64(len(st.support))
		case DiagStage:
			prog += 3 * elem * D
		case PermStage:
			prog += 4 * 8 * D // σ, σ⁻¹ and their cycles
		case BlockStage:
			Dt := float64(int(1) << (len(st.support) - st.controls))
			prog += (3*elem + 16 + 16*float64(len(st.ops))) * Dt * Dt
		}
	}
	f.Add(fmt.Sprintf("program and workspace (%d stages)", len(p.stages)), prog+elem*float64(k))
	return f
}
