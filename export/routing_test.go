package export

import (
	"encoding/json"
	"fmt"
	"math/cmplx"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/export/route"
	"github.com/qpeft/qpeft/internal/oracle"
	"github.com/qpeft/qpeft/qasm"
)

// routedState is the state of a routed program, computed by the dense oracle on the
// physical qubits the program touches, with the logical qubits read back through
// Routing.Final: entry i is the amplitude of logical basis state i (ancillas in |0⟩ are
// checked to carry no weight elsewhere).
func routedState(t *testing.T, p *Program, n int) []complex128 {
	t.Helper()
	idx := map[int]int{}
	add := func(q int) {
		if _, ok := idx[q]; !ok {
			idx[q] = len(idx)
		}
	}
	for _, q := range p.Routing.Initial {
		add(q)
	}
	for i := range p.Circuit.Ops {
		for _, q := range p.Circuit.Ops[i].Qubits {
			add(q)
		}
	}
	require.LessOrEqual(t, len(idx), 18)
	cc := circuit.New(len(idx))
	for _, op := range p.Circuit.Ops {
		q := make([]int, len(op.Qubits))
		for j, x := range op.Qubits {
			q[j] = idx[x]
		}
		op.Qubits = q
		require.NoError(t, cc.Append(op))
	}
	st, err := oracle.State(cc, nil)
	require.NoError(t, err)
	out := make([]complex128, 1<<n)
	var elsewhere float64
	for j, a := range st {
		i, rest := 0, j
		for l := 0; l < n; l++ {
			b := idx[p.Routing.Final[l]]
			if j>>b&1 == 1 {
				i |= 1 << l
				rest &^= 1 << b
			}
		}
		if rest != 0 {
			elsewhere += cmplx.Abs(a)
			continue
		}
		out[i] = a
	}
	require.Less(t, elsewhere, 1e-9, "weight outside the logical qubits")
	return out
}

// TestRoutedExportsEqualTheCircuit: random circuits exported for each built-in device (and
// a user map) are routed (every two-qubit gate on an edge, in the edge's direction for
// Eagle's ecr), in the device basis, and equal the original up to the recorded permutation
// and the program's global phase — checked against the dense oracle.
func TestRoutedExportsEqualTheCircuit(t *testing.T) {
	line, err := route.Parse([]byte(`[[0,1],[1,2],[2,3],[3,4],[4,5],[5,6],[6,7]]`), "line.json")
	require.NoError(t, err)
	cases := []struct {
		device, target, basis string
		m                     *route.Map
		basisGates            string
	}{
		{"ibm_heron", QASM3, "", nil, "rz,sx,x,cz"},
		{"ibm_eagle", QASM3, "", nil, "rz,sx,x,ecr"},
		{"rigetti_ankaa3", Quil, "", nil, "rx,rz,cz"},
		{"rigetti_ankaa3", Braket, "", nil, "rx,rz,cz"},
		{"", QASM3, "u,cx", line, "u,cx"},
	}
	for _, tc := range cases {
		for seed := uint64(0); seed < 4; seed++ {
			for _, restoreOrder := range []bool{false, true} {
				name := fmt.Sprintf("%s%s/%s/s%d/restore=%v", tc.device, map[bool]string{true: "line"}[tc.m != nil], tc.target, seed, restoreOrder)
				t.Run(name, func(t *testing.T) {
					r := rand.New(rand.NewPCG(seed, 11))
					n := 3 + int(seed)%4
					c := oracle.RandomCircuit(r, n, 14, oracle.Options{MaxCtrl: 1})
					want, err := oracle.State(c, nil)
					require.NoError(t, err)
					p, err := Export(c, tc.target, Options{Device: tc.device, Basis: tc.basis, CouplingMap: tc.m, Seed: seed, RestoreOrder: restoreOrder})
					require.NoError(t, err)
					require.NotNil(t, p.Routing)
					m := tc.m
					if m == nil {
						m, err = route.Builtin(tc.device)
						require.NoError(t, err)
					}
					allowed := map[string]bool{}
					for _, g := range strings.Split(tc.basisGates, ",") {
						allowed[g] = true
					}
					for i := range p.Circuit.Ops {
						op := &p.Circuit.Ops[i]
						if op.Kind != circuit.GateOp {
							continue
						}
						assert.True(t, allowed[op.Gate.Name] && op.Ctrl == 0, "gate %s outside the basis", op.Name())
						if len(op.Qubits) == 2 {
							assert.True(t, m.Allows(op.Qubits[0], op.Qubits[1]), "%s on %v: not an edge of %s", op.Name(), op.Qubits, m.Name)
						}
					}
					if restoreOrder {
						assert.Equal(t, p.Routing.Initial, p.Routing.Final)
					}
					gamma, err := circuit.Eval(p.GlobalPhase, nil)
					require.NoError(t, err)
					got := oracle.Scale(routedState(t, p, n), gamma)
					assert.LessOrEqual(t, oracle.MaxDiff(want, got), 1e-9)
					again, err := Export(c, tc.target, Options{Device: tc.device, Basis: tc.basis, CouplingMap: tc.m, Seed: seed, RestoreOrder: restoreOrder})
					require.NoError(t, err)
					assert.Equal(t, string(p.Text), string(again.Text), "same seed, same program")
				})
			}
		}
	}
}

