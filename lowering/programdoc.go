package lowering

import (
	"fmt"
	"math"
	"math/cmplx"
	"slices"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/internal/safefile"
	"github.com/qpeft/qpeft/internal/smallmat"
)

// Program documents: the portable JSON form of a compiled real program (docs/program-schema.md,
// docs/program.schema.json). A document lists the stages lowering compiled, with every gate
// matrix written out as numbers or, for a gate with a symbolic angle a, as three constant
// matrices M(a) = Const + cos(a/2)·Cos + sin(a/2)·Sin together with a's expression tree over
// the program's parameters. Another runtime (the Python package python/qpeft_torch) runs the
// document on blocks of columns without the circuit compiler.

// Program document identification.
const (
	// ProgramFormat is the "format" of every program document.
	ProgramFormat = "qpeft-program"
	// ProgramVersion is the schema version written; readers refuse other versions.
	ProgramVersion = 1
)

// ProgramDoc is a compiled real program as a JSON document. The program maps a block X
// (N × m, N = 2^Qubits, row r is the basis state whose bit q is qubit q) to Q(θ)·X by
// running the stages in order.
type ProgramDoc struct {
	// Format is ProgramFormat.
	Format string `json:"format"`
	// Version is ProgramVersion.
	Version int `json:"version"`
	// Qubits is n.
	Qubits int `json:"qubits"`
	// Dim is N = 2^n.
	Dim int `json:"dim"`
	// Params names the parameters: θ[i] is Params[i] (the circuit's parameter order).
	Params []string `json:"params"`
	// Stages are applied in order.
	Stages []StageDoc `json:"stages"`
}

// StageDoc is one stage of a program document.
type StageDoc struct {
	// Kind is "kron", "diag", "perm" or "block".
	Kind string `json:"kind"`
	// Qubits: kron — the qubits with a factor; diag, perm — the support (ascending); block —
	// the target qubits (bit j of a block-matrix index is Qubits[j]).
	Qubits []int `json:"qubits"`
	// Controls (block only) are qubits that must all be 1 for the block to act.
	Controls []int `json:"controls,omitempty"`
	// Factors (kron only): Factors[j] are the 2×2 gates on Qubits[j] in application order.
	Factors [][]GateDoc `json:"factors,omitempty"`
	// Gates (block only): the gates as 2^t × 2^t matrices on the targets, in application order.
	Gates []GateDoc `json:"gates,omitempty"`
	// Diagonal (diag only): 2^s entries; row r is multiplied by Diagonal[s(r)] where bit j of
	// s(r) is bit Qubits[j] of r.
	Diagonal []float64 `json:"diagonal,omitempty"`
	// Sigma (perm only): 2^s entries; the support index x moves to Sigma[x] (row r moves to
	// r with its support bits replaced by Sigma[s(r)]).
	Sigma []int `json:"sigma,omitempty"`
}

// GateDoc is one gate's matrix in its stage's space (row-major, real): either the constant
// Matrix, or M(a) = Const + cos(a/2)·Cos + sin(a/2)·Sin with a = Angle evaluated at θ.
type GateDoc struct {
	// Name is the gate (informative, e.g. "ry", "ctrl @ ry", "cz").
	Name string `json:"name"`
	// Op is the gate's index in the circuit's operations (informative).
	Op int `json:"op"`
	// Matrix is the constant matrix of a gate without symbolic angle.
	Matrix []float64 `json:"matrix,omitempty"`
	// Angle is the symbolic angle a of a parametric gate.
	Angle *ExprDoc `json:"angle,omitempty"`
	// Const, Cos and Sin are the coefficient matrices of a parametric gate.
	Const []float64 `json:"const,omitempty"`
	Cos   []float64 `json:"cos,omitempty"`
	Sin   []float64 `json:"sin,omitempty"`
}

