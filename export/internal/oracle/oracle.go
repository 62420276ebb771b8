// Package oracle is the brute-force reference the export tests compare against: the dense
// unitary of a circuit built by applying every operation's matrix (controls included) to
// every column, little-endian, with no gate fusion or special cases, and a seeded random
// circuit generator over the whole gate vocabulary.
package oracle

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/gates"
)

// MaxQubits bounds Unitary (a 2^n × 2^n dense matrix).
const MaxQubits = 10

// Unitary returns the 2^n × 2^n matrix (row-major) of a unitary circuit under env.
func Unitary(c *circuit.Circuit, env circuit.Env) ([]complex128, error) {
	n := c.NumQubits
	if n > MaxQubits {
		return nil, fmt.Errorf("oracle: %d qubits exceed %d", n, MaxQubits)
	}
	d := 1 << n
	u := make([]complex128, d*d)
	for i := 0; i < d; i++ {
		u[i*d+i] = 1
	}
	for i := range c.Ops {
		op := &c.Ops[i]
		switch {
		case op.Kind == circuit.Barrier:
			continue
		case !op.IsUnitary():
			return nil, fmt.Errorf("oracle: operation %d (%s) is not unitary", i, op.Name())
		}
		m, err := op.Matrix(env)
		if err != nil {
			return nil, fmt.Errorf("oracle: operation %d (%s): %w", i, op.Name(), err)
		}
		if len(op.Qubits) == 0 { // gphase
			for j := range u {
				u[j] *= m[0]
			}
			continue
		}
		applyColumns(u, d, m, op.Qubits)
	}
	return u, nil
}

// applyColumns replaces u (d×d, row-major) by M·u where M is m on qubits qs.
func applyColumns(u []complex128, d int, m []complex128, qs []int) {
	groups := indexGroups(d, qs)
	dk := 1 << len(qs)
	in := make([]complex128, dk)
	for _, idx := range groups {
		for c := 0; c < d; c++ {
			for l, i := range idx {
				in[l] = u[i*d+c]
			}
			for r := 0; r < dk; r++ {
				var s complex128
				row := m[r*dk : (r+1)*dk]
				for l, v := range in {
					s += row[l] * v
				}
				u[idx[r]*d+c] = s
			}
		}
	}
}

// indexGroups lists, for each assignment of the qubits outside qs, the 2^len(qs) basis
// indices in m's index order.
func indexGroups(d int, qs []int) [][]int {
	mask := 0
	for _, q := range qs {
		mask |= 1 << q
	}
	dk := 1 << len(qs)
	var out [][]int
	for base := 0; base < d; base++ {
		if base&mask != 0 {
			continue
		}
		idx := make([]int, dk)
		for l := 0; l < dk; l++ {
			i := base
			for j, q := range qs {
				if l>>j&1 == 1 {
					i |= 1 << q
				}
			}
			idx[l] = i
		}
		out = append(out, idx)
	}
	return out
}

// Apply returns m (on qubits qs, qs[j] = bit j of m's index) applied to state v.
func Apply(v []complex128, m []complex128, qs []int) []complex128 {
	k := len(qs)
	dk := 1 << k
	out := make([]complex128, len(v))
	mask := 0
	for _, q := range qs {
		mask |= 1 << q
	}
	idx := make([]int, dk)
	for base := 0; base < len(v); base++ {
		if base&mask != 0 {
			continue
		}
		for l := 0; l < dk; l++ {
			i := base
			for j, q := range qs {
				if l>>j&1 == 1 {
					i |= 1 << q
				}
			}
			idx[l] = i
		}
		for r := 0; r < dk; r++ {
			var s complex128
			for cc := 0; cc < dk; cc++ {
				s += m[r*dk+cc] * v[idx[cc]]
			}
			out[idx[r]] = s
		}
	}
	return out
}