var routingLine = regexp.MustCompile(`(?m)^(?://|#) qpeft-routing (\{.*\})$`)

// TestRoutingRecorded: every target records the layouts — a comment in the text, and
// metadata in Braket's and IonQ's JSON.
func TestRoutingRecorded(t *testing.T) {
	line, err := route.Parse([]byte(`[[0,1],[1,2],[2,3]]`), "line.json")
	require.NoError(t, err)
	c, err := qasm.Parse("t.qasm", []byte("OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[4] q;\nbit[4] c;\nh q[0];\ncx q[0], q[3];\ncx q[0], q[1];\ncx q[0], q[2];\nc = measure q;\n"))
	require.NoError(t, err)
	for _, target := range Targets() {
		t.Run(target, func(t *testing.T) {
			p, err := Export(c, target, Options{CouplingMap: line, Basis: "auto", Seed: 3})
			require.NoError(t, err)
			require.NotNil(t, p.Routing)
			assert.Positive(t, p.Routing.Swaps)
			text := string(p.Text)
			switch target {
			case Braket:
				var doc BraketProgram
				require.NoError(t, json.Unmarshal(p.Text, &doc))
				require.NotNil(t, doc.Metadata)
				assert.Equal(t, p.Routing.Final, doc.Metadata.Final)
				text = doc.Source
			case IonQ:
				var doc IonQCircuit
				require.NoError(t, json.Unmarshal(p.Text, &doc))
				js, _ := json.Marshal(p.Routing.Final)
				assert.Equal(t, string(js), doc.Metadata["qpeft_final_layout"])
				return
			}
			mm := routingLine.FindStringSubmatch(text)
			require.NotNil(t, mm, "no qpeft-routing comment in\n%s", text)
			var rt Routing
			require.NoError(t, json.Unmarshal([]byte(mm[1]), &rt))
			assert.Equal(t, *p.Routing, rt)
			if target == QASM2 || target == QASM3 {
				_, err := qasm.Parse("out.qasm", p.Text)
				assert.NoError(t, err, "the annotated program still parses")
			}
		})
	}
}

func TestRoutingErrors(t *testing.T) {
	c := circuit.New(3).CCX(0, 1, 2)
	line, err := route.Parse([]byte(`[[0,1],[1,2]]`), "line.json")
	require.NoError(t, err)
	cases := []struct {
		o      Options
		target string
		want   string
	}{
		{Options{Verbatim: true}, QASM3, "--verbatim applies to the braket target only"},
		{Options{Verbatim: true}, Quil, "--verbatim applies to the braket target only"},
		{Options{RestoreOrder: true}, QASM3, "--restore-order applies to routing"},
		{Options{CouplingMap: line}, QASM3, "acts on 3 qubits: routing takes gates on one or two qubits; translate to a basis first"},
		{Options{CouplingMap: line, Basis: "rz,sx,x,ms"}, QASM3, ""},
	}
	for _, tc := range cases {
		_, err := Export(c, tc.target, tc.o)
		if tc.want == "" {
			assert.NoError(t, err)
			continue
		}
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestStats(t *testing.T) {
	line, err := route.Parse([]byte(`[[0,1],[1,2]]`), "line.json")
	require.NoError(t, err)
	c := circuit.New(3).H(0).CX(0, 1).CX(1, 2).CX(0, 2) // a triangle: one SWAP on a line
	p, err := Export(c, QASM3, Options{CouplingMap: line, Basis: "u,cx", Seed: 1})
	require.NoError(t, err)
	s := p.Stats()
	assert.Equal(t, 3, s.Qubits)
	assert.Equal(t, 1, s.Swaps)
	assert.Equal(t, p.Circuit.CountOps()["cx"], s.TwoQubitGates)
	assert.GreaterOrEqual(t, s.TwoQubitGates, 4)
	assert.Contains(t, s.String(), "1 SWAPs added")
	plain, err := Export(c, QASM3, Options{})
	require.NoError(t, err)
	assert.Equal(t, Stats{Qubits: 3, Gates: 4, TwoQubitGates: 3, Depth: 4}, plain.Stats())
}
