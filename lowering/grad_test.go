package lowering

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/sim"
)

// loss is ℓ(θ) = Re⟨Ū, U(θ)·X0⟩ = Re Σ conj(Ū)·(U·X0), evaluated with the brute-force oracle
// (X0 = the first K identity columns unless x0 is given).
func loss(t testing.TB, c *circuit.Circuit, theta []float64, ubar []complex128, K int, x0 []complex128) float64 {
	t.Helper()
	var xs []complex128
	if x0 != nil {
		xs = append([]complex128(nil), x0...)
	}
	u := bruteColumns(t, c, c.Env(theta), K, xs)
	s := 0.0
	for i, v := range u {
		s += real(cmplx.Conj(ubar[i]) * v)
	}
	return s
}

// centralDiff is the central finite difference of loss in every parameter.
func centralDiff(t testing.TB, c *circuit.Circuit, theta []float64, ubar []complex128, K int, x0 []complex128) []float64 {
	const h = 1e-5
	out := make([]float64, len(theta))
	th := append([]float64(nil), theta...)
	for i := range theta {
		th[i] = theta[i] + h
		fp := loss(t, c, th, ubar, K, x0)
		th[i] = theta[i] - h
		fm := loss(t, c, th, ubar, K, x0)
		th[i] = theta[i]
		out[i] = (fp - fm) / (2 * h)
	}
	return out
}

// relErr is |a−b| / max(|b|, 1).
func relErr(a, b float64) float64 { return math.Abs(a-b) / math.Max(math.Abs(b), 1) }

func TestStiefelVJPFiniteDifferences(t *testing.T) {
	worst := 0.0
	for n := 1; n <= 6; n++ {
		for seed := uint64(0); seed < 3; seed++ {
			r := rand.New(rand.NewPCG(seed+40, uint64(n)))
			c := randCircuit(r, n, 8*n, realGates, symNames(4), n >= 3)
			p, err := CompileReal(c)
			require.NoError(t, err)
			th := randTheta(r, len(p.Params()))
			N := 1 << n
			K := 1 + r.IntN(N)
			u, err := p.Stiefel(th, K)
			require.NoError(t, err)
			ubar, _ := sim.NewRealBatch(n, K)
			for i := range ubar.Data {
				ubar.Data[i] = r.NormFloat64()
			}
			g, err := p.StiefelVJP(th, u, ubar)
			require.NoError(t, err)
			fd := centralDiff(t, c, th, realToComplex(ubar.Data), K, nil)
			for i := range g {
				e := relErr(g[i], fd[i])
				worst = math.Max(worst, e)
				assert.LessOrEqual(t, e, 1e-6, "n=%d seed=%d K=%d: ∂ℓ/∂%s = %.12g, finite difference %.12g", n, seed, K, c.Params[i], g[i], fd[i])
			}
		}
	}
	t.Logf("worst relative error against central differences: %.2g", worst)
}

func TestColumnsVJPFiniteDifferences(t *testing.T) {
	worst := 0.0
	for n := 1; n <= 5; n++ {
		for seed := uint64(0); seed < 3; seed++ {
			r := rand.New(rand.NewPCG(seed+50, uint64(n)))
			c := randCircuit(r, n, 8*n, complexGates, symNames(4), true)
			p, err := Compile(c)
			require.NoError(t, err)
			th := randTheta(r, len(p.Params()))
			N := 1 << n
			K := 1 + r.IntN(N)
			u, err := p.Columns(th, K)
			require.NoError(t, err)
			ubar, _ := sim.NewBatch(n, K)
			for i := range ubar.Data {
				ubar.Data[i] = complex(r.NormFloat64(), r.NormFloat64())
			}
			g, err := p.ColumnsVJP(th, u, ubar)
			require.NoError(t, err)
			fd := centralDiff(t, c, th, ubar.Data, K, nil)
			for i := range g {
				e := relErr(g[i], fd[i])
				worst = math.Max(worst, e)
				assert.LessOrEqual(t, e, 1e-6, "n=%d seed=%d K=%d: ∂ℓ/∂%s = %.12g, finite difference %.12g\n%s", n, seed, K, c.Params[i], g[i], fd[i], p)
			}
		}
	}
	t.Logf("worst relative error against central differences: %.2g", worst)
}

