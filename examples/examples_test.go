// Package examples holds qpeft's runnable example programs, one directory each (go run
// ./examples/NAME). This test builds every one of them and runs it in short mode (-short),
// checking its exit status and the numbers it prints, so that no example can rot.
package examples

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qpeft/qpeft/qasm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// check inspects an example's output (and the files it wrote into dir).
type check func(t *testing.T, out, dir string)

// number returns the float captured by the first group of re in out.
func number(t *testing.T, out, re string) float64 {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(out)
	require.NotNil(t, m, "output has no line matching %q", re)
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err, "%q", m[1])
	return v
}

func below(t *testing.T, out, re string, limit float64) {
	t.Helper()
	// LessOrEqual fails on NaN too.
	assert.LessOrEqual(t, number(t, out, re), limit, "%q", re)
}

func contains(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		assert.Contains(t, out, w, "output")
	}
}

func validPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err, path)
	s := img.Bounds().Size()
	assert.True(t, s.X >= 500 && s.Y >= 300 && s.X <= 4000 && s.Y <= 3000, "%s: %v pixels, want at least 500x300 and at most 4000x3000", path, s)
}

var examples = []struct {
	name  string
	args  func(dir string) []string
	check check
}{
	{"bell", func(dir string) []string { return []string{"-plot", filepath.Join(dir, "bell.png")} },
		func(t *testing.T, out, dir string) {
			contains(t, out, "|00⟩  amplitude +0.7071+0.0000i   p = 0.5000", "|11⟩  amplitude +0.7071+0.0000i   p = 0.5000",
				"⟨ZZ⟩ = +1.0000", "01 and 10 never occur: true")
			// 2048 shots: the count of 00 is within 4 standard deviations of 1024.
			z := number(t, out, `00 is (-?[0-9.]+) standard deviations`)
			assert.InDelta(t, 0.0, z, 4, "00 is %g standard deviations from N/2", z)
			validPNG(t, filepath.Join(dir, "bell.png"))
		}},
	{"teleport", nil, func(t *testing.T, out, dir string) {
		assert.Equal(t, 4, strings.Count(out, "teleported exactly: true"), "measurement outcomes of 4 teleported exactly")
		contains(t, out, "if (c[1] == 1) x q[2];", "if (c[0] == 1) z q[2];")
		below(t, out, `\(([0-9.]+) standard errors away\)`, 4)
	}},
	{"grover", func(dir string) []string { return []string{"-plot", filepath.Join(dir, "grover.png")} },
		func(t *testing.T, out, dir string) {
			contains(t, out, "the best number of rounds is 3", "the most frequent outcome is 1011 (item 11)",
				"    3   0.961319   0.961319")
			v := number(t, out, `the marked item 1011 was measured ([0-9]+) times`)
			assert.GreaterOrEqual(t, v, 900.0, "marked item measured %g times of 1000", v)
			validPNG(t, filepath.Join(dir, "grover.png"))
		}},
	{"qft", func(dir string) []string { return []string{"-plot", filepath.Join(dir, "qft.png")} },
		func(t *testing.T, out, dir string) {
			below(t, out, `max \|U − F\| over the 8 × 8 entries = ([0-9.e+-]+)`, 1e-12)
			below(t, out, `max \|QFT⁻¹·QFT − I\| = ([0-9.e+-]+)`, 1e-12)
			contains(t, out, "| 0⟩  p = 0.5000", "| 4⟩  p = 0.5000", "cp(pi/4) q[0], q[2];")
			validPNG(t, filepath.Join(dir, "qft.png"))
		}},
	{"ansatz", nil, func(t *testing.T, out, dir string) {
		contains(t, out, "P(3, 1) = 7", "input array[float[64], 7] theta;", "ry(theta[6]) q[2];")
		below(t, out, `max \|QᵀQ − I\| = ([0-9.e+-]+)`, 1e-12)
		below(t, out, `max \|UᵀU − I\| = ([0-9.e+-]+)`, 1e-12)
		// Hand count for N = 1024, K = 8, L = 1: 2·(3·10 − 2) + 8 = 64; LoRA 8·2048 = 16384.
		assert.Regexp(t, `(?m)^\s+1024\s+64\s+16384\s+256x$`, out, "no table row 1024 → 64 vs 16384")
	}},
	{"lowering", func(dir string) []string { return []string{"-plot", filepath.Join(dir, "dense.png")} },
		func(t *testing.T, out, dir string) {
			below(t, out, `vs dense: max difference ([0-9.e+-]+)`, 1e-12)
			below(t, out, `vs dense product: max difference ([0-9.e+-]+)`, 1e-12)
			contains(t, out, "stage 1: diag on qubits [0 1]: cz q[0], q[1]")
			// n = 8, L = 2: three Kronecker layers … the staged work is 19456 multiply-adds.
			assert.Regexp(t, `(?m)^\s+8\s+256\s+65536\s+19456\s+3x`, out, "no cost row for n = 8")
			validPNG(t, filepath.Join(dir, "dense.png"))
		}},
	{"gradients", nil, func(t *testing.T, out, dir string) {
		contains(t, out, "agreement ≤ 1e-6: true")
		below(t, out, `max \|adjoint − parameter shift\| = ([0-9.e+-]+)`, 1e-12)
		below(t, out, `max \|adjoint − finite differences\| = ([0-9.e+-]+)`, 1e-6)
		below(t, out, `max \|StiefelVJP − π-shift/4\| = ([0-9.e+-]+)`, 1e-12)
	}},
	{"minilm-spam", nil, func(t *testing.T, out, dir string) {
		// The -short smoke test: a tiny BERT-shaped model (hidden 16, 2 layers), query and
		// value adapted. LoRA r=2: 4 modules × 2·(16+16) = 256; Quantum-PEFT L=1 K=2: 4 modules
		// × (2·P(4,1) + 2) = 4 × 22 = 88, with P(4,1) = 3·4 − 2 = 10.
		contains(t, out, "| head only |", "| LoRA r=2 | 256 (+34 head)", "| Quantum-PEFT L=1 K=2 | 88 (+34 head)")
	}},
	{"adapter", func(dir string) []string { return []string{"-out", dir} },
		func(t *testing.T, out, dir string) {
			contains(t, out, "Trainable parameters: Quantum-PEFT 93, LoRA r=4 448")
			first := number(t, out, `Quantum-PEFT\s+loss ([0-9.]+) →`)
			last := number(t, out, `Quantum-PEFT\s+loss [0-9.]+ → ([0-9.]+)`)
			assert.LessOrEqual(t, last, first/100, "Quantum-PEFT loss fell from %g to %g only", first, last)
			below(t, out, `‖UᵀU − I‖ = ([0-9.e+-]+)`, 1e-12)
			below(t, out, `‖VᵀV − I‖ = ([0-9.e+-]+)`, 1e-12)
			below(t, out, `reproduces ΔW to ([0-9.e+-]+)`, 1e-6)
			validPNG(t, filepath.Join(dir, "adapter-loss.png"))
			for _, f := range []string{"adapter/adapter_config.json", "adapter/adapter_model.safetensors", "lora/adapter_config.json"} {
				_, err := os.Stat(filepath.Join(dir, f))
				assert.NoError(t, err)
			}
			c, err := qasm.ParseFile(filepath.Join(dir, "V.qasm"))
			require.NoError(t, err)
			assert.Equal(t, 6, c.NumQubits, "V.qasm: qubits")
			assert.True(t, c.IsBound(), "V.qasm: bound")
			assert.True(t, c.IsReal(), "V.qasm: real")
		}},
}