// ExprDoc is an angle expression tree: exactly one of Const (a number), Param (an index into
// the program's Params) or Fn (an operator or function applied to Args) is set.
// Fn is one of neg (1 argument), add, sub, mul, div, pow (2 arguments), sin, cos, tan, asin,
// acos, atan, exp, ln, sqrt (1 argument): the operators of qpeft's circuit expressions.
type ExprDoc struct {
	Const *float64  `json:"const,omitempty"`
	Param *int      `json:"param,omitempty"`
	Fn    string    `json:"fn,omitempty"`
	Args  []ExprDoc `json:"args,omitempty"`
}

var binaryFns = map[byte]string{'+': "add", '-': "sub", '*': "mul", '/': "div", '^': "pow"}

// exprFns lists the one-argument functions of a document (aliases arcsin… are normalised).
var exprFns = map[string]func(float64) float64{
	"sin": math.Sin, "cos": math.Cos, "tan": math.Tan, "asin": math.Asin, "acos": math.Acos,
	"atan": math.Atan, "exp": math.Exp, "ln": math.Log, "sqrt": math.Sqrt,
}

var fnAlias = map[string]string{"arcsin": "asin", "arccos": "acos", "arctan": "atan"}

func exprDoc(e circuit.Expr, pidx map[string]int) (ExprDoc, error) {
	switch e := e.(type) {
	case circuit.Const:
		v := e.V
		return ExprDoc{Const: &v}, nil
	case circuit.Sym:
		i, ok := pidx[e.Name]
		if !ok {
			return ExprDoc{}, fmt.Errorf("%q is not a parameter of the circuit", e.Name)
		}
		return ExprDoc{Param: &i}, nil
	case circuit.Neg:
		x, err := exprDoc(e.X, pidx)
		return ExprDoc{Fn: "neg", Args: []ExprDoc{x}}, err
	case circuit.Binary:
		fn, ok := binaryFns[e.Op]
		if !ok {
			return ExprDoc{}, fmt.Errorf("unknown operator %q", e.Op)
		}
		x, err := exprDoc(e.X, pidx)
		if err != nil {
			return ExprDoc{}, err
		}
		y, err := exprDoc(e.Y, pidx)
		return ExprDoc{Fn: fn, Args: []ExprDoc{x, y}}, err
	case circuit.Call:
		fn := e.Fn
		if a, ok := fnAlias[fn]; ok {
			fn = a
		}
		if _, ok := exprFns[fn]; !ok {
			return ExprDoc{}, fmt.Errorf("unknown function %q", e.Fn)
		}
		x, err := exprDoc(e.Arg, pidx)
		return ExprDoc{Fn: fn, Args: []ExprDoc{x}}, err
	}
	return ExprDoc{}, fmt.Errorf("unknown expression %T", e)
}

// Eval evaluates the expression at θ.
func (x *ExprDoc) Eval(theta []float64) (float64, error) {
	set := 0
	if x.Const != nil {
		set++
	}
	if x.Param != nil {
		set++
	}
	if x.Fn != "" {
		set++
	}
	if set != 1 {
		return 0, fmt.Errorf("an expression node needs exactly one of const, param, fn (has %d)", set)
	}
	switch {
	case x.Const != nil:
		return *x.Const, nil
	case x.Param != nil:
		if *x.Param < 0 || *x.Param >= len(theta) {
			return 0, fmt.Errorf("param %d outside 0..%d", *x.Param, len(theta)-1)
		}
		return theta[*x.Param], nil
	}
	want := 1
	switch x.Fn {
	case "add", "sub", "mul", "div", "pow":
		want = 2
	}
	if len(x.Args) != want {
		return 0, fmt.Errorf("fn %q takes %d arguments, has %d", x.Fn, want, len(x.Args))
	}
	a, err := x.Args[0].Eval(theta)
	if err != nil {
		return 0, err
	}
	if want == 2 {
		b, err := x.Args[1].Eval(theta)
		if err != nil {
			return 0, err
		}
		switch x.Fn {
		case "add":
			return a + b, nil
		case "sub":
			return a - b, nil
		case "mul":
			return a * b, nil
		case "div":
			return a / b, nil
		}
		return math.Pow(a, b), nil
	}
	if x.Fn == "neg" {
		return -a, nil
	}
	f, ok := exprFns[x.Fn]
	if !ok {
		return 0, fmt.Errorf("unknown fn %q", x.Fn)
	}
	return f(a), nil
}

