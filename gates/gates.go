// Package gates is qpeft's gate vocabulary: every gate of OpenQASM 3's stdgates.inc, the
// qelib1.inc extras met in the wild, and the trapped-ion natives gpi, gpi2 and ms.
//
// For each gate it knows the arity, the parameter count, the complex matrix, whether the
// matrix is real for every parameter value (the gates an adapter for real weights may use),
// whether it is diagonal, how many of its qubit arguments are controls, its inverse as a
// sequence of gates with affine parameter maps, and the exact derivative of the matrix with
// respect to each parameter.
//
// # Conventions
//
// Matrices are row-major flat slices of size 2^k × 2^k for a k-qubit gate. Qubit order is
// little-endian, as in OpenQASM and Qiskit: bit j of a row or column index is the state of the
// gate's j-th qubit argument. So cx (control first) has Qiskit's matrix
//
//	[[1,0,0,0],[0,0,0,1],[0,0,1,0],[0,1,0,0]]
//
// and a controlled gate's controls occupy the low bits.
//
// Global phases follow the OpenQASM 3 specification and stdgates.inc exactly, because under a
// ctrl @ modifier a global phase becomes a relative one:
//   - U(θ,φ,λ) (and Qiskit's u) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]].
//   - u3(θ,φ,λ) = e^{−i(φ+λ)/2}·U(θ,φ,λ) and u2(φ,λ) = u3(π/2,φ,λ), as stdgates.inc defines them
//     with gphase; this is also OpenQASM 2's U, where the phase is unobservable.
//   - u1(λ) = p(λ) = diag(1, e^{iλ}); rz(λ) = diag(e^{−iλ/2}, e^{iλ/2}).
//   - gphase(γ) is the 0-qubit gate e^{iγ}.
//
// The trapped-ion natives take angles in radians here (Braket's convention); IonQ's JSON
// format uses turns and the exporter converts.
package gates

import (
	"fmt"
	"math"
	"math/cmplx"
	"sort"
)

// Gate describes one named gate. Gates are immutable values shared by the whole program;
// look them up with Get.
type Gate struct {
	// Name is the canonical lower-case OpenQASM 3 name ("U" for the built-in).
	Name string
	// Qubits is the number of qubit arguments (0 for gphase).
	Qubits int
	// Params is the number of angle parameters.
	Params int
	// ParamNames names the parameters for documentation and printing.
	ParamNames []string
	// Real reports that the matrix is real for every real parameter value.
	Real bool
	// Diagonal reports that the matrix is diagonal for every parameter value.
	Diagonal bool
	// Controls is the number of leading qubit arguments that act as controls: the matrix is
	// the identity unless all of them are 1, and TargetMatrix returns the block applied then.
	Controls int
	// Doc is a one-line description.
	Doc string

	build   func(p []dual) []dual
	inverse []Term
}

// Affine is a parameter map p' = Σ Coef[j]·p[j] + Const used by inverse rules.
type Affine struct {
	Coef  []float64
	Const float64
}

// Apply evaluates the map on concrete parameters.
func (a Affine) Apply(p []float64) float64 {
	v := a.Const
	for j, c := range a.Coef {
		v += c * p[j]
	}
	return v
}

// Term is one gate of an inverse sequence: the gate name, which of the original qubit
// arguments it acts on (indices into them), and how its parameters follow from the original's.
type Term struct {
	Gate   string
	Qubits []int
	Params []Affine
}

var registry = map[string]*Gate{}

// Get returns the gate with the given canonical name.
func Get(name string) (*Gate, bool) {
	g, ok := registry[name]
	return g, ok
}

// MustGet returns the named gate and panics if it does not exist; for code that names gates
// with constants.
func MustGet(name string) *Gate {
	g, ok := registry[name]
	if !ok {
		panic("gates: unknown gate " + name)
	}
	return g
}

// Names returns the canonical names of all gates, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// All returns every gate, sorted by name.
func All() []*Gate {
	names := Names()
	out := make([]*Gate, len(names))
	for i, n := range names {
		out[i] = registry[n]
	}
	return out
}

// Dim is the matrix dimension 2^Qubits.
func (g *Gate) Dim() int { return 1 << g.Qubits }

func (g *Gate) checkParams(p []float64) {
	if len(p) != g.Params {
		panic(fmt.Sprintf("gates: %s takes %d parameters, got %d", g.Name, g.Params, len(p)))
	}
}

func (g *Gate) eval(p []float64, seed int) []dual {
	g.checkParams(p)
	d := make([]dual, len(p))
	for i, v := range p {
		d[i] = dual{v: complex(v, 0)}
		if i == seed {
			d[i].d = 1
		}
	}
	return g.build(d)
}

// Matrix returns the gate's matrix for parameters p (len(p) must equal Params).
func (g *Gate) Matrix(p ...float64) []complex128 {
	m := g.eval(p, -1)
	out := make([]complex128, len(m))
	for i, e := range m {
		out[i] = e.v
	}
	return out
}

// Derivative returns ∂Matrix/∂p[i], exactly.
func (g *Gate) Derivative(i int, p ...float64) []complex128 {
	if i < 0 || i >= g.Params {
		panic(fmt.Sprintf("gates: %s has no parameter %d", g.Name, i))
	}
	m := g.eval(p, i)
	out := make([]complex128, len(m))
	for k, e := range m {
		out[k] = e.d
	}
	return out
}

// RealMatrix returns the matrix of a Real gate as float64. It panics if the gate is not Real.
func (g *Gate) RealMatrix(p ...float64) []float64 {
	if !g.Real {
		panic("gates: RealMatrix of complex gate " + g.Name)
	}
	return realPart(g.Matrix(p...))
}

