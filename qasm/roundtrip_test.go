package qasm

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// equivalent checks that two circuits act the same: the same unitary for unitary circuits
// on few qubits, otherwise the same measurement branches (probabilities, classical bits and
// states). upToPhase allows a global phase (per branch).
func equivalent(t *testing.T, a, b *circuit.Circuit, upToPhase bool) {
	t.Helper()
	require.Equal(t, a.NumQubits, b.NumQubits, "shape: %d qubits %d bits vs %d qubits %d bits", a.NumQubits, a.NumClbits, b.NumQubits, b.NumClbits)
	require.Equal(t, a.NumClbits, b.NumClbits, "shape: %d qubits %d bits vs %d qubits %d bits", a.NumQubits, a.NumClbits, b.NumQubits, b.NumClbits)
	if a.IsUnitary() && b.IsUnitary() && a.NumQubits <= 6 {
		ua, ub := dense(t, a, nil), dense(t, b, nil)
		ok := closeVec(ua, ub, 1e-12)
		if upToPhase {
			ok = equalUpToPhase(ua, ub, 1e-12)
		}
		require.True(t, ok, "unitaries differ")
		return
	}
	ba, bb := simulate(t, a, nil), simulate(t, b, nil)
	da, db := distribution(ba), distribution(bb)
	for k, p := range da {
		require.InDelta(t, p, db[k], 1e-12, "P(%b) = %v vs %v", k, p, db[k])
	}
	for k, p := range db {
		require.InDelta(t, da[k], p, 1e-12, "P(%b) = %v vs %v", k, da[k], p)
	}
	// The state for each classical outcome, as the (unnormalised) density matrix
	// Σ p·|ψ⟩⟨ψ| over its branches: resets make several branches share an outcome, and
	// a global phase per branch is unobservable.
	ra, rb := densities(ba), densities(bb)
	for k, x := range ra {
		require.True(t, closeVec(x, rb[k], 1e-12), "outcome %b: states differ", k)
	}
}

func densities(bs []branch) map[uint64][]complex128 {
	out := map[uint64][]complex128{}
	for _, b := range bs {
		d := len(b.psi)
		rho := out[b.bits]
		if rho == nil {
			rho = make([]complex128, d*d)
			out[b.bits] = rho
		}
		for i := 0; i < d; i++ {
			if b.psi[i] == 0 {
				continue
			}
			for j := 0; j < d; j++ {
				rho[i*d+j] += complex(b.p, 0) * b.psi[i] * cmplx.Conj(b.psi[j])
			}
		}
	}
	return out
}

func roundTrip(t *testing.T, c *circuit.Circuit, version int) (*circuit.Circuit, string, error) {
	t.Helper()
	text, err := Print(c, PrintOptions{Version: version})
	if err != nil {
		return nil, "", err
	}
	p, err := (&Config{}).Parse("printed.qasm", text)
	require.NoError(t, err, "printed OpenQASM %d does not parse\n--- text ---\n%s", version, text)
	return p.Circuit, string(text), nil
}

// oq2Inexpressible reports errors that say, by design, that OpenQASM 2 cannot hold the
// circuit.
func oq2Inexpressible(err error) bool {
	s := err.Error()
	return strings.Contains(s, "OpenQASM 2 cannot express") || strings.Contains(s, "can only test a whole classical register")
}

func TestRoundTripFixtures(t *testing.T) {
	for _, f := range fixtures() {
		t.Run(f.file, func(t *testing.T) {
			p := readFixture(t, f.file)
			c := p.Circuit
			// OpenQASM 3 keeps parameters symbolic.
			back, text, err := roundTrip(t, c, 3)
			require.NoError(t, err, "print OpenQASM 3")
			if f.bind != nil {
				equivalent(t, bindAll(t, c, f.bind), bindAll(t, back, f.bind), false)
			} else {
				equivalent(t, c, back, false)
			}
			// Printing reaches a fixed point after one round (gates printed through
			// definitions come back inlined).
			back2, text2, err := roundTrip(t, back, 3)
			require.NoError(t, err)
			_, text3, _ := roundTrip(t, back2, 3)
			assert.Equal(t, text2, text3, "printing is not stable\n--- first ---\n%s", text)
			// OpenQASM 2 needs bound parameters and loses global phases.
			if f.bind != nil {
				c = bindAll(t, c, f.bind)
			}
			back2, _, err = roundTrip(t, c, 2)
			if err != nil {
				require.True(t, oq2Inexpressible(err), "print OpenQASM 2: %v", err)
				t.Logf("OpenQASM 2: %v", err)
				return
			}
			equivalent(t, c, back2, true)
		})
	}
}

