package circuit

// Fluent builders. Each appends one gate and returns the circuit, so calls chain:
//
//	c.H(0).CX(0, 1).RY("theta", 1)
//
// Angles may be float64, int, a parameter name (string) or an Expr. A wrong qubit index or an
// angle of another type is a programmer error and panics; use Circuit.Gate or Circuit.Append
// to get an error instead.

// I applies id to each of the given qubits.
func (c *Circuit) I(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("id", []int{q})
	}
	return c
}

// X applies x to each of the given qubits.
func (c *Circuit) X(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("x", []int{q})
	}
	return c
}

// Y applies y to each of the given qubits.
func (c *Circuit) Y(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("y", []int{q})
	}
	return c
}

// Z applies z to each of the given qubits.
func (c *Circuit) Z(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("z", []int{q})
	}
	return c
}

// H applies h to each of the given qubits.
func (c *Circuit) H(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("h", []int{q})
	}
	return c
}

// S applies s to each of the given qubits.
func (c *Circuit) S(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("s", []int{q})
	}
	return c
}

// Sdg applies sdg to each of the given qubits.
func (c *Circuit) Sdg(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("sdg", []int{q})
	}
	return c
}

// T applies t to each of the given qubits.
func (c *Circuit) T(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("t", []int{q})
	}
	return c
}

// Tdg applies tdg to each of the given qubits.
func (c *Circuit) Tdg(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("tdg", []int{q})
	}
	return c
}

// SX applies sx to each of the given qubits.
func (c *Circuit) SX(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("sx", []int{q})
	}
	return c
}

// SXdg applies sxdg to each of the given qubits.
func (c *Circuit) SXdg(qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("sxdg", []int{q})
	}
	return c
}

// RX applies rx(theta) to each of the given qubits.
func (c *Circuit) RX(theta any, qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("rx", []int{q}, theta)
	}
	return c
}

// RY applies ry(theta) to each of the given qubits.
func (c *Circuit) RY(theta any, qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("ry", []int{q}, theta)
	}
	return c
}

// RZ applies rz(lambda) to each of the given qubits.
func (c *Circuit) RZ(lambda any, qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("rz", []int{q}, lambda)
	}
	return c
}

// P applies p(lambda) to each of the given qubits.
func (c *Circuit) P(lambda any, qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("p", []int{q}, lambda)
	}
	return c
}

// GPI applies gpi(phi) to each of the given qubits.
func (c *Circuit) GPI(phi any, qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("gpi", []int{q}, phi)
	}
	return c
}

// GPI2 applies gpi2(phi) to each of the given qubits.
func (c *Circuit) GPI2(phi any, qubits ...int) *Circuit {
	for _, q := range qubits {
		c.must("gpi2", []int{q}, phi)
	}
	return c
}

// CX applies cx to (control, target).
func (c *Circuit) CX(control, target int) *Circuit { return c.must("cx", []int{control, target}) }

// CY applies cy to (control, target).
func (c *Circuit) CY(control, target int) *Circuit { return c.must("cy", []int{control, target}) }

// CZ applies cz to (a, b).
func (c *Circuit) CZ(a, b int) *Circuit { return c.must("cz", []int{a, b}) }

// CH applies ch to (control, target).
func (c *Circuit) CH(control, target int) *Circuit { return c.must("ch", []int{control, target}) }

// Swap applies swap to (a, b).
func (c *Circuit) Swap(a, b int) *Circuit { return c.must("swap", []int{a, b}) }

// ISwap applies iswap to (a, b).
func (c *Circuit) ISwap(a, b int) *Circuit { return c.must("iswap", []int{a, b}) }

// ECR applies ecr to (a, b).
func (c *Circuit) ECR(a, b int) *Circuit { return c.must("ecr", []int{a, b}) }

// CP applies cp(lambda) to (control, target).
func (c *Circuit) CP(lambda any, control, target int) *Circuit {
	return c.must("cp", []int{control, target}, lambda)
}

// CRX applies crx(theta) to (control, target).
func (c *Circuit) CRX(theta any, control, target int) *Circuit {
	return c.must("crx", []int{control, target}, theta)
}

// CRY applies cry(theta) to (control, target).
func (c *Circuit) CRY(theta any, control, target int) *Circuit {
	return c.must("cry", []int{control, target}, theta)
}

// CRZ applies crz(lambda) to (control, target).
func (c *Circuit) CRZ(lambda any, control, target int) *Circuit {
	return c.must("crz", []int{control, target}, lambda)
}

