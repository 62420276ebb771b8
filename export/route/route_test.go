package route

import (
	"fmt"
	"math/cmplx"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/sim"
)

// randomCircuit draws a circuit of one- and two-qubit gates on n qubits.
func randomCircuit(n, gatesCount int, seed uint64) *circuit.Circuit {
	rng := rand.New(rand.NewPCG(seed, 7))
	c := circuit.New(n)
	for i := 0; i < gatesCount; i++ {
		a := rng.IntN(n)
		b := rng.IntN(n - 1)
		if b >= a {
			b++
		}
		th := rng.Float64()*4 - 2
		switch rng.IntN(8) {
		case 0:
			c.H(a)
		case 1:
			c.RX(th, a)
		case 2:
			c.RY(th, a)
		case 3:
			c.CX(a, b)
		case 4:
			c.CZ(a, b)
		case 5:
			c.CRZ(th, a, b)
		case 6:
			c.RZZ(th, a, b)
		case 7:
			c.U(th, th/2, -th, a)
		}
	}
	return c
}

// brickwork is the Pauli ansatz's layout of entanglers: ry on every qubit, then cz on
// (0,1), (2,3), … and (1,2), (3,4), … per layer.
func brickwork(n, layers int) *circuit.Circuit {
	c := circuit.New(n)
	k := 0
	for q := 0; q < n; q++ {
		c.RY(0.1*float64(k+1), q)
		k++
	}
	for l := 0; l < layers; l++ {
		for start := 0; start < 2; start++ {
			for q := start; q+1 < n; q += 2 {
				c.CZ(q, q+1)
			}
			for q := 0; q < n; q++ {
				c.RY(0.1*float64(k+1), q)
				k++
			}
		}
	}
	return c
}

// compactState simulates a routed circuit on the physical qubits it touches; it returns
// the state and the compact index of each physical qubit.
func compactState(t *testing.T, res *Result) (*sim.State, map[int]int) {
	t.Helper()
	idx := map[int]int{}
	add := func(p int) {
		if _, ok := idx[p]; !ok {
			idx[p] = len(idx)
		}
	}
	for _, p := range res.Initial {
		add(p)
	}
	for i := range res.Circuit.Ops {
		for _, p := range res.Circuit.Ops[i].Qubits {
			add(p)
		}
	}
	require.LessOrEqual(t, len(idx), 22, "routed circuit touches too many qubits to simulate")
	cc := circuit.New(len(idx))
	for i := range res.Circuit.Ops {
		op := res.Circuit.Ops[i]
		q := make([]int, len(op.Qubits))
		for j, p := range op.Qubits {
			q[j] = idx[p]
		}
		op.Qubits = q
		require.NoError(t, cc.Append(op))
	}
	st, err := sim.Statevector(cc, nil)
	require.NoError(t, err)
	return st, idx
}

// checkRouted asserts that every two-qubit gate is on a coupled pair and that the routed
// state is the original's with logical qubit l on physical qubit Final[l].
func checkRouted(t *testing.T, c *circuit.Circuit, m *Map, res *Result) {
	t.Helper()
	for i := range res.Circuit.Ops {
		op := &res.Circuit.Ops[i]
		if len(op.Qubits) == 2 {
			require.True(t, m.Coupled(op.Qubits[0], op.Qubits[1]), "operation %d %s on uncoupled %v", i, op.Name(), op.Qubits)
		}
	}
	orig, err := sim.Statevector(c, nil)
	require.NoError(t, err)
	got, idx := compactState(t, res)
	want := make([]complex128, 1<<got.NumQubits())
	for i, a := range orig.Amplitudes() {
		j := 0
		for l := 0; l < c.NumQubits; l++ {
			if i>>l&1 == 1 {
				j |= 1 << idx[res.Final[l]]
			}
		}
		want[j] = a
	}
	var worst float64
	for j, a := range got.Amplitudes() {
		worst = max(worst, cmplx.Abs(a-want[j]))
	}
	assert.LessOrEqual(t, worst, 1e-10, "routed state differs from the original up to the recorded permutation")
}