// trigProbe are the angles at which a gate's fitted form M(a) = C + cos(a/2)·Cc + sin(a/2)·Cs
// is checked against its matrix.
var trigProbe = []float64{0.3721, -1.913, 2.618, 5.02, -7.7}

// snap rounds v to the nearest multiple of 2^-20 when it is within 1e-14 of it, so that
// the coefficients fitted from sin(π) ≈ 1.2e-16 come out as the exact 0 and ±1 of the gate.
func snap(v float64) complex128 {
	r := math.Round(v*(1<<20)) / (1 << 20)
	if math.Abs(v-r) < 1e-14 {
		v = r
	}
	if v == 0 {
		v = 0 // no −0 in documents
	}
	return complex(v, 0)
}

// realMatrix returns the real parts of m, or an error if an entry is not real.
func realMatrix(m []complex128, name string) ([]float64, error) {
	out := make([]float64, len(m))
	for i, v := range m {
		if imag(v) != 0 {
			return nil, fmt.Errorf("gate %s has a complex entry %v", name, v)
		}
		out[i] = real(v)
		if out[i] == 0 {
			out[i] = 0 // no −0 in documents
		}
	}
	return out, nil
}

// gateDoc writes one op's matrix in its stage's space; toStage maps a full op matrix to the
// stage space (linear).
func (p *plan) gateDoc(r *opRef, pidx map[string]int, toStage func([]complex128) []complex128) (GateDoc, error) {
	g := GateDoc{Name: r.op.Name(), Op: r.index}
	where := fmt.Sprintf("%s%s (operation %d)", r.op.Pos.Prefix(), r.op.Name(), r.index)
	if !r.params {
		m, err := realMatrix(toStage(r.cmat), r.op.Name())
		if err != nil {
			return g, fmt.Errorf("lowering: %s: %w", where, err)
		}
		g.Matrix = m
		return g, nil
	}
	if len(r.args) != 1 {
		return g, fmt.Errorf("lowering: %s has %d angles; the program format describes gates of one angle (ry, cry and their controlled forms)", where, len(r.args))
	}
	ang, err := exprDoc(r.args[0].expr, pidx)
	if err != nil {
		return g, fmt.Errorf("lowering: %s: %w", where, err)
	}
	at := func(a float64) []complex128 { return toStage(opMatrix(r.op, []float64{a})) }
	m0, m2pi, mpi := at(0), at(2*math.Pi), at(math.Pi)
	d := len(m0)
	c, cc, cs := make([]complex128, d), make([]complex128, d), make([]complex128, d)
	for i := range c {
		c[i] = snap(real((m0[i] + m2pi[i]) / 2))
		cc[i] = snap(real((m0[i] - m2pi[i]) / 2))
		cs[i] = snap(real(mpi[i])) - c[i]
		if imag(m0[i]) != 0 || imag(m2pi[i]) != 0 || imag(mpi[i]) != 0 {
			return g, fmt.Errorf("lowering: %s has complex entries; the program format describes real gates", where)
		}
	}
	for _, a := range trigProbe {
		m := at(a)
		s, co := math.Sincos(a / 2)
		for i := range m {
			if cmplx.Abs(m[i]-(c[i]+complex(co, 0)*cc[i]+complex(s, 0)*cs[i])) > 1e-12 {
				return g, fmt.Errorf("lowering: %s: its matrix is not of the form A + cos(θ/2)·B + sin(θ/2)·C, which the program format needs", where)
			}
		}
	}
	if g.Const, err = realMatrix(c, r.op.Name()); err != nil {
		return g, fmt.Errorf("lowering: %s: %w", where, err)
	}
	if g.Cos, err = realMatrix(cc, r.op.Name()); err != nil {
		return g, fmt.Errorf("lowering: %s: %w", where, err)
	}
	if g.Sin, err = realMatrix(cs, r.op.Name()); err != nil {
		return g, fmt.Errorf("lowering: %s: %w", where, err)
	}
	g.Angle = &ang
	return g, nil
}

