package gates

import "math"

// Single-qubit builders over duals.

func mX() []dual { return consts(0, 1, 1, 0) }
func mY() []dual { return consts(0, -1i, 1i, 0) }
func mZ() []dual { return consts(1, 0, 0, -1) }
func mH() []dual { return consts(invS, invS, invS, -invS) }

func mRX(t dual) []dual {
	c, s := cosh2(t), sinh2(t).scale(-1i)
	return []dual{c, s, s, c}
}

func mRY(t dual) []dual {
	c, s := cosh2(t), sinh2(t)
	return []dual{c, s.neg(), s, c}
}

func mRZ(t dual) []dual {
	return []dual{expi(half(t).neg()), zero, zero, expi(half(t))}
}

func mP(l dual) []dual { return []dual{one, zero, zero, expi(l)} }

// mU is OpenQASM 3's (and Qiskit's) U(θ,φ,λ).
func mU(t, f, l dual) []dual {
	c, s := cosh2(t), sinh2(t)
	return []dual{c, expi(l).mul(s).neg(), expi(f).mul(s), expi(f.add(l)).mul(c)}
}

// mU3 is stdgates.inc's u3 = gphase(−(φ+λ)/2)·U.
func mU3(t, f, l dual) []dual {
	return mulScalar(mU(t, f, l), expi(half(f.add(l)).neg()))
}

func mGPI(f dual) []dual { return []dual{zero, expi(f.neg()), expi(f), zero} }

func mGPI2(f dual) []dual {
	a := expi(f.neg()).scale(-1i * invS)
	b := expi(f).scale(-1i * invS)
	return []dual{cst(invS), a, b, cst(invS)}
}

// mMS is the Mølmer–Sørensen gate MS(φ0, φ1, θ) as Braket and IonQ define it, written in the
// little-endian index order (qubit argument 0 is bit 0).
func mMS(f0, f1, t dual) []dual {
	c := cosh2(t)
	s := sinh2(t).scale(-1i)
	m := make([]dual, 16)
	m[0], m[5], m[10], m[15] = c, c, c, c
	m[0*4+3] = s.mul(expi(f0.add(f1).neg()))
	m[3*4+0] = s.mul(expi(f0.add(f1)))
	// Braket's matrix is big-endian (argument 0 is the high bit); in little-endian order its
	// (1,2) and (2,1) entries trade places.
	m[2*4+1] = s.mul(expi(f0.sub(f1).neg()))
	m[1*4+2] = s.mul(expi(f0.sub(f1)))
	return m
}