// TestVJPInput checks the batch VJP: the parameter gradient against finite differences of
// ℓ = Re⟨Ȳ, U·X⟩, the input cotangent against U†·Ȳ (brute force), and that the backward
// pass recovers X from Y.
func TestVJPInput(t *testing.T) {
	for n := 1; n <= 5; n++ {
		r := rand.New(rand.NewPCG(60, uint64(n)))
		N, B := 1<<n, 3
		for _, real := range []bool{true, false} {
			var c *circuit.Circuit
			if real {
				c = randCircuit(r, n, 8*n, realGates, symNames(3), n >= 3)
			} else {
				c = randCircuit(r, n, 8*n, complexGates, symNames(3), true)
			}
			th := randTheta(r, len(c.Params))
			x0 := make([]complex128, N*B)
			ybar := make([]complex128, N*B)
			for i := range x0 {
				if real {
					x0[i] = complex(r.NormFloat64(), 0)
					ybar[i] = complex(r.NormFloat64(), 0)
				} else {
					x0[i] = complex(r.NormFloat64(), r.NormFloat64())
					ybar[i] = complex(r.NormFloat64(), r.NormFloat64())
				}
			}
			var g []float64
			var xbar, xback []complex128
			if real {
				p, err := CompileReal(c)
				require.NoError(t, err)
				x, _ := sim.NewRealBatch(n, B)
				yb, _ := sim.NewRealBatch(n, B)
				for i := range x.Data {
					x.Data[i], yb.Data[i] = realPart(x0[i]), realPart(ybar[i])
				}
				ws := p.NewWorkspace()
				require.NoError(t, ws.Bind(th))
				require.NoError(t, ws.Apply(x))
				g = make([]float64, len(th))
				require.NoError(t, ws.VJP(x, yb, g))
				xbar, xback = realToComplex(yb.Data), realToComplex(x.Data)
			} else {
				p, err := Compile(c)
				require.NoError(t, err)
				x := &sim.Batch{Qubits: n, B: B, Data: append([]complex128(nil), x0...)}
				y, err := p.Apply(th, x)
				require.NoError(t, err)
				var xb *sim.Batch
				g, xb, err = p.VJP(th, y, &sim.Batch{Qubits: n, B: B, Data: ybar})
				require.NoError(t, err)
				xbar = xb.Data
				ws := p.NewWorkspace()
				_ = ws.Bind(th)
				_ = ws.VJP(y, &sim.Batch{Qubits: n, B: B, Data: append([]complex128(nil), ybar...)}, make([]float64, len(th)))
				xback = y.Data
			}
			assert.LessOrEqual(t, maxAbsDiff(xback, x0), tol, "n=%d real=%v: backward pass recovers X", n, real)
			dense := bruteColumns(t, c, c.Env(th), N, nil)
			want := make([]complex128, N*B)
			for i := 0; i < N; i++ {
				for b := 0; b < B; b++ {
					var s complex128
					for j := 0; j < N; j++ {
						s += cmplx.Conj(dense[j*N+i]) * ybar[j*B+b]
					}
					want[i*B+b] = s
				}
			}
			assert.LessOrEqual(t, maxAbsDiff(xbar, want), tol, "n=%d real=%v: X̄ vs U†·Ȳ", n, real)
			fd := centralDiff(t, c, th, ybar, B, x0)
			for i := range g {
				assert.LessOrEqual(t, relErr(g[i], fd[i]), 1e-6, "n=%d real=%v: ∂ℓ/∂%s = %.12g, finite difference %.12g", n, real, c.Params[i], g[i], fd[i])
			}
		}
	}
}