// blockStageMatrix writes the op matrix m (full op space) in a block stage's space: the
// embedding into the stage's qubits, or the target block of a controlled stage.
func blockStageMatrix(st *stage, r *opRef, m, out []complex128) {
	if st.controls > 0 {
		nc := st.controls
		d := 1 << r.nq
		td := 1 << (r.nq - nc)
		ones := 1<<nc - 1
		for a := 0; a < td; a++ {
			for b := 0; b < td; b++ {
				out[a*td+b] = m[(ones|a<<nc)*d+(ones|b<<nc)]
			}
		}
		return
	}
	copy(out, smallmat.Embed(m, r.qubits(), st.support))
}

// Doc returns the program as a document, with every angle left symbolic.
func (p *RealProgram) Doc() (*ProgramDoc, error) {
	pl := p.p
	pidx := make(map[string]int, len(pl.params))
	for i, s := range pl.params {
		pidx[s] = i
	}
	doc := &ProgramDoc{Format: ProgramFormat, Version: ProgramVersion, Qubits: pl.n, Dim: 1 << pl.n,
		Params: append([]string{}, pl.params...), Stages: []StageDoc{}}
	ident := func(m []complex128) []complex128 { return m }
	for _, st := range pl.stages {
		sd := StageDoc{Kind: st.kind.String()}
		switch st.kind {
		case KronStage:
			sd.Qubits = append([]int{}, st.support...)
			for _, f := range st.factors {
				var gs []GateDoc
				for _, r := range f {
					g, err := pl.gateDoc(r, pidx, ident)
					if err != nil {
						return nil, err
					}
					gs = append(gs, g)
				}
				sd.Factors = append(sd.Factors, gs)
			}
		case DiagStage:
			sd.Qubits = append([]int{}, st.support...)
			if st.params {
				r := st.ops[0]
				return nil, fmt.Errorf("lowering: %s%s (operation %d): a diagonal stage with symbolic angles cannot be written as a program document", r.op.Pos.Prefix(), r.op.Name(), r.index)
			}
			sd.Diagonal = make([]float64, 1<<len(st.support))
			for x := range sd.Diagonal {
				v := complex(1, 0)
				for _, r := range st.ops {
					dd := 1 << r.nq
					s := smallmat.SubIndex(x, r.pos)
					v *= r.cmat[s*dd+s]
				}
				if imag(v) != 0 {
					return nil, fmt.Errorf("lowering: a diagonal stage has the complex entry %v", v)
				}
				sd.Diagonal[x] = real(v)
			}
		case PermStage:
			sd.Qubits = append([]int{}, st.support...)
			sd.Sigma = append([]int{}, st.sigma...)
		case BlockStage:
			sd.Controls = append([]int{}, st.support[:st.controls]...)
			sd.Qubits = append([]int{}, st.support[st.controls:]...)
			D := 1 << len(sd.Qubits)
			for _, r := range st.ops {
				toStage := func(m []complex128) []complex128 {
					out := make([]complex128, D*D)
					blockStageMatrix(st, r, m, out)
					return out
				}
				g, err := pl.gateDoc(r, pidx, toStage)
				if err != nil {
					return nil, err
				}
				sd.Gates = append(sd.Gates, g)
			}
		}
		doc.Stages = append(doc.Stages, sd)
	}
	return doc, nil
}

// CompileDoc compiles a real circuit and returns its program document (angles symbolic).
func CompileDoc(c *circuit.Circuit) (*ProgramDoc, error) {
	p, err := CompileReal(c)
	if err != nil {
		return nil, err
	}
	return p.Doc()
}