func TestRouteRandomOnBuiltinMaps(t *testing.T) {
	for _, name := range BuiltinNames() {
		m, err := Builtin(name)
		require.NoError(t, err)
		for _, n := range []int{2, 5, 9, 12} {
			if n > len(m.usable) {
				continue
			}
			for seed := uint64(0); seed < 3; seed++ {
				for _, restoreOrder := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/n%d/s%d/restore=%v", name, n, seed, restoreOrder), func(t *testing.T) {
						c := randomCircuit(n, 8*n, seed)
						o := Options{Seed: seed, RestoreOrder: restoreOrder, Trials: 4}
						res, err := Route(c, m, o)
						require.NoError(t, err)
						checkRouted(t, c, m, res)
						if restoreOrder {
							assert.Equal(t, res.Initial, res.Final)
						}
						again, err := Route(c, m, o)
						require.NoError(t, err)
						assert.Equal(t, res.Circuit.Ops, again.Circuit.Ops, "same seed, same output")
						assert.Equal(t, res.Final, again.Final)
					})
				}
			}
		}
	}
}

func TestRouteSABREWithoutEmbedding(t *testing.T) {
	// Force SABRE on circuits that would embed, and on dense ones.
	for _, name := range []string{"ibm_heron", "ibm_eagle", "rigetti_ankaa3"} {
		m, err := Builtin(name)
		require.NoError(t, err)
		for seed := uint64(0); seed < 3; seed++ {
			c := randomCircuit(10, 60, 100+seed)
			res, err := Route(c, m, Options{Seed: seed, NoEmbedding: true, Trials: 4})
			require.NoError(t, err)
			assert.Equal(t, "sabre", res.Layout)
			checkRouted(t, c, m, res)
			assert.Positive(t, res.Swaps, "a random 10-qubit circuit needs SWAPs on %s", name)
		}
	}
}

func TestBrickworkRoutesWithoutSwaps(t *testing.T) {
	for _, name := range []string{"ibm_heron", "ibm_eagle", "rigetti_ankaa3"} {
		m, err := Builtin(name)
		require.NoError(t, err)
		for _, n := range []int{2, 4, 8, 12, 20, 40, 80, 100} {
			if n > m.Qubits-20 {
				continue // a path through (nearly) every qubit need not exist
			}
			c := brickwork(n, 3)
			res, err := Route(c, m, Options{Seed: 1})
			require.NoError(t, err, "%s n=%d", name, n)
			assert.Zero(t, res.Swaps, "%s n=%d", name, n)
			assert.Equal(t, "embedding", res.Layout)
			assert.Equal(t, res.Initial, res.Final)
			if n <= 12 {
				checkRouted(t, c, m, res)
			}
		}
	}
}

func TestRouteMeasurementsRelabelled(t *testing.T) {
	m, err := Builtin("ibm_heron")
	require.NoError(t, err)
	c := randomCircuit(6, 40, 3)
	c.MeasureAll()
	for _, restoreOrder := range []bool{false, true} {
		res, err := Route(c, m, Options{Seed: 2, NoEmbedding: true, RestoreOrder: restoreOrder, Trials: 2})
		require.NoError(t, err)
		// Replay the SWAPs: clbit b was logical qubit b's, measured where b is at that point.
		n := 0
		pos := append([]int(nil), res.Initial...)
		for i := range res.Circuit.Ops {
			op := &res.Circuit.Ops[i]
			switch {
			case op.Kind == circuit.Measure:
				assert.Equal(t, pos[op.Clbits()[0]], op.Qubits[0])
				n++
			case op.Name() == "swap":
				for l, p := range pos {
					if p == op.Qubits[0] {
						pos[l] = op.Qubits[1]
					} else if p == op.Qubits[1] {
						pos[l] = op.Qubits[0]
					}
				}
			}
		}
		assert.Equal(t, res.Final, pos)
		assert.Equal(t, 6, n)
	}
}