func init() {
	pi := math.Pi
	// Zero-qubit.
	register(&Gate{Name: "gphase", Qubits: 0, Params: 1, ParamNames: []string{"γ"}, Diagonal: true,
		Doc:     "global phase e^{iγ}; under ctrl @ it becomes a relative phase",
		build:   func(p []dual) []dual { return []dual{expi(p[0])} },
		inverse: negInverse("gphase", 0, 1)})

	// Fixed single-qubit gates.
	fixed1 := []struct {
		name, inv  string
		real, diag bool
		doc        string
		m          []complex128
	}{
		{"id", "id", true, true, "identity", []complex128{1, 0, 0, 1}},
		{"x", "x", true, false, "Pauli X (NOT)", []complex128{0, 1, 1, 0}},
		{"y", "y", false, false, "Pauli Y", []complex128{0, -1i, 1i, 0}},
		{"z", "z", true, true, "Pauli Z", []complex128{1, 0, 0, -1}},
		{"h", "h", true, false, "Hadamard", []complex128{invS, invS, invS, -invS}},
		{"s", "sdg", false, true, "phase π/2 (√Z)", []complex128{1, 0, 0, 1i}},
		{"sdg", "s", false, true, "phase −π/2 (S†)", []complex128{1, 0, 0, -1i}},
		{"t", "tdg", false, true, "phase π/4 (√S)", []complex128{1, 0, 0, complex(1/math.Sqrt2, 1/math.Sqrt2)}},
		{"tdg", "t", false, true, "phase −π/4 (T†)", []complex128{1, 0, 0, complex(1/math.Sqrt2, -1/math.Sqrt2)}},
		{"sx", "sxdg", false, false, "√X", []complex128{complex(.5, .5), complex(.5, -.5), complex(.5, -.5), complex(.5, .5)}},
		{"sxdg", "sx", false, false, "√X†", []complex128{complex(.5, -.5), complex(.5, .5), complex(.5, .5), complex(.5, -.5)}},
	}
	for _, f := range fixed1 {
		m := f.m
		register(&Gate{Name: f.name, Qubits: 1, ParamNames: []string{}, Real: f.real, Diagonal: f.diag, Doc: f.doc,
			build:   func([]dual) []dual { return consts(m...) },
			inverse: []Term{{Gate: f.inv, Qubits: []int{0}}}})
	}

	// Parameterised single-qubit gates.
	register(&Gate{Name: "rx", Qubits: 1, Params: 1, ParamNames: []string{"θ"}, Doc: "rotation exp(−iθX/2)",
		build: func(p []dual) []dual { return mRX(p[0]) }, inverse: negInverse("rx", 1, 1)})
	register(&Gate{Name: "ry", Qubits: 1, Params: 1, ParamNames: []string{"θ"}, Real: true, Doc: "rotation exp(−iθY/2), real",
		build: func(p []dual) []dual { return mRY(p[0]) }, inverse: negInverse("ry", 1, 1)})
	register(&Gate{Name: "rz", Qubits: 1, Params: 1, ParamNames: []string{"λ"}, Diagonal: true, Doc: "rotation exp(−iλZ/2)",
		build: func(p []dual) []dual { return mRZ(p[0]) }, inverse: negInverse("rz", 1, 1)})
	register(&Gate{Name: "p", Qubits: 1, Params: 1, ParamNames: []string{"λ"}, Diagonal: true, Doc: "phase diag(1, e^{iλ})",
		build: func(p []dual) []dual { return mP(p[0]) }, inverse: negInverse("p", 1, 1)})
	register(&Gate{Name: "u1", Qubits: 1, Params: 1, ParamNames: []string{"λ"}, Diagonal: true, Doc: "qelib1 u1(λ) = p(λ)",
		build: func(p []dual) []dual { return mP(p[0]) }, inverse: negInverse("u1", 1, 1)})
	uInv := func(name string) []Term {
		return []Term{{Gate: name, Qubits: []int{0}, Params: negPerm(3, 0, 2, 1)}}
	}
	register(&Gate{Name: "U", Qubits: 1, Params: 3, ParamNames: []string{"θ", "φ", "λ"}, Doc: "OpenQASM 3 built-in U(θ,φ,λ) (Qiskit's U)",
		build: func(p []dual) []dual { return mU(p[0], p[1], p[2]) }, inverse: uInv("U")})
	register(&Gate{Name: "u", Qubits: 1, Params: 3, ParamNames: []string{"θ", "φ", "λ"}, Doc: "Qiskit's u(θ,φ,λ) = U(θ,φ,λ)",
		build: func(p []dual) []dual { return mU(p[0], p[1], p[2]) }, inverse: uInv("u")})
	register(&Gate{Name: "u3", Qubits: 1, Params: 3, ParamNames: []string{"θ", "φ", "λ"}, Doc: "u3(θ,φ,λ) = e^{−i(φ+λ)/2}·U(θ,φ,λ) (stdgates.inc)",
		build: func(p []dual) []dual { return mU3(p[0], p[1], p[2]) }, inverse: uInv("u3")})
	register(&Gate{Name: "u2", Qubits: 1, Params: 2, ParamNames: []string{"φ", "λ"}, Doc: "u2(φ,λ) = u3(π/2,φ,λ)",
		build: func(p []dual) []dual { return mU3(cst(complex(pi/2, 0)), p[0], p[1]) },
		inverse: []Term{{Gate: "u3", Qubits: []int{0}, Params: []Affine{
			{Coef: []float64{0, 0}, Const: -pi / 2}, {Coef: []float64{0, -1}}, {Coef: []float64{-1, 0}}}}}})
	register(&Gate{Name: "gpi", Qubits: 1, Params: 1, ParamNames: []string{"φ"}, Doc: "trapped-ion GPI(φ) = [[0, e^{−iφ}], [e^{iφ}, 0]] (radians)",
		build: func(p []dual) []dual { return mGPI(p[0]) }, inverse: []Term{{Gate: "gpi", Qubits: []int{0}, Params: ident(0)}}})
	register(&Gate{Name: "gpi2", Qubits: 1, Params: 1, ParamNames: []string{"φ"}, Doc: "trapped-ion GPI2(φ), a π/2 rotation about cos φ X + sin φ Y (radians)",
		build:   func(p []dual) []dual { return mGPI2(p[0]) },
		inverse: []Term{{Gate: "gpi2", Qubits: []int{0}, Params: []Affine{{Coef: []float64{1}, Const: pi}}}}})

	// Controlled gates: controls first (low bits).
	type ctl struct {
		name, doc  string
		nctrl, k   int
		params     []string
		real, diag bool
		target     func(p []dual) []dual
		inv        []Term
	}
	ctls := []ctl{
		{"cx", "controlled X (CNOT)", 1, 1, nil, true, false, func([]dual) []dual { return mX() }, selfInverse("cx", 2)},
		{"cy", "controlled Y", 1, 1, nil, false, false, func([]dual) []dual { return mY() }, selfInverse("cy", 2)},
		{"cz", "controlled Z", 1, 1, nil, true, true, func([]dual) []dual { return mZ() }, selfInverse("cz", 2)},
		{"ch", "controlled Hadamard", 1, 1, nil, true, false, func([]dual) []dual { return mH() }, selfInverse("ch", 2)},
		{"cp", "controlled phase", 1, 1, []string{"λ"}, false, true, func(p []dual) []dual { return mP(p[0]) }, negInverse("cp", 2, 1)},
		{"cu1", "qelib1 cu1(λ) = cp(λ)", 1, 1, []string{"λ"}, false, true, func(p []dual) []dual { return mP(p[0]) }, negInverse("cu1", 2, 1)},
		{"crx", "controlled rx", 1, 1, []string{"θ"}, false, false, func(p []dual) []dual { return mRX(p[0]) }, negInverse("crx", 2, 1)},
		{"cry", "controlled ry, real", 1, 1, []string{"θ"}, true, false, func(p []dual) []dual { return mRY(p[0]) }, negInverse("cry", 2, 1)},
		{"crz", "controlled rz", 1, 1, []string{"λ"}, false, true, func(p []dual) []dual { return mRZ(p[0]) }, negInverse("crz", 2, 1)},
		{"cu", "controlled e^{iγ}·U(θ,φ,λ) (stdgates.inc cu)", 1, 1, []string{"θ", "φ", "λ", "γ"}, false, false,
			func(p []dual) []dual { return mulScalar(mU(p[0], p[1], p[2]), expi(p[3])) },
			[]Term{{Gate: "cu", Qubits: []int{0, 1}, Params: negPerm(4, 0, 2, 1, 3)}}},
		{"cu3", "qelib1 cu3 (Qiskit's CU3Gate): controlled U(θ,φ,λ)", 1, 1, []string{"θ", "φ", "λ"}, false, false,
			func(p []dual) []dual { return mU(p[0], p[1], p[2]) },
			[]Term{{Gate: "cu3", Qubits: []int{0, 1}, Params: negPerm(3, 0, 2, 1)}}},
		{"ccx", "Toffoli (doubly controlled X)", 2, 1, nil, true, false, func([]dual) []dual { return mX() }, selfInverse("ccx", 3)},
		{"cswap", "Fredkin (controlled swap)", 1, 2, nil, true, false, func([]dual) []dual { return consts(1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1) }, selfInverse("cswap", 3)},
	}
	for _, c := range ctls {
		c := c
		register(&Gate{Name: c.name, Qubits: c.nctrl + c.k, Params: len(c.params), ParamNames: append([]string{}, c.params...),
			Real: c.real, Diagonal: c.diag, Controls: c.nctrl, Doc: c.doc,
			build:   func(p []dual) []dual { return ctrlDual(c.target(p), c.k, c.nctrl) },
			inverse: c.inv})
	}

	// Two-qubit gates without a control structure.
	register(&Gate{Name: "swap", Qubits: 2, ParamNames: []string{}, Real: true, Doc: "swap two qubits",
		build:   func([]dual) []dual { return consts(1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1) },
		inverse: selfInverse("swap", 2)})
	register(&Gate{Name: "iswap", Qubits: 2, ParamNames: []string{}, Doc: "iSWAP: swap with phase i on |01⟩,|10⟩",
		build: func([]dual) []dual { return consts(1, 0, 0, 0, 0, 0, 1i, 0, 0, 1i, 0, 0, 0, 0, 0, 1) },
		// iSWAP² = Z⊗Z, so iSWAP† = iSWAP·(Z⊗Z).
		inverse: []Term{{Gate: "z", Qubits: []int{0}}, {Gate: "z", Qubits: []int{1}}, {Gate: "iswap", Qubits: []int{0, 1}}}})
	register(&Gate{Name: "ecr", Qubits: 2, ParamNames: []string{}, Doc: "echoed cross-resonance (IX − XY)/√2, Qiskit's ECR",
		build: func([]dual) []dual {
			ix := kron(consts(1, 0, 0, 1), 2, mX(), 2)
			xy := kron(mX(), 2, mY(), 2)
			out := make([]dual, 16)
			for i := range out {
				out[i] = ix[i].sub(xy[i]).scale(invS)
			}
			return out
		},
		inverse: selfInverse("ecr", 2)})
	pauli2 := func(name, doc string, pm func() []dual, real, diag bool) {
		register(&Gate{Name: name, Qubits: 2, Params: 1, ParamNames: []string{"θ"}, Real: real, Diagonal: diag, Doc: doc,
			build: func(p []dual) []dual {
				pp := kron(pm(), 2, pm(), 2) // P⊗P
				c, s := cosh2(p[0]), sinh2(p[0]).scale(-1i)
				out := make([]dual, 16)
				for i := range out {
					out[i] = pp[i].mul(s)
					if i%5 == 0 {
						out[i] = out[i].add(c)
					}
				}
				return out
			},
			inverse: negInverse(name, 2, 1)})
	}
	pauli2("rxx", "exp(−iθ X⊗X/2)", mX, false, false)
	pauli2("ryy", "exp(−iθ Y⊗Y/2)", mY, false, false)
	pauli2("rzz", "exp(−iθ Z⊗Z/2)", mZ, false, true)
	register(&Gate{Name: "ms", Qubits: 2, Params: 3, ParamNames: []string{"φ0", "φ1", "θ"}, Doc: "trapped-ion Mølmer–Sørensen MS(φ0,φ1,θ) (radians)",
		build: func(p []dual) []dual { return mMS(p[0], p[1], p[2]) },
		inverse: []Term{{Gate: "ms", Qubits: []int{0, 1}, Params: []Affine{
			{Coef: []float64{1, 0, 0}}, {Coef: []float64{0, 1, 0}}, {Coef: []float64{0, 0, -1}}}}}})
}