// ParseProgramDoc decodes and validates a program document. A field the schema does not
// define is an error (docs/program.schema.json allows no additional properties), as it is in
// the programs of an adapter directory.
func ParseProgramDoc(data []byte) (*ProgramDoc, error) {
	var d ProgramDoc
	if err := safefile.DecodeJSON(data, &d); err != nil {
		return nil, fmt.Errorf("lowering: program document: %w", err)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

func checkQubits(what string, qs []int, n int, seen map[int]bool) error {
	for _, q := range qs {
		if q < 0 || q >= n {
			return fmt.Errorf("%s: qubit %d outside 0..%d", what, q, n-1)
		}
		if seen[q] {
			return fmt.Errorf("%s: qubit %d listed twice", what, q)
		}
		seen[q] = true
	}
	return nil
}

func (g *GateDoc) validate(what string, d int, nparams int) error {
	sq := d * d
	if g.Angle == nil {
		if len(g.Matrix) != sq || g.Const != nil || g.Cos != nil || g.Sin != nil {
			return fmt.Errorf("%s: a constant gate needs a %d-entry matrix and no const/cos/sin", what, sq)
		}
		return nil
	}
	if g.Matrix != nil || len(g.Const) != sq || len(g.Cos) != sq || len(g.Sin) != sq {
		return fmt.Errorf("%s: a parametric gate needs %d-entry const, cos and sin and no matrix", what, sq)
	}
	theta := make([]float64, nparams)
	if _, err := g.Angle.Eval(theta); err != nil {
		return fmt.Errorf("%s: angle: %w", what, err)
	}
	return nil
}

// Validate checks the document's structure: format and version, sizes, qubit ranges, table
// lengths, matrix sizes and expression trees.
func (d *ProgramDoc) Validate() error {
	if d.Format != ProgramFormat {
		return fmt.Errorf("lowering: program document: format is %q, want %q", d.Format, ProgramFormat)
	}
	if d.Version != ProgramVersion {
		return fmt.Errorf("lowering: program document: version %d is not supported (want %d)", d.Version, ProgramVersion)
	}
	if d.Qubits < 0 || d.Qubits > 62 || d.Dim != 1<<d.Qubits {
		return fmt.Errorf("lowering: program document: qubits %d and dim %d disagree", d.Qubits, d.Dim)
	}
	for i, st := range d.Stages {
		what := fmt.Sprintf("lowering: program document: stage %d (%s)", i, st.Kind)
		seen := map[int]bool{}
		if err := checkQubits(what, st.Qubits, d.Qubits, seen); err != nil {
			return err
		}
		switch st.Kind {
		case "kron":
			if len(st.Factors) != len(st.Qubits) {
				return fmt.Errorf("%s: %d factor lists for %d qubits", what, len(st.Factors), len(st.Qubits))
			}
			for j, f := range st.Factors {
				for k := range f {
					if err := f[k].validate(fmt.Sprintf("%s factor %d gate %d", what, j, k), 2, len(d.Params)); err != nil {
						return err
					}
				}
			}
		case "diag":
			if len(st.Qubits) > maxTableQubits || len(st.Diagonal) != 1<<len(st.Qubits) {
				return fmt.Errorf("%s: the diagonal needs 2^%d entries, has %d", what, len(st.Qubits), len(st.Diagonal))
			}
		case "perm":
			if len(st.Qubits) > maxTableQubits || len(st.Sigma) != 1<<len(st.Qubits) {
				return fmt.Errorf("%s: sigma needs 2^%d entries, has %d", what, len(st.Qubits), len(st.Sigma))
			}
			s := slices.Clone(st.Sigma)
			slices.Sort(s)
			for x, v := range s {
				if v != x {
					return fmt.Errorf("%s: sigma is not a permutation", what)
				}
			}
		case "block":
			if err := checkQubits(what+" controls", st.Controls, d.Qubits, seen); err != nil {
				return err
			}
			if len(st.Qubits) < 1 || len(st.Qubits) > maxBlockQubits {
				return fmt.Errorf("%s: %d target qubits (want 1..%d)", what, len(st.Qubits), maxBlockQubits)
			}
			for k := range st.Gates {
				if err := st.Gates[k].validate(fmt.Sprintf("%s gate %d", what, k), 1<<len(st.Qubits), len(d.Params)); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("%s: unknown stage kind", what)
		}
	}
	return nil
}

// matrixAt is the gate's matrix at θ.
func (g *GateDoc) matrixAt(theta []float64) ([]float64, error) {
	if g.Angle == nil {
		return g.Matrix, nil
	}
	a, err := g.Angle.Eval(theta)
	if err != nil {
		return nil, err
	}
	s, c := math.Sincos(a / 2)
	m := make([]float64, len(g.Const))
	for i := range m {
		m[i] = g.Const[i] + c*g.Cos[i] + s*g.Sin[i]
	}
	return m, nil
}

// product returns G_last ⋯ G_first (d × d) of gates in application order.
func product(gs []GateDoc, d int, theta []float64) ([]float64, error) {
	M := make([]float64, d*d)
	for i := 0; i < d; i++ {
		M[i*d+i] = 1
	}
	for _, g := range gs {
		m, err := g.matrixAt(theta)
		if err != nil {
			return nil, err
		}
		out := make([]float64, d*d)
		for i := 0; i < d; i++ {
			for k := 0; k < d; k++ {
				if v := m[i*d+k]; v != 0 {
					for j := 0; j < d; j++ {
						out[i*d+j] += v * M[k*d+j]
					}
				}
			}
		}
		M = out
	}
	return M, nil
}

// Apply sets x = Q(θ)·x for x of shape N × m (row-major), interpreting the document
// directly (a plain reference evaluator, independent of the compiled engine). The document
// must be valid ([ProgramDoc.Validate]).
func (d *ProgramDoc) Apply(theta, x []float64, m int) error {
	if len(theta) != len(d.Params) {
		return fmt.Errorf("lowering: program document has %d parameters, got %d values", len(d.Params), len(theta))
	}
	if len(x) != d.Dim*m {
		return fmt.Errorf("lowering: program document: x has %d entries, want %d", len(x), d.Dim*m)
	}
	N := d.Dim
	y := make([]float64, len(x))
	for _, st := range d.Stages {
		switch st.Kind {
		case "kron":
			for j, q := range st.Qubits {
				F, err := product(st.Factors[j], 2, theta)
				if err != nil {
					return err
				}
				applyBlock(x, m, N, nil, []int{q}, F)
			}
		case "diag":
			for r := 0; r < N; r++ {
				v := st.Diagonal[smallmat.SubIndex(r, st.Qubits)]
				for c := 0; c < m; c++ {
					x[r*m+c] *= v
				}
			}
		case "perm":
			mask := 0
			for _, q := range st.Qubits {
				mask |= 1 << q
			}
			for r := 0; r < N; r++ {
				to := r&^mask | spreadBits(st.Sigma[smallmat.SubIndex(r, st.Qubits)], st.Qubits)
				copy(y[to*m:to*m+m], x[r*m:r*m+m])
			}
			copy(x, y)
		case "block":
			D := 1 << len(st.Qubits)
			M, err := product(st.Gates, D, theta)
			if err != nil {
				return err
			}
			applyBlock(x, m, N, st.Controls, st.Qubits, M)
		}
	}
	return nil
}

// applyBlock applies the D × D matrix M on the target qubits to the rows whose control
// qubits are all 1.
func applyBlock(x []float64, m, N int, controls, targets []int, M []float64) {
	cmask, tmask := 0, 0
	for _, c := range controls {
		cmask |= 1 << c
	}
	for _, t := range targets {
		tmask |= 1 << t
	}
	D := 1 << len(targets)
	rows := make([]int, D)
	buf := make([]float64, D*m)
	for base := 0; base < N; base++ {
		if base&tmask != 0 || base&cmask != cmask {
			continue
		}
		for a := 0; a < D; a++ {
			rows[a] = base | spreadBits(a, targets)
		}
		clear(buf)
		for a := 0; a < D; a++ {
			for b := 0; b < D; b++ {
				if v := M[a*D+b]; v != 0 {
					for c := 0; c < m; c++ {
						buf[a*m+c] += v * x[rows[b]*m+c]
					}
				}
			}
		}
		for a := 0; a < D; a++ {
			copy(x[rows[a]*m:rows[a]*m+m], buf[a*m:a*m+m])
		}
	}
}