// State returns the circuit's output state from |0…0⟩.
func State(c *circuit.Circuit, env circuit.Env) ([]complex128, error) {
	u, err := Unitary(c, env)
	if err != nil {
		return nil, err
	}
	d := 1 << c.NumQubits
	s := make([]complex128, d)
	for r := 0; r < d; r++ {
		s[r] = u[r*d]
	}
	return s, nil
}

// MaxDiff returns max |a_i − b_i|.
func MaxDiff(a, b []complex128) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, cmplx.Abs(a[i]-b[i]))
	}
	return m
}

// PhaseDiff returns min over global phases γ of max |a_i − e^{iγ} b_i|, with γ fitted by
// least squares.
func PhaseDiff(a, b []complex128) float64 {
	var s complex128
	for i := range a {
		s += cmplx.Conj(b[i]) * a[i]
	}
	ph := complex(1, 0)
	if cmplx.Abs(s) > 0 {
		ph = s / complex(cmplx.Abs(s), 0)
	}
	m := 0.0
	for i := range a {
		m = math.Max(m, cmplx.Abs(a[i]-ph*b[i]))
	}
	return m
}

// Scale returns e^{iγ}·a.
func Scale(a []complex128, gamma float64) []complex128 {
	p := cmplx.Exp(complex(0, gamma))
	out := make([]complex128, len(a))
	for i, v := range a {
		out[i] = p * v
	}
	return out
}

// Options steer RandomCircuit.
type Options struct {
	// Symbolic makes some angles parameter expressions (p0, p1, … with affine maps).
	Symbolic bool
	// MaxCtrl is the largest number of extra ctrl @ modifiers on one gate.
	MaxCtrl int
	// Gates restricts the vocabulary (nil means every gate).
	Gates []string
}

// RandomCircuit returns a seeded random unitary circuit of depth gates on n qubits.
func RandomCircuit(r *rand.Rand, n, depth int, o Options) *circuit.Circuit {
	c := circuit.New(n)
	var all []*gates.Gate
	if o.Gates == nil {
		all = gates.All()
	} else {
		for _, g := range o.Gates {
			all = append(all, gates.MustGet(g))
		}
	}
	nsym := 0
	for len(c.Ops) < depth {
		g := all[r.IntN(len(all))]
		ctrl := 0
		if o.MaxCtrl > 0 && r.IntN(3) == 0 {
			ctrl = 1 + r.IntN(o.MaxCtrl)
		}
		if g.Qubits+ctrl > n || (g.Qubits == 0 && ctrl == 0 && r.IntN(2) == 0) {
			continue
		}
		qs := r.Perm(n)[:g.Qubits+ctrl]
		args := make([]circuit.Expr, g.Params)
		for i := range args {
			v := (r.Float64()*2 - 1) * 2 * math.Pi
			if o.Symbolic && r.IntN(2) == 0 {
				name := fmt.Sprintf("p%d", nsym%4)
				nsym++
				var e circuit.Expr = circuit.Param(name)
				switch r.IntN(4) {
				case 1:
					e = circuit.Mul(circuit.Num(2), e)
				case 2:
					e = circuit.Add(circuit.Div(e, circuit.Num(2)), circuit.Num(v))
				case 3:
					e = circuit.Neg{X: e}
				}
				args[i] = e
			} else {
				args[i] = circuit.Num(v)
			}
		}
		if err := c.Append(circuit.Op{Kind: circuit.GateOp, Gate: g, Ctrl: int32(ctrl), Qubits: qs, Args: args}); err != nil {
			panic(err)
		}
	}
	return c
}

// Env returns an environment with seeded random values for every parameter of c.
func Env(r *rand.Rand, c *circuit.Circuit) (circuit.Env, map[string]float64) {
	m := map[string]float64{}
	for _, p := range c.Params {
		m[p] = (r.Float64()*2 - 1) * 2 * math.Pi
	}
	return circuit.MapEnv(m), m
}