// ---- random circuits over the whole gate vocabulary ----

type genOpts struct {
	version  int  // 2: bound parameters, OpenQASM 2 expressible controls and conditions
	symbolic bool // symbolic angle expressions (version 3)
	classic  bool // measurements, resets and conditions
}

var oq2Ctrl = [][2]any{{"x", 1}, {"x", 2}, {"x", 3}, {"y", 1}, {"z", 1}, {"h", 1}, {"p", 1}, {"u1", 1},
	{"rx", 1}, {"ry", 1}, {"rz", 1}, {"sx", 1}, {"sx", 3}, {"swap", 1}, {"u3", 1}, {"U", 1}, {"u", 1},
	{"u2", 1}, {"gphase", 1}, {"gphase", 2}, {"cx", 1}, {"cx", 2}, {"ccx", 1}, {"id", 2}}

func randomAngle(r *rand.Rand, symbolic bool) circuit.Expr {
	k := r.IntN(10)
	if !symbolic || k < 4 {
		switch r.IntN(4) {
		case 0:
			return circuit.Const{V: math.Pi * float64(r.IntN(9)-4) / 4}
		case 1:
			return circuit.Const{V: float64(r.IntN(7) - 3)}
		}
		return circuit.Const{V: (r.Float64()*2 - 1) * 4}
	}
	syms := []string{"a", "b", "θ", "t[0]", "t[1]", "t[3]"}
	leaf := func() circuit.Expr {
		if r.IntN(3) == 0 {
			return circuit.Const{V: (r.Float64()*2 - 1) * 3}
		}
		return circuit.Sym{Name: syms[r.IntN(len(syms))]}
	}
	var build func(d int) circuit.Expr
	build = func(d int) circuit.Expr {
		if d == 0 {
			return leaf()
		}
		switch r.IntN(6) {
		case 0:
			return circuit.Neg{X: build(d - 1)}
		case 1:
			fns := []string{"sin", "cos", "exp", "atan"}
			return circuit.Call{Fn: fns[r.IntN(len(fns))], Arg: build(d - 1)}
		case 2:
			return leaf()
		}
		ops := []byte{'+', '-', '*', '/'}
		return circuit.Binary{Op: ops[r.IntN(len(ops))], X: build(d - 1), Y: build(d - 1)}
	}
	return build(1 + r.IntN(3))
}

func randomCircuit(r *rand.Rand, o genOpts) *circuit.Circuit {
	n := 1 + r.IntN(4)
	c := circuit.New(n)
	if r.IntN(2) == 0 && n >= 2 {
		// Two quantum registers.
		k := 1 + r.IntN(n-1)
		c.QRegs = []circuit.Register{{Name: "qa", Start: 0, Size: k}, {Name: "qb", Start: k, Size: n - k}}
	}
	if o.classic {
		c.AddClbits("c", 1+r.IntN(2))
		c.AddClbits("d", 1)
	}
	all := gates.All()
	for len(c.Ops) < 4+r.IntN(12) {
		if o.classic && r.IntN(6) == 0 {
			q := r.IntN(n)
			switch r.IntN(3) {
			case 0:
				c.Measure(q, r.IntN(c.NumClbits))
			case 1:
				c.Reset(q)
			default:
				c.Barrier()
			}
			continue
		}
		g := all[r.IntN(len(all))]
		ctrl := 0
		if o.version == 2 {
			if r.IntN(3) == 0 {
				pick := oq2Ctrl[r.IntN(len(oq2Ctrl))]
				g, ctrl = gates.MustGet(pick[0].(string)), pick[1].(int)
			}
		} else if r.IntN(4) == 0 {
			ctrl = 1 + r.IntN(2)
		}
		if g.Qubits+ctrl > n {
			continue
		}
		perm := r.Perm(n)[:g.Qubits+ctrl]
		args := make([]circuit.Expr, g.Params)
		for i := range args {
			args[i] = randomAngle(r, o.symbolic)
		}
		op := circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: perm, Args: args}
		if o.classic && r.IntN(4) == 0 {
			if o.version == 2 {
				reg := c.CRegs[r.IntN(len(c.CRegs))]
				bits := make([]int, reg.Size)
				for i := range bits {
					bits[i] = reg.Start + i
				}
				op.Cond = &circuit.Cond{Clbits: bits, Value: uint64(r.IntN(1 << reg.Size))}
			} else {
				b := r.Perm(c.NumClbits)[:1+r.IntN(c.NumClbits)]
				op.Cond = &circuit.Cond{Clbits: b, Value: uint64(r.IntN(1 << len(b)))}
			}
		}
		if err := c.Append(op); err != nil {
			panic(err)
		}
	}
	return c
}