func TestFullMapIsTrivial(t *testing.T) {
	m, err := Builtin("ionq_aria")
	require.NoError(t, err)
	c := randomCircuit(5, 30, 1)
	res, err := Route(c, m, Options{})
	require.NoError(t, err)
	assert.Equal(t, "trivial", res.Layout)
	assert.Zero(t, res.Swaps)
	assert.Equal(t, []int{0, 1, 2, 3, 4}, res.Final)
}

func TestRouteErrors(t *testing.T) {
	m, err := Parse([]byte(`[[0,1],[1,2]]`), "line.json")
	require.NoError(t, err)
	_, err = Route(circuit.New(4).H(0), m, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the circuit has 4 qubits but coupling map line.json has 3 usable qubits")
	_, err = Route(circuit.New(3).CCX(0, 1, 2), m, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "acts on 3 qubits")
}

func TestParseMaps(t *testing.T) {
	cases := []struct {
		name, json, want string
		qubits, edges    int
	}{
		{"qiskit list", `[[0,1],[1,0],[1,2]]`, "", 3, 2},
		{"object", `{"qubits": 5, "edges": [[0,1],[1,2],[2,3],[3,4]], "directed": false}`, "", 5, 4},
		{"backend configuration", `{"n_qubits": 3, "coupling_map": [[0,1],[1,2]]}`, "", 3, 2},
		{"dead qubit", `[[0,1],[1,3]]`, "", 4, 2},
		{"disconnected", `[[0,1],[2,3]]`, "the map is disconnected", 0, 0},
		{"bad json", "[[0,1],\n[1,", "m.json: line 2, column 4", 0, 0},
		{"empty", ``, "the file is empty", 0, 0},
		{"no edges", `[]`, "no edges", 0, 0},
		{"self loop", `[[0,0]]`, "couples qubit 0 to itself", 0, 0},
		{"negative", `[[0,-1]]`, "qubit -1 is outside", 0, 0},
		{"huge index", `[[0,5000]]`, "qubit 5000 is outside 0..2047", 0, 0},
		{"too few qubits", `{"qubits": 2, "edges": [[0,5]]}`, `"qubits" is 2 but an edge names qubit 5`, 0, 0},
		{"unknown field", `{"edgez": [[0,1]]}`, `unknown field "edgez"`, 0, 0},
		{"triples", `[[0,1,2]]`, "m.json", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse([]byte(tc.json), "m.json")
			if tc.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
				assert.Contains(t, err.Error(), "m.json")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.qubits, m.Qubits)
			assert.Equal(t, tc.edges, m.NumEdges())
		})
	}
}

func TestReadFileNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "dev.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"edges": [[0,1]`), 0o644))
	_, err := ReadFile(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), p)
	_, err = ReadFile(filepath.Join(dir, "missing.json"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing.json")
}

func TestBuiltinMaps(t *testing.T) {
	cases := []struct {
		name          string
		qubits, edges int
		directed      bool
		maxDegree     int
	}{
		{"ibm_heron", 156, 176, true, 3},
		{"ibm_eagle", 127, 144, true, 3},
		{"rigetti_ankaa3", 84, 149, false, 4},
	}
	for _, tc := range cases {
		m, err := Builtin(tc.name)
		require.NoError(t, err)
		assert.Equal(t, tc.qubits, m.Qubits, tc.name)
		assert.Equal(t, tc.edges, m.NumEdges(), tc.name)
		assert.Equal(t, tc.directed, m.Directed, tc.name)
		deg := 0
		for q := 0; q < m.Qubits; q++ {
			deg = max(deg, len(m.Neighbors(q)))
		}
		assert.Equal(t, tc.maxDegree, deg, tc.name)
		assert.NotEmpty(t, m.Source)
	}
	_, err := Builtin("nope")
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "ibm_heron"))
}

func TestRouteEdgeCases(t *testing.T) {
	m, err := Builtin("rigetti_ankaa3")
	require.NoError(t, err)
	for _, c := range []*circuit.Circuit{circuit.New(0), circuit.New(1).H(0), circuit.New(3).H(0).H(2)} {
		res, err := Route(c, m, Options{RestoreOrder: true})
		require.NoError(t, err)
		assert.Zero(t, res.Swaps)
		assert.Len(t, res.Final, c.NumQubits)
	}
}
