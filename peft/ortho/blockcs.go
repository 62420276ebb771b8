package ortho

import (
	"fmt"
	"math"
	"math/bits"
)

// CSMode chooses how the angles φ of a block cosine–sine stage are parameterised.
type CSMode int

const (
	// CSWalsh generates the N2 rotation angles from 1 + ⌈log2 N2⌉ parameters α:
	// φ_i = α_0 + Σ_b α_{b+1}·(−1)^{bit b of i}. This is the circuit "RY(α_0) on the block
	// selector, then for each index bit b a CX-conjugated RY(α_{b+1})", i.e. a multiplexed RY
	// truncated to first-order Walsh terms; it keeps the count logarithmic.
	CSWalsh CSMode = iota
	// CSFull gives every one of the N2 rotations its own angle (N2 parameters).
	CSFull
)

// String returns "walsh" or "full".
func (m CSMode) String() string {
	switch m {
	case CSWalsh:
		return "walsh"
	case CSFull:
		return "full"
	}
	return fmt.Sprintf("CSMode(%d)", int(m))
}

// ParseCSMode parses "walsh" or "full".
func ParseCSMode(s string) (CSMode, error) {
	switch s {
	case "walsh", "":
		return CSWalsh, nil
	case "full":
		return CSFull, nil
	}
	return 0, fmt.Errorf("unknown cosine–sine mode %q (want walsh or full)", s)
}

// csParams returns the number of parameters of a cosine–sine stage mixing n2 coordinate
// pairs.
func csParams(n2 int, mode CSMode) int {
	if mode == CSFull {
		return n2
	}
	return 1 + bits.Len(uint(n2-1))
}

// Split returns the default block split of a dimension that is not a power of two:
// N1 = the largest power of two below n, N2 = n − N1. It panics for n < 3 or a power of two.
func Split(n int) (n1, n2 int) {
	if n < 3 || n&(n-1) == 0 {
		panic(fmt.Sprintf("ortho: Split(%d): not a non-power-of-two dimension ≥ 3", n))
	}
	n1 = 1 << (bits.Len(uint(n)) - 1)
	return n1, n - n1
}

// BlockCS is the block cosine–sine construction of method.md §3,
//
//	Q = diag(A1, A2) · CS(φ) · diag(B1, B2),
//
// with A1, B1 ∈ O(N1), A2, B2 ∈ O(N2) and CS(φ) rotating coordinate i of the first block
// with coordinate i of the second (i < N2) by the RY-convention matrix
// [[cos φ_i/2, −sin φ_i/2], [sin φ_i/2, cos φ_i/2]]; coordinates N2..N1−1 of the first block
// pass through. Q is orthogonal by construction for every θ.
//
// B2 may be nil, meaning B2 = I. The builders ([NewOrthogonalFrom], [NewStiefelFrom], [New])
// always use B2 = I (project decision): with A2 and B2 both recursive, the number of blocks
// would double at every level of the recursion (N = 1000 = 512 + 256 + 128 + 64 + 32 + 8
// would need 32 bottom-level blocks and more parameters than N); with B2 = I the recursion is
// a chain, and the count is Σ over levels of 2·P(N1) + |φ|. For a Stiefel map (first K
// columns) with K ≤ N1 the input E_K lies in the first block, so B2 could not influence U
// anyway.
//
// θ is laid out in application order: B1, B2 (if present), the CS angles, A1, A2.
type BlockCS struct {
	n, n1, n2, k   int // k = 0: the full orthogonal map
	a1, a2, b1, b2 Orthogonal
	mode           CSMode
	nphi           int
	offB1, offB2   int
	offPhi         int
	offA1, offA2   int
	total          int
}

// NewBlockCS assembles a block cosine–sine factor of dimension a1.Dim() + a2.Dim() from its
// blocks; b2 may be nil (B2 = I). k is the number of columns of the Stiefel map, or 0 for the
// full orthogonal map. It returns an error if the block dimensions do not fit: a1 and b1 must
// have the same dimension N1 ≥ N2 = a2.Dim() (= b2.Dim()).
func NewBlockCS(a1, a2, b1, b2 Orthogonal, mode CSMode, k int) (*BlockCS, error) {
	n1, n2 := a1.Dim(), a2.Dim()
	switch {
	case b1.Dim() != n1:
		return nil, fmt.Errorf("ortho: block CS: B1 has dimension %d, A1 %d", b1.Dim(), n1)
	case n2 < 1 || n2 > n1:
		return nil, fmt.Errorf("ortho: block CS: N2 = %d must be in 1..N1 = %d", n2, n1)
	case b2 != nil && b2.Dim() != n2:
		return nil, fmt.Errorf("ortho: block CS: B2 has dimension %d, A2 %d", b2.Dim(), n2)
	case k < 0 || k > n1+n2:
		return nil, fmt.Errorf("ortho: block CS: K = %d outside 0..%d", k, n1+n2)
	case mode != CSWalsh && mode != CSFull:
		return nil, fmt.Errorf("ortho: block CS: unknown mode %d", int(mode))
	}
	b := &BlockCS{n: n1 + n2, n1: n1, n2: n2, k: k, a1: a1, a2: a2, b1: b1, b2: b2, mode: mode,
		nphi: csParams(n2, mode)}
	off := 0
	b.offB1, off = off, off+b1.NumParams()
	b.offB2 = off
	if b2 != nil {
		off += b2.NumParams()
	}
	b.offPhi, off = off, off+b.nphi
	b.offA1, off = off, off+a1.NumParams()
	b.offA2, off = off, off+a2.NumParams()
	b.total = off
	return b, nil
}