// bindRandom binds random values; ok is false when every draw makes some angle non-finite
// (a random expression such as 1/(b-b) is never finite, and Bind refuses it).
func bindRandom(t *testing.T, c *circuit.Circuit, r *rand.Rand) (_ *circuit.Circuit, _ map[string]float64, ok bool) {
	for range 10 {
		vals := map[string]float64{}
		for _, p := range c.Params {
			vals[p] = (r.Float64()*2 - 1) * 2
		}
		b, err := c.Bind(vals)
		var nf *circuit.NonFiniteError
		if errors.As(err, &nf) {
			continue
		}
		require.NoError(t, err)
		return b, vals, true
	}
	return nil, nil, false
}

func TestRoundTripRandom(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 80
	}
	for _, o := range []genOpts{
		{version: 3, symbolic: true},
		{version: 3, symbolic: true, classic: true},
		{version: 2},
		{version: 2, classic: true},
	} {
		t.Run(fmt.Sprintf("v%d_symbolic=%v_classic=%v", o.version, o.symbolic, o.classic), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(o.version), 42))
			for i := 0; i < n; i++ {
				c := randomCircuit(r, o)
				back, text, err := roundTrip(t, c, o.version)
				require.NoError(t, err, "circuit %d", i)
				bc, vals, ok := bindRandom(t, c, r)
				if !ok {
					continue
				}
				bb := back
				if len(vals) > 0 {
					bb = bindAll(t, back, vals)
				}
				func() {
					defer func() {
						if t.Failed() {
							t.Logf("circuit %d printed as:\n%s", i, text)
						}
					}()
					equivalent(t, bc, bb, o.version == 2)
				}()
				if t.Failed() {
					return
				}
			}
		})
	}
}

// The exact OpenQASM 3 round trip keeps every operation: same gates, qubits, controls,
// conditions and bit-identical constant arguments, for gates stdgates.inc has.
func TestRoundTripExactOps(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 200; i++ {
		c := randomCircuit(r, genOpts{version: 3, classic: true})
		std := true
		for _, op := range c.Ops {
			if op.Kind == circuit.GateOp && !stdgates3[op.Gate.Name] {
				std = false
			}
		}
		if !std {
			continue
		}
		back, text, err := roundTrip(t, c, 3)
		require.NoError(t, err)
		require.Equal(t, len(c.Ops), len(back.Ops), "number of ops\n%s", text)
		for j := range c.Ops {
			a, b := &c.Ops[j], &back.Ops[j]
			require.Equal(t, a.Name(), b.Name(), "op %d\n%s", j, text)
			require.Equal(t, fmt.Sprint(a.Qubits, a.Clbits(), a.Cond), fmt.Sprint(b.Qubits, b.Clbits(), b.Cond), "op %d %s: qubits, clbits, condition\n%s", j, a.Name(), text)
			for k := range a.Args {
				va, _ := circuit.Eval(a.Args[k], nil)
				vb, _ := circuit.Eval(b.Args[k], nil)
				require.Equal(t, math.Float64bits(va), math.Float64bits(vb), "op %d arg %d: %v vs %v (not bit-identical)\n%s", j, k, va, vb, text)
			}
		}
	}
}
