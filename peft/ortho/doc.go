package ortho

import (
	"fmt"
	"math"

	"github.com/qpeft/qpeft/lowering"
)

// FactorDoc describes how an orthogonal factor Q(θ) ∈ O(Dim) is built, as stored in an
// adapter's adapter_config.json (factor_U, factor_V) and described in
// docs/program-schema.md: a circuit leaf running a compiled program, the identity, or a
// block cosine–sine node
//
//	Q = diag(A1, A2) · CS(φ) · diag(B1, I)
//
// whose CS stage rotates row i of the first block (dimension N1) with row i of the second
// (dimension N2), i < N2, by [[cos φ_i/2, −sin φ_i/2], [sin φ_i/2, cos φ_i/2]]. θ[Offset :
// Offset+Params] are the factor's parameters; a Stiefel factor U is the first K columns of
// Q.
type FactorDoc struct {
	// Kind is "circuit", "identity" or "blockcs".
	Kind string `json:"kind"`
	// Dim is the dimension the factor acts on.
	Dim int `json:"dim"`
	// Offset and Params locate the factor's parameters in θ.
	Offset int `json:"offset"`
	Params int `json:"params"`
	// Program (circuit) names the compiled program in the adapter's "programs".
	Program string `json:"program,omitempty"`
	// N1 and N2 (blockcs) are the block sizes, N1 + N2 = Dim.
	N1 int `json:"n1,omitempty"`
	N2 int `json:"n2,omitempty"`
	// CSMode (blockcs) is "walsh" (φ_i = α_0 + Σ_b α_{b+1}·(−1)^{bit b of i}, 1 + ⌈log2 N2⌉
	// parameters) or "full" (φ_i = α_i, N2 parameters); α = θ[CSOffset : CSOffset+CSParams].
	CSMode   string `json:"cs_mode,omitempty"`
	CSOffset int    `json:"cs_offset,omitempty"`
	CSParams int    `json:"cs_params,omitempty"`
	// B1, A1 and A2 (blockcs) are the blocks; B2 is the identity.
	B1 *FactorDoc `json:"b1,omitempty"`
	A1 *FactorDoc `json:"a1,omitempty"`
	A2 *FactorDoc `json:"a2,omitempty"`
}

// ProgramID names the program of a circuit leaf of dimension dim.
type ProgramID func(dim int) string

// Describe returns the factor tree of a Stiefel factor built by [New] (the pauli and circuit
// maps) and adds the program document of every circuit leaf to programs under its id. The
// Taylor map has no program and is an error.
func Describe(s Stiefel, id ProgramID, programs map[string]*lowering.ProgramDoc) (*FactorDoc, error) {
	switch f := s.(type) {
	case *firstColumns:
		return describe(f.q, 0, id, programs)
	case *BlockCS:
		return describe(f, 0, id, programs)
	}
	return nil, fmt.Errorf("ortho: a %T factor has no program description (only the pauli and circuit maps have one)", s)
}

func describe(o Orthogonal, off int, id ProgramID, programs map[string]*lowering.ProgramDoc) (*FactorDoc, error) {
	switch q := o.(type) {
	case identity:
		return &FactorDoc{Kind: "identity", Dim: q.n, Offset: off}, nil
	case *Circuit:
		name := id(q.Dim())
		if _, ok := programs[name]; !ok {
			doc, err := q.prog.Doc()
			if err != nil {
				return nil, fmt.Errorf("ortho: program %s: %w", name, err)
			}
			programs[name] = doc
		}
		return &FactorDoc{Kind: "circuit", Dim: q.Dim(), Offset: off, Params: q.NumParams(), Program: name}, nil
	case *BlockCS:
		if q.b2 != nil {
			return nil, fmt.Errorf("ortho: a block cosine–sine factor with B2 ≠ I has no program description")
		}
		d := &FactorDoc{Kind: "blockcs", Dim: q.n, Offset: off, Params: q.total, N1: q.n1, N2: q.n2,
			CSMode: q.mode.String(), CSOffset: off + q.offPhi, CSParams: q.nphi}
		var err error
		if d.B1, err = describe(q.b1, off+q.offB1, id, programs); err != nil {
			return nil, err
		}
		if d.A1, err = describe(q.a1, off+q.offA1, id, programs); err != nil {
			return nil, err
		}
		if d.A2, err = describe(q.a2, off+q.offA2, id, programs); err != nil {
			return nil, err
		}
		return d, nil
	}
	return nil, fmt.Errorf("ortho: a %T block has no program description", o)
}

// Columns evaluates the first k columns of the described factor at θ (N × k, row-major)
// by interpreting the tree and its program documents directly (a reference evaluator,
// independent of the compiled factors).
func (d *FactorDoc) Columns(theta []float64, k int, programs map[string]*lowering.ProgramDoc) ([]float64, error) {
	if k < 1 || k > d.Dim {
		return nil, fmt.Errorf("ortho: k = %d outside 1..%d", k, d.Dim)
	}
	x := make([]float64, d.Dim*k)
	for j := 0; j < k; j++ {
		x[j*k+j] = 1
	}
	if err := d.apply(theta, x, k, programs); err != nil {
		return nil, err
	}
	return x, nil
}

func (d *FactorDoc) apply(theta, x []float64, m int, programs map[string]*lowering.ProgramDoc) error {
	if d.Offset < 0 || d.Offset+d.Params > len(theta) {
		return fmt.Errorf("ortho: factor parameters %d..%d outside θ (%d)", d.Offset, d.Offset+d.Params, len(theta))
	}
	switch d.Kind {
	case "identity":
		return nil
	case "circuit":
		p, ok := programs[d.Program]
		if !ok {
			return fmt.Errorf("ortho: program %q is missing", d.Program)
		}
		if p.Dim != d.Dim {
			return fmt.Errorf("ortho: program %q has dimension %d, the factor %d", d.Program, p.Dim, d.Dim)
		}
		return p.Apply(theta[d.Offset:d.Offset+d.Params], x, m)
	case "blockcs":
		if d.B1 == nil || d.A1 == nil || d.A2 == nil || d.N1+d.N2 != d.Dim || d.N2 > d.N1 {
			return fmt.Errorf("ortho: malformed blockcs node of dimension %d", d.Dim)
		}
		x1, x2 := x[:d.N1*m], x[d.N1*m:]
		if err := d.B1.apply(theta, x1, m, programs); err != nil {
			return err
		}
		alpha := theta[d.CSOffset : d.CSOffset+d.CSParams]
		for i := 0; i < d.N2; i++ {
			var phi float64
			switch d.CSMode {
			case "full":
				phi = alpha[i]
			case "walsh":
				phi = alpha[0]
				for b := 0; b+1 < len(alpha); b++ {
					if i>>b&1 == 0 {
						phi += alpha[b+1]
					} else {
						phi -= alpha[b+1]
					}
				}
			default:
				return fmt.Errorf("ortho: unknown cs_mode %q", d.CSMode)
			}
			s, c := math.Sincos(phi / 2)
			for j := 0; j < m; j++ {
				p, q := x1[i*m+j], x2[i*m+j]
				x1[i*m+j], x2[i*m+j] = c*p-s*q, s*p+c*q
			}
		}
		if err := d.A1.apply(theta, x1, m, programs); err != nil {
			return err
		}
		return d.A2.apply(theta, x2, m, programs)
	}
	return fmt.Errorf("ortho: unknown factor kind %q", d.Kind)
}