// Dim returns N = N1 + N2.
func (b *BlockCS) Dim() int { return b.n }

// Rank returns K (0 for a full orthogonal map).
func (b *BlockCS) Rank() int { return b.k }

// NumParams returns the number of parameters.
func (b *BlockCS) NumParams() int { return b.total }

// Sizes returns N1 and N2.
func (b *BlockCS) Sizes() (n1, n2 int) { return b.n1, b.n2 }

func (b *BlockCS) part(theta []float64, o Orthogonal, off int) []float64 {
	if o == nil {
		return nil
	}
	return theta[off : off+o.NumParams()]
}

// angles returns φ_0..φ_{N2−1} from the CS parameters.
func (b *BlockCS) angles(theta []float64) []float64 {
	p := theta[b.offPhi : b.offPhi+b.nphi]
	phi := make([]float64, b.n2)
	if b.mode == CSFull {
		copy(phi, p)
		return phi
	}
	for i := range phi {
		v := p[0]
		for bit := 0; bit+1 < len(p); bit++ {
			if i>>bit&1 == 0 {
				v += p[bit+1]
			} else {
				v -= p[bit+1]
			}
		}
		phi[i] = v
	}
	return phi
}

// anglesVJP adds the gradient with respect to the CS parameters given ∂ℓ/∂φ.
func (b *BlockCS) anglesVJP(gphi, dtheta []float64) {
	d := dtheta[b.offPhi : b.offPhi+b.nphi]
	if b.mode == CSFull {
		for i, g := range gphi {
			d[i] += g
		}
		return
	}
	for i, g := range gphi {
		d[0] += g
		for bit := 0; bit+1 < len(d); bit++ {
			if i>>bit&1 == 0 {
				d[bit+1] += g
			} else {
				d[bit+1] -= g
			}
		}
	}
}

// Apply sets y = Q(θ)·x.
func (b *BlockCS) Apply(theta, x []float64, m int, y []float64) error {
	checkLen("BlockCS.Apply", "theta", len(theta), b.total)
	checkLen("BlockCS.Apply", "x", len(x), b.n*m)
	checkLen("BlockCS.Apply", "y", len(y), b.n*m)
	z := make([]float64, b.n*m)
	z1, z2 := z[:b.n1*m], z[b.n1*m:]
	if err := b.b1.Apply(b.part(theta, b.b1, b.offB1), x[:b.n1*m], m, z1); err != nil {
		return fmt.Errorf("block CS B1: %w", err)
	}
	if b.b2 == nil {
		copy(z2, x[b.n1*m:])
	} else if err := b.b2.Apply(b.part(theta, b.b2, b.offB2), x[b.n1*m:], m, z2); err != nil {
		return fmt.Errorf("block CS B2: %w", err)
	}
	return b.finish(theta, z, m, y)
}

// finish applies CS(φ) to z in place and then diag(A1, A2), writing y.
func (b *BlockCS) finish(theta, z []float64, m int, y []float64) error {
	phi := b.angles(theta)
	z1, z2 := z[:b.n1*m], z[b.n1*m:]
	for i, f := range phi {
		s, c := math.Sincos(f / 2)
		r1, r2 := z1[i*m:(i+1)*m], z2[i*m:(i+1)*m]
		for j := range r1 {
			p, q := r1[j], r2[j]
			r1[j] = c*p - s*q
			r2[j] = s*p + c*q
		}
	}
	if err := b.a1.Apply(b.part(theta, b.a1, b.offA1), z1, m, y[:b.n1*m]); err != nil {
		return fmt.Errorf("block CS A1: %w", err)
	}
	if err := b.a2.Apply(b.part(theta, b.a2, b.offA2), z2, m, y[b.n1*m:]); err != nil {
		return fmt.Errorf("block CS A2: %w", err)
	}
	return nil
}

// ApplyVJP is the adjoint pass of Apply (see [Orthogonal]).
func (b *BlockCS) ApplyVJP(theta []float64, m int, y, ybar, dtheta []float64) error {
	checkLen("BlockCS.ApplyVJP", "theta", len(theta), b.total)
	checkLen("BlockCS.ApplyVJP", "dtheta", len(dtheta), b.total)
	checkLen("BlockCS.ApplyVJP", "y", len(y), b.n*m)
	checkLen("BlockCS.ApplyVJP", "ybar", len(ybar), b.n*m)
	return b.vjp(theta, m, y, ybar, dtheta)
}