func realPart(v complex128) float64 { return real(v) }

// TestParameterShift checks gradients of rotation-type gates exp(−iφP/2), P² = I (and their
// controlled forms), against the parameter-shift rule for a loss linear in the amplitudes:
// ∂ℓ/∂φ = [ℓ(φ+π) − ℓ(φ−π)]/4, exact (not a difference quotient), summed over every
// occurrence of a symbol with the chain factor ∂φ/∂θ.
func TestParameterShift(t *testing.T) {
	worst := 0.0
	for n := 1; n <= 5; n++ {
		for seed := uint64(0); seed < 3; seed++ {
			r := rand.New(rand.NewPCG(seed+70, uint64(n)))
			realCase := seed == 0
			names := rotationSet
			if realCase {
				names = []string{"ry", "cry", "cz", "cx", "h", "swap"}
			}
			c := randCircuit(r, n, 8*n, names, symNames(3), false)
			th := randTheta(r, len(c.Params))
			N := 1 << n
			K := 1 + r.IntN(N)
			ubar := make([]complex128, N*K)
			for i := range ubar {
				ubar[i] = complex(r.NormFloat64(), 0)
				if !realCase {
					ubar[i] += complex(0, r.NormFloat64())
				}
			}
			var g []float64
			if realCase {
				p, err := CompileReal(c)
				require.NoError(t, err)
				u, _ := p.Stiefel(th, K)
				ub := &sim.RealBatch{Qubits: n, B: K, Data: make([]float64, N*K)}
				for i := range ub.Data {
					ub.Data[i] = real(ubar[i])
				}
				g, err = p.StiefelVJP(th, u, ub)
				require.NoError(t, err)
			} else {
				p, err := Compile(c)
				require.NoError(t, err)
				u, _ := p.Columns(th, K)
				g, err = p.ColumnsVJP(th, u, &sim.Batch{Qubits: n, B: K, Data: ubar})
				require.NoError(t, err)
			}
			env := c.Env(th)
			ps := make([]float64, len(th))
			for i := range c.Ops {
				op := &c.Ops[i]
				for k, a := range op.Args {
					for _, s := range circuit.Symbols(a) {
						_, dphi, err := circuit.EvalDeriv(a, env, s)
						require.NoError(t, err)
						shifted := func(delta float64) float64 {
							cc := c.Clone()
							cc.Ops[i].Args[k] = circuit.Add(a, circuit.Num(delta))
							return loss(t, cc, th, ubar, K, nil)
						}
						j := indexOf(c.Params, s)
						ps[j] += dphi * (shifted(math.Pi) - shifted(-math.Pi)) / 4
					}
				}
			}
			for i := range g {
				e := relErr(g[i], ps[i])
				worst = math.Max(worst, e)
				assert.LessOrEqual(t, e, 1e-10, "n=%d seed=%d: ∂ℓ/∂%s = %.15g, parameter shift %.15g", n, seed, c.Params[i], g[i], ps[i])
			}
		}
	}
	t.Logf("worst relative error against the parameter-shift rule: %.2g", worst)
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// TestHandDerived checks the chain rule through an expression and through a shared symbol
// against derivatives worked out by hand.
func TestHandDerived(t *testing.T) {
	// U = RY(2θ + π/4) on one qubit, K = 1: U·e0 = (cos φ/2, sin φ/2), φ = 2θ + π/4.
	// ℓ = a·cos(φ/2) + b·sin(φ/2); ∂ℓ/∂θ = 2·½·(−a·sin(φ/2) + b·cos(φ/2)).
	th := circuit.Param("theta")
	c := circuit.New(1).RY(circuit.Add(circuit.Mul(circuit.Num(2), th), circuit.Div(circuit.Num(math.Pi), circuit.Num(4))), 0)
	// The same symbol in a second gate through −θ/3 on qubit 0 after a CZ-free X: RY(−θ/3)·X·RY(2θ+π/4).
	c2 := circuit.New(1).RY(circuit.Add(circuit.Mul(circuit.Num(2), th), circuit.Div(circuit.Num(math.Pi), circuit.Num(4))), 0).
		X(0).RY(circuit.Neg{X: circuit.Div(th, circuit.Num(3))}, 0)
	a, b := 0.7, -1.3
	for _, theta := range []float64{0, 0.4, -2.1} {
		phi := 2*theta + math.Pi/4
		p, err := CompileReal(c)
		require.NoError(t, err)
		u, _ := p.Stiefel([]float64{theta}, 1)
		g, err := p.StiefelVJP([]float64{theta}, u, &sim.RealBatch{Qubits: 1, B: 1, Data: []float64{a, b}})
		require.NoError(t, err)
		want := -a*math.Sin(phi/2) + b*math.Cos(phi/2)
		assert.InDelta(t, want, g[0], 1e-14, "θ=%v: ∂ℓ/∂θ = %.16g, hand-derived %.16g", theta, g[0], want)
		// c2: v = RY(ψ)·X·(cos φ/2, sin φ/2) = RY(ψ)·(sin φ/2, cos φ/2), ψ = −θ/3.
		// RY(ψ)(s, c) = (cos ψ/2·s − sin ψ/2·c, sin ψ/2·s + cos ψ/2·c).
		psi := -theta / 3
		s, cc := math.Sin(phi/2), math.Cos(phi/2)
		ds, dc := math.Cos(phi/2), -math.Sin(phi/2) // ∂/∂θ of s, c is (·)·(dφ/dθ)/2 = (·)·1
		cp, sp := math.Cos(psi/2), math.Sin(psi/2)
		dcp, dsp := -sp*(-1.0/6), cp*(-1.0/6) // ∂/∂θ of cos ψ/2, sin ψ/2 with dψ/dθ = −1/3
		v0 := dcp*s + cp*ds - (dsp*cc + sp*dc)
		v1 := dsp*s + sp*ds + dcp*cc + cp*dc
		p2, err := CompileReal(c2)
		require.NoError(t, err)
		u2, _ := p2.Stiefel([]float64{theta}, 1)
		g2, err := p2.StiefelVJP([]float64{theta}, u2, &sim.RealBatch{Qubits: 1, B: 1, Data: []float64{a, b}})
		require.NoError(t, err)
		want2 := a*v0 + b*v1
		assert.InDelta(t, want2, g2[0], 1e-14, "θ=%v shared symbol: ∂ℓ/∂θ = %.16g, hand-derived %.16g", theta, g2[0], want2)
	}
}

// TestDenseVJP is the VJP with K = N (the dense form) on the Pauli ansatz, against finite
// differences.
func TestDenseVJP(t *testing.T) {
	c := pauli(4, 2)
	p, err := CompileReal(c)
	require.NoError(t, err)
	r := rand.New(rand.NewPCG(1, 2))
	th := randTheta(r, len(p.Params()))
	q, err := p.Dense(th)
	require.NoError(t, err)
	qbar := &sim.RealBatch{Qubits: 4, B: 16, Data: make([]float64, 256)}
	for i := range qbar.Data {
		qbar.Data[i] = r.NormFloat64()
	}
	g, err := p.StiefelVJP(th, q, qbar)
	require.NoError(t, err)
	fd := centralDiff(t, c, th, realToComplex(qbar.Data), 16, nil)
	for i := range g {
		assert.LessOrEqual(t, relErr(g[i], fd[i]), 1e-6, "∂ℓ/∂%s = %.12g, finite difference %.12g", c.Params[i], g[i], fd[i])
	}
}

// TestWorkspaceNoAlloc: a training step on a workspace (bind new angles, Stiefel, VJP) does
// not allocate once warmed up (small N: sim's serial kernels).
func TestWorkspaceNoAlloc(t *testing.T) {
	p, err := CompileReal(pauli(6, 2))
	require.NoError(t, err)
	ws := p.NewWorkspace()
	r := rand.New(rand.NewPCG(3, 4))
	th := randTheta(r, len(p.Params()))
	u, _ := sim.NewRealBatch(6, 8)
	ubar, _ := sim.NewRealBatch(6, 8)
	for i := range ubar.Data {
		ubar.Data[i] = r.NormFloat64()
	}
	grad := make([]float64, len(th))
	step := func() {
		th[0] += 1e-3
		require.NoError(t, ws.Bind(th))
		require.NoError(t, ws.Stiefel(u))
		require.NoError(t, ws.StiefelVJP(u, ubar, grad))
	}
	step()
	assert.Zero(t, testing.AllocsPerRun(20, step), "training step allocates")
}

// TestControlledBlocks covers gates with many controls (controlled block stages): forward
// against brute force and gradients against finite differences, real and complex.
func TestControlledBlocks(t *testing.T) {
	build := func(real bool) *circuit.Circuit {
		c := circuit.New(5)
		c.H(0, 1, 2, 3, 4)
		c.Ctrl("cry", []int{0, 4}, []int{1, 3}, circuit.Add(circuit.Mul(circuit.Num(2), circuit.Param("a")), circuit.Num(math.Pi/4)))
		c.RY("b", 3)
		c.Ctrl("ry", []int{2, 1, 0}, []int{4}, circuit.Param("b"))
		if !real {
			c.Ctrl("rx", []int{4, 0, 1}, []int{2}, circuit.Sub(circuit.Param("a"), circuit.Param("b")))
			c.Ctrl("u", []int{3, 2, 1}, []int{0}, "a", "b", 0.3)
			c.Ctrl("gphase", []int{0, 1, 2, 3}, nil, "b")
		}
		c.Ctrl("cry", []int{3, 2}, []int{0, 4}, circuit.Param("a"))
		return c
	}
	for _, real := range []bool{true, false} {
		c := build(real)
		th := []float64{0.37, -1.2}
		N, K := 32, 5
		r := rand.New(rand.NewPCG(9, 9))
		ubar := make([]complex128, N*K)
		for i := range ubar {
			ubar[i] = complex(r.NormFloat64(), 0)
			if !real {
				ubar[i] += complex(0, r.NormFloat64())
			}
		}
		var g []float64
		var got []complex128
		var stages []StageInfo
		if real {
			p, err := CompileReal(c)
			require.NoError(t, err)
			stages = p.Stages()
			u, _ := p.Stiefel(th, K)
			got = realToComplex(u.Data)
			ub := &sim.RealBatch{Qubits: 5, B: K, Data: make([]float64, N*K)}
			for i := range ub.Data {
				ub.Data[i] = realPart(ubar[i])
			}
			g, err = p.StiefelVJP(th, u, ub)
			require.NoError(t, err)
		} else {
			p, err := Compile(c)
			require.NoError(t, err)
			stages = p.Stages()
			u, _ := p.Columns(th, K)
			got = u.Data
			g, err = p.ColumnsVJP(th, u, &sim.Batch{Qubits: 5, B: K, Data: ubar})
			require.NoError(t, err)
		}
		controlled := 0
		for _, st := range stages {
			if st.Kind == BlockStage && st.Controls > 0 {
				controlled++
			}
		}
		assert.NotZero(t, controlled, "real=%v: no controlled block stage: %+v", real, stages)
		assert.LessOrEqual(t, maxAbsDiff(got, bruteColumns(t, c, c.Env(th), K, nil)), tol, "real=%v: columns vs brute force", real)
		fd := centralDiff(t, c, th, ubar, K, nil)
		for i := range g {
			assert.LessOrEqual(t, relErr(g[i], fd[i]), 1e-6, "real=%v: ∂ℓ/∂%s = %.12g, finite difference %.12g", real, c.Params[i], g[i], fd[i])
		}
	}
}
