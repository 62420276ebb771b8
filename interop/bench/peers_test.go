package bench

import (
	"math"
	"math/cmplx"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/library"
	"github.com/qpeft/qpeft/sim"
)

// sameUpToPhase returns the largest |a_i − e^{iφ} b_i| with φ fixed by the largest amplitude.
func sameUpToPhase(a, b []complex128) float64 {
	k := 0
	for i := range a {
		if cmplx.Abs(a[i]) > cmplx.Abs(a[k]) {
			k = i
		}
	}
	ph := a[k] / b[k]
	ph /= complex(cmplx.Abs(ph), 0)
	worst := 0.0
	for i := range a {
		worst = max(worst, cmplx.Abs(a[i]-ph*b[i]))
	}
	return worst
}

// TestFromCircuit: circuits in the peers' gates are written as they are; others (u, crx, ccx,
// ctrl @, sx) are translated; either way the file's circuit has the original's state up to a
// global phase (the oracle: sim on the original circuit, a different gate sequence).
func TestFromCircuit(t *testing.T) {
	qaoa, err := library.QAOARing(5, 2, 1)
	require.NoError(t, err)
	other := circuit.New(4)
	other.H(0, 1, 2, 3).U(0.3, 0.2, -0.7, 1).CRX(0.9, 0, 2).CCX(0, 1, 3).SX(2).Barrier().ISwap(1, 3)
	other.Ctrl("ry", []int{3}, []int{0}, 0.4)
	cases := []struct {
		name       string
		c          *circuit.Circuit
		translated bool
	}{
		{"qaoa", qaoa, false},
		{"mixed", other, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, tr, err := FromCircuit(tc.c, nil, tc.name)
			require.NoError(t, err)
			assert.Equal(t, tc.translated, tr)
			for _, g := range f.Gates {
				assert.Contains(t, Gates, g.Name)
			}
			d, err := f.Circuit()
			require.NoError(t, err)
			want, err := sim.Statevector(tc.c, nil)
			require.NoError(t, err)
			got, err := sim.Statevector(d, nil)
			require.NoError(t, err)
			diff := sameUpToPhase(want.Amplitudes(), got.Amplitudes())
			t.Logf("%s: %d gates → %d, worst difference %.2g", tc.name, len(tc.c.Ops), len(f.Gates), diff)
			assert.Less(t, diff, 1e-12)
			dir := t.TempDir()
			require.NoError(t, f.Write(dir))
			_, err = os.Stat(filepath.Join(dir, tc.name+"-"+map[int]string{4: "04", 5: "05"}[tc.c.NumQubits]+".json"))
			assert.NoError(t, err)
		})
	}
	m := circuit.New(1)
	m.AddClbits("c", 1)
	m.H(0).Measure(0, 0)
	_, _, err = FromCircuit(m, nil, "measured")
	assert.ErrorContains(t, err, "not a gate")
	bad := &File{Kind: "bad", Qubits: 2, Gates: []Gate{{Name: "iswap", Qubits: []int{0, 1}}}}
	_, err = bad.Circuit()
	assert.ErrorContains(t, err, "iswap")
}

// TestRunPeers runs bench.py (embedded) on a small file with every peer; a peer the Python
// lacks must come back as Missing, one that is there with a time. It needs a Python with
// numpy ($QPEFT_PYTHON, default python3); under CI=true its absence fails the test.
func TestRunPeers(t *testing.T) {
	py := os.Getenv("QPEFT_PYTHON")
	if py == "" {
		py = "python3"
	}
	if out, err := exec.Command(py, "-c", "import numpy").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import numpy: %v %s", py, err, out)
		}
		t.Skipf("%s cannot import numpy (set QPEFT_PYTHON): %s", py, out)
	}
	c, err := library.CliffordT(6, 3, 1)
	require.NoError(t, err)
	f, _, err := FromCircuit(c, nil, "ct")
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "circuits")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, f.Write(dir))
	recs, err := RunPeers(dir, PeerOptions{Python: py, Threads: 1, Repeat: 1})
	require.NoError(t, err)
	require.Len(t, recs, 3)
	for _, r := range recs {
		if r.Missing != "" {
			t.Logf("%s: missing (%s)", r.Sim, r.Missing)
			continue
		}
		assert.Equal(t, "ct", r.Circuit)
		assert.Equal(t, len(f.Gates), r.Gates)
		assert.Greater(t, r.Seconds, 0.0)
		assert.False(t, math.IsInf(r.Seconds, 0))
	}
	_, err = RunPeers(dir, PeerOptions{Python: py, Sims: []string{"quest"}})
	assert.ErrorContains(t, err, "quest")
	_, err = RunPeers(dir, PeerOptions{Python: filepath.Join(dir, "no-python")})
	assert.Error(t, err)
}