func (b *BlockCS) vjp(theta []float64, m int, y, ybar, dtheta []float64) error {
	y1, y2 := y[:b.n1*m], y[b.n1*m:]
	g1, g2 := ybar[:b.n1*m], ybar[b.n1*m:]
	if err := b.a1.ApplyVJP(b.part(theta, b.a1, b.offA1), m, y1, g1, b.part(dtheta, b.a1, b.offA1)); err != nil {
		return fmt.Errorf("block CS A1: %w", err)
	}
	if err := b.a2.ApplyVJP(b.part(theta, b.a2, b.offA2), m, y2, g2, b.part(dtheta, b.a2, b.offA2)); err != nil {
		return fmt.Errorf("block CS A2: %w", err)
	}
	// CS stage: w = R(φ)z, so ∂ℓ/∂φ = ½ Σ (w̄2·w1 − w̄1·w2); z = R(φ)ᵀw, z̄ = R(φ)ᵀw̄.
	phi := b.angles(theta)
	gphi := make([]float64, len(phi))
	for i, f := range phi {
		s, c := math.Sincos(f / 2)
		w1, w2 := y1[i*m:(i+1)*m], y2[i*m:(i+1)*m]
		v1, v2 := g1[i*m:(i+1)*m], g2[i*m:(i+1)*m]
		var g float64
		for j := range w1 {
			p, q := w1[j], w2[j]
			gp, gq := v1[j], v2[j]
			g += gq*p - gp*q
			w1[j] = c*p + s*q
			w2[j] = -s*p + c*q
			v1[j] = c*gp + s*gq
			v2[j] = -s*gp + c*gq
		}
		gphi[i] = g / 2
	}
	b.anglesVJP(gphi, dtheta)
	if err := b.b1.ApplyVJP(b.part(theta, b.b1, b.offB1), m, y1, g1, b.part(dtheta, b.b1, b.offB1)); err != nil {
		return fmt.Errorf("block CS B1: %w", err)
	}
	if b.b2 != nil {
		if err := b.b2.ApplyVJP(b.part(theta, b.b2, b.offB2), m, y2, g2, b.part(dtheta, b.b2, b.offB2)); err != nil {
			return fmt.Errorf("block CS B2: %w", err)
		}
	}
	return nil
}

// Columns writes the first K columns U = Q(θ)·E_K into u (N × K). It panics for a full map
// (K = 0); use Apply.
func (b *BlockCS) Columns(theta, u []float64) error {
	if b.k == 0 {
		panic("ortho: BlockCS.Columns on a full orthogonal map")
	}
	checkLen("BlockCS.Columns", "theta", len(theta), b.total)
	checkLen("BlockCS.Columns", "u", len(u), b.n*b.k)
	if b.k > b.n1 {
		return b.Apply(theta, basis(b.n, b.k), b.k, u)
	}
	// K ≤ N1: diag(B1, B2)·E_K = [B1·E_K; 0].
	z := make([]float64, b.n*b.k)
	b1 := FirstColumns(b.b1, b.k)
	if err := b1.Columns(b.part(theta, b.b1, b.offB1), z[:b.n1*b.k]); err != nil {
		return fmt.Errorf("block CS B1: %w", err)
	}
	return b.finish(theta, z, b.k, u)
}

// ColumnsVJP adds ∂ℓ/∂θ to dtheta given u = Columns(θ) and ubar = ∂ℓ/∂U.
func (b *BlockCS) ColumnsVJP(theta, u, ubar, dtheta []float64) error {
	if b.k == 0 {
		panic("ortho: BlockCS.ColumnsVJP on a full orthogonal map")
	}
	checkLen("BlockCS.ColumnsVJP", "theta", len(theta), b.total)
	checkLen("BlockCS.ColumnsVJP", "dtheta", len(dtheta), b.total)
	checkLen("BlockCS.ColumnsVJP", "u", len(u), b.n*b.k)
	checkLen("BlockCS.ColumnsVJP", "ubar", len(ubar), b.n*b.k)
	y := append([]float64(nil), u...)
	yb := append([]float64(nil), ubar...)
	return b.vjp(theta, b.k, y, yb, dtheta)
}

// Blocks lists the leaves with their parameter ranges, in θ order.
func (b *BlockCS) Blocks() []Block {
	var out []Block
	add := func(name string, o Orthogonal, off int) {
		if o == nil {
			return
		}
		s, ok := o.(Structured)
		if !ok {
			out = append(out, Block{Path: name, Kind: "opaque", Dim: o.Dim(), Offset: off, Params: o.NumParams()})
			return
		}
		for _, l := range s.Blocks() {
			if l.Path == "" {
				l.Path = name
			} else {
				l.Path = name + "." + l.Path
			}
			l.Offset += off
			out = append(out, l)
		}
	}
	add("B1", b.b1, b.offB1)
	add("B2", b.b2, b.offB2)
	out = append(out, Block{Path: "CS", Kind: "cs-" + b.mode.String(), Dim: b.n, Offset: b.offPhi, Params: b.nphi})
	add("A1", b.a1, b.offA1)
	add("A2", b.a2, b.offA2)
	return out
}