func TestExamples(t *testing.T) {
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to build the examples")
	bin := t.TempDir()
	build := exec.Command(goTool, "build", "-o", bin+string(filepath.Separator), "./...")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build ./examples/...:\n%s", out)
	// Every example directory runs: those in the table with their checks, any other one
	// (added later) at least with -short and a zero exit status — and a reminder to give it
	// honest checks in the table.
	dirs, err := os.ReadDir(".")
	require.NoError(t, err)
	listed := map[string]bool{}
	for _, ex := range examples {
		listed[ex.name] = true
	}
	all := examples
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d.Name(), "main.go")); d.IsDir() && err == nil && !listed[d.Name()] {
			all = append(all, struct {
				name  string
				args  func(dir string) []string
				check check
			}{d.Name(), nil, func(t *testing.T, out, dir string) {
				t.Logf("examples/%s ran; add it to the table in examples_test.go with checks of what it prints", filepath.Base(t.Name()))
			}})
		}
	}
	for _, ex := range all {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := []string{"-short"}
			if ex.args != nil {
				args = append(args, ex.args(dir)...)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(bin, ex.name), args...)
			cmd.Dir = dir
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Run(), "%s %s\nstdout:\n%s\nstderr:\n%s", ex.name, strings.Join(args, " "), stdout.String(), stderr.String())
			ex.check(t, stdout.String(), dir)
			if t.Failed() {
				t.Logf("output:\n%s", stdout.String())
			}
		})
	}
}