// RealDerivative returns ∂RealMatrix/∂p[i] for a Real gate.
func (g *Gate) RealDerivative(i int, p ...float64) []float64 {
	if !g.Real {
		panic("gates: RealDerivative of complex gate " + g.Name)
	}
	return realPart(g.Derivative(i, p...))
}

func realPart(m []complex128) []float64 {
	out := make([]float64, len(m))
	for i, v := range m {
		out[i] = real(v)
	}
	return out
}

// TargetMatrix returns the block the gate applies to its non-control qubits when every
// control is 1 (the whole matrix when Controls is 0).
func (g *Gate) TargetMatrix(p ...float64) []complex128 { return g.TargetBlock(g.Matrix(p...)) }

// TargetBlock returns the block of m, a Dim() × Dim() matrix on the gate's qubits (its
// Matrix or a Derivative), that acts on the non-control qubits when every control is 1;
// m itself when Controls is 0.
func (g *Gate) TargetBlock(m []complex128) []complex128 {
	if g.Controls == 0 {
		return m
	}
	n := g.Dim()
	td := 1 << (g.Qubits - g.Controls)
	ones := 1<<g.Controls - 1
	out := make([]complex128, td*td)
	for r := 0; r < td; r++ {
		for c := 0; c < td; c++ {
			out[r*td+c] = m[(ones|r<<g.Controls)*n+(ones|c<<g.Controls)]
		}
	}
	return out
}

// Inverse returns the gate sequence, in application order, whose product is the inverse of g.
func (g *Gate) Inverse() []Term { return g.inverse }

// InverseMatrix is the conjugate transpose of Matrix(p), for checks.
func InverseMatrix(m []complex128, dim int) []complex128 {
	out := make([]complex128, len(m))
	for r := 0; r < dim; r++ {
		for c := 0; c < dim; c++ {
			out[c*dim+r] = cmplx.Conj(m[r*dim+c])
		}
	}
	return out
}

// Controlled returns the matrix of m (dimension 2^k) with nctrl extra controls on the low
// bits: the identity unless all control bits are 1, then m on the high bits.
func Controlled(m []complex128, k, nctrl int) []complex128 {
	td := 1 << k
	if len(m) != td*td {
		panic("gates: Controlled: matrix size does not match qubit count")
	}
	n := td << nctrl
	out := make([]complex128, n*n)
	ones := 1<<nctrl - 1
	for i := 0; i < n; i++ {
		if i&ones != ones {
			out[i*n+i] = 1
		}
	}
	for r := 0; r < td; r++ {
		for c := 0; c < td; c++ {
			out[(ones|r<<nctrl)*n+(ones|c<<nctrl)] = m[r*td+c]
		}
	}
	return out
}

// ---- construction helpers ----

var (
	zero = cst(0)
	one  = cst(1)
	invS = complex(1/math.Sqrt2, 0)
)

func consts(v ...complex128) []dual {
	out := make([]dual, len(v))
	for i, c := range v {
		out[i] = cst(c)
	}
	return out
}

func ctrlDual(m []dual, k, nctrl int) []dual {
	td := 1 << k
	n := td << nctrl
	out := make([]dual, n*n)
	ones := 1<<nctrl - 1
	for i := 0; i < n; i++ {
		if i&ones != ones {
			out[i*n+i] = one
		}
	}
	for r := 0; r < td; r++ {
		for c := 0; c < td; c++ {
			out[(ones|r<<nctrl)*n+(ones|c<<nctrl)] = m[r*td+c]
		}
	}
	return out
}

// kron returns a ⊗ b where a acts on the high bits (later qubit arguments).
func kron(a []dual, da int, b []dual, db int) []dual {
	n := da * db
	out := make([]dual, n*n)
	for ar := 0; ar < da; ar++ {
		for ac := 0; ac < da; ac++ {
			for br := 0; br < db; br++ {
				for bc := 0; bc < db; bc++ {
					out[(ar*db+br)*n+ac*db+bc] = a[ar*da+ac].mul(b[br*db+bc])
				}
			}
		}
	}
	return out
}

func mulScalar(m []dual, s dual) []dual {
	out := make([]dual, len(m))
	for i, e := range m {
		out[i] = e.mul(s)
	}
	return out
}

func ident(p ...int) []Affine {
	out := make([]Affine, len(p))
	for i, j := range p {
		out[i] = Affine{Coef: unit(j, len(p)), Const: 0}
	}
	return out
}

func unit(j, n int) []float64 {
	c := make([]float64, n)
	c[j] = 1
	return c
}

// neg returns maps p'_i = −p_{perm[i]} (+ offsets).
func negPerm(n int, perm ...int) []Affine {
	out := make([]Affine, len(perm))
	for i, j := range perm {
		c := make([]float64, n)
		c[j] = -1
		out[i] = Affine{Coef: c}
	}
	return out
}

func selfInverse(name string, q int) []Term {
	qs := make([]int, q)
	for i := range qs {
		qs[i] = i
	}
	return []Term{{Gate: name, Qubits: qs}}
}

func allQubits(q int) []int {
	qs := make([]int, q)
	for i := range qs {
		qs[i] = i
	}
	return qs
}

// negInverse is the inverse rule g(p)^† = g(−p) for one-parameter rotations.
func negInverse(name string, q, params int) []Term {
	perm := make([]int, params)
	for i := range perm {
		perm[i] = i
	}
	return []Term{{Gate: name, Qubits: allQubits(q), Params: negPerm(params, perm...)}}
}

func register(g *Gate) {
	if _, dup := registry[g.Name]; dup {
		panic("gates: duplicate " + g.Name)
	}
	if len(g.ParamNames) != g.Params {
		panic("gates: ParamNames of " + g.Name)
	}
	registry[g.Name] = g
}
