package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrainEvalDemo runs the three commands end to end on tiny budgets.
func TestTrainEvalDemo(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "run")
	code, stdout, stderr := runCLI(t, "", "train", "--model", "mlp512", "--data", "fashion-subset", "--method", "qpeft",
		"--layers", "1", "--rank", "8", "--epochs", "1", "--batch", "32", "--train-limit", "128", "--test-limit", "100", "--out", out)
	require.Equal(t, 0, code, "train: exit status\n%s\n%s", stdout, stderr)
	for _, want := range []string{"Quantum-PEFT L=1 K=8", "zero-shot", "after training", "LoRA r=1 on the same modules: 1024", "wrote " + out} {
		assert.Contains(t, stdout, want, "train output")
	}
	// Plain progress lines (not a terminal).
	assert.Contains(t, stderr, "epoch 1/1", "progress on stderr")
	assert.NotContains(t, stderr, "\r", "progress on stderr")
	for _, f := range []string{"metrics.json", "timing.json", "curves.png", "adapter/adapter_config.json", "lora/adapter_model.safetensors", "head.safetensors"} {
		_, err := os.Stat(filepath.Join(out, f))
		assert.NoError(t, err, "missing %s", f)
	}
	code, stdout, stderr = runCLI(t, "", "eval", out)
	assert.Equal(t, 0, code, "eval: exit status\n%s\n%s", stdout, stderr)
	assert.Contains(t, stdout, "(identical)", "eval")
	code, stdout, stderr = runCLI(t, "", "eval", filepath.Join(out, "adapter"), "--data", "fashion-subset", "--test-limit", "50")
	assert.Equal(t, 0, code, "eval of adapter/: exit status\n%s\n%s", stdout, stderr)
	assert.Contains(t, stdout, "(50 samples)", "eval of adapter/")

	demo := filepath.Join(dir, "demo")
	code, stdout, stderr = runCLI(t, "", "demo", "--out", demo, "--epochs", "1", "--train-limit", "128", "--test-limit", "100")
	require.Equal(t, 0, code, "demo: exit status\n%s\n%s", stdout, stderr)
	for _, want := range []string{"OPENQASM 3", "ry(theta[0]) q[0];", "cz q[0], q[1];", "RY(theta[0])", "before (zero-shot", "after ",
		"LoRA at the same rank r = 4: 996", "simulator check", "Convolution110  U: 4 qubits", "demo finished"} {
		assert.Contains(t, stdout, want, "demo output")
	}
	for _, f := range []string{"metrics.json", "curves.png", "adapter/adapter_model.safetensors", "lora/adapter_config.json", "ansatz.qasm",
		"circuits/Convolution110_U.qasm", "circuits/Convolution28_U.qasm"} {
		_, err := os.Stat(filepath.Join(demo, f))
		assert.NoError(t, err, "demo: missing %s", f)
	}
	q, _ := os.ReadFile(filepath.Join(demo, "circuits", "Convolution110_U.qasm"))
	assert.Contains(t, string(q), "OPENQASM 3", "trained circuit should be OpenQASM 3")
	assert.NotContains(t, string(q), "theta", "trained circuit should have bound angles")
}

func TestTrainUsageErrors(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes")
	require.NoError(t, os.MkdirAll(notes, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(notes, "keep.txt"), []byte("x"), 0o644))
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"train", "--method", "magic"}, 2, "unknown method"},
		{[]string{"train", "--method", "head", "--rank", "4"}, 2, "apply to qpeft"},
		{[]string{"train", "--epochs", "0"}, 2, "--epochs 0"},
		{[]string{"train", "--model", "nope"}, 1, `unknown model "nope"`},
		{[]string{"train", "--model", filepath.Join(dir, "absent.onnx")}, 1, "absent.onnx"},
		{[]string{"train", "--data", "fashion-mnist:" + filepath.Join(dir, "absent")}, 1, "absent"},
		{[]string{"train", "--model", "mlp512", "--targets", "fc7", "--data", "fashion-subset"}, 1, "valid targets"},
		{[]string{"train", "--data", "fashion-subset", "--out", notes}, 1, "holds files qpeft did not write (keep.txt)"},
		{[]string{"train", "--sweep"}, 2, "--out"},
		{[]string{"train", "extra"}, 2, "unexpected argument"},
		{[]string{"eval"}, 2, "one run directory"},
		{[]string{"eval", filepath.Join(dir, "absent")}, 1, "no such file"},
		{[]string{"demo", "--rank", "9"}, 2, "--rank 9 must be in 1..8"},
		{[]string{"demo", "--out", notes}, 1, "holds files qpeft did not write (keep.txt)"},
	}
	for _, c := range cases {
		code, stdout, stderr := runCLI(t, "", c.args...)
		assert.Equal(t, c.code, code, "qpeft %v: exit status; stderr %q, stdout %q", c.args, stderr, stdout)
		assert.Contains(t, stderr, c.want, "qpeft %v: stderr; stdout %q", c.args, stdout)
	}
}