// RXX applies rxx(theta) to (a, b).
func (c *Circuit) RXX(theta any, a, b int) *Circuit { return c.must("rxx", []int{a, b}, theta) }

// RYY applies ryy(theta) to (a, b).
func (c *Circuit) RYY(theta any, a, b int) *Circuit { return c.must("ryy", []int{a, b}, theta) }

// RZZ applies rzz(theta) to (a, b).
func (c *Circuit) RZZ(theta any, a, b int) *Circuit { return c.must("rzz", []int{a, b}, theta) }

// U applies OpenQASM 3's U(θ, φ, λ) to q.
func (c *Circuit) U(theta, phi, lambda any, q int) *Circuit {
	return c.must("U", []int{q}, theta, phi, lambda)
}

// CU applies cu(θ, φ, λ, γ) to (control, target).
func (c *Circuit) CU(theta, phi, lambda, gamma any, control, target int) *Circuit {
	return c.must("cu", []int{control, target}, theta, phi, lambda, gamma)
}

// MS applies the Mølmer–Sørensen gate ms(φ0, φ1, θ) to (a, b).
func (c *Circuit) MS(phi0, phi1, theta any, a, b int) *Circuit {
	return c.must("ms", []int{a, b}, phi0, phi1, theta)
}

// CCX applies the Toffoli gate.
func (c *Circuit) CCX(c0, c1, target int) *Circuit { return c.must("ccx", []int{c0, c1, target}) }

// CSwap applies the Fredkin gate.
func (c *Circuit) CSwap(control, a, b int) *Circuit { return c.must("cswap", []int{control, a, b}) }

// GPhase applies a global phase e^{iγ}.
func (c *Circuit) GPhase(gamma any) *Circuit { return c.must("gphase", nil, gamma) }

// Ctrl applies gate name with nctrl extra controls: Ctrl("ry", []int{c0}, []int{t}, theta)
// is cry. It panics on misuse, like the other builders.
func (c *Circuit) Ctrl(name string, controls, targets []int, args ...any) *Circuit {
	if err := c.Gate(name, targets, args...); err != nil {
		panic("circuit: " + err.Error())
	}
	op := &c.Ops[len(c.Ops)-1]
	op.Ctrl = int32(len(controls))
	op.Qubits = append(append([]int(nil), controls...), targets...)
	if err := c.check(op); err != nil {
		c.Ops = c.Ops[:len(c.Ops)-1]
		panic("circuit: " + err.Error())
	}
	return c
}

// Measure measures qubit q into classical bit b, adding classical bits if needed.
func (c *Circuit) Measure(q, b int) *Circuit {
	for c.NumClbits <= b {
		if len(c.CRegs) == 0 {
			c.AddClbits("c", b+1-c.NumClbits)
		} else {
			c.CRegs[len(c.CRegs)-1].Size++
			c.NumClbits++
		}
	}
	if err := c.Append(NewMeasure([]int{q}, []int{b})); err != nil {
		panic("circuit: " + err.Error())
	}
	return c
}

// MeasureAll measures every qubit k into bit k.
func (c *Circuit) MeasureAll() *Circuit {
	for q := 0; q < c.NumQubits; q++ {
		c.Measure(q, q)
	}
	return c
}

// Reset resets the given qubits to |0⟩.
func (c *Circuit) Reset(qubits ...int) *Circuit {
	if err := c.Append(Op{Kind: Reset, Qubits: append([]int(nil), qubits...)}); err != nil {
		panic("circuit: " + err.Error())
	}
	return c
}

// Barrier adds a barrier on the given qubits (all when none are given).
func (c *Circuit) Barrier(qubits ...int) *Circuit {
	if len(qubits) == 0 {
		qubits = seq(c.NumQubits)
	}
	if err := c.Append(Op{Kind: Barrier, Qubits: append([]int(nil), qubits...)}); err != nil {
		panic("circuit: " + err.Error())
	}
	return c
}

// If makes the last appended operation conditional on classical bits equal to value.
func (c *Circuit) If(clbits []int, value uint64) *Circuit {
	if len(c.Ops) == 0 {
		panic("circuit: If with no operation to condition")
	}
	op := &c.Ops[len(c.Ops)-1]
	op.Cond = &Cond{Clbits: append([]int(nil), clbits...), Value: value}
	if err := c.check(op); err != nil {
		op.Cond = nil
		panic("circuit: " + err.Error())
	}
	return c
}
