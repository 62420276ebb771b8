package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainEvalDemo runs the three commands end to end on tiny budgets.
func TestTrainEvalDemo(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "run")
	code, stdout, stderr := runCLI(t, "", "train", "--model", "mlp512", "--data", "fashion-subset", "--method", "qpeft",
		"--layers", "1", "--rank", "8", "--epochs", "1", "--batch", "32", "--train-limit", "128", "--test-limit", "100", "--out", out)
	if code != 0 {
		t.Fatalf("train: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"Quantum-PEFT L=1 K=8", "zero-shot", "after training", "LoRA r=1 on the same modules: 1024", "wrote " + out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("train output lacks %q:\n%s", want, stdout)
		}
	}
	// Plain progress lines (not a terminal).
	if !strings.Contains(stderr, "epoch 1/1") || strings.Contains(stderr, "\r") {
		t.Errorf("progress on stderr:\n%q", stderr)
	}
	for _, f := range []string{"metrics.json", "timing.json", "curves.png", "adapter/adapter_config.json", "lora/adapter_model.safetensors", "head.safetensors"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	code, stdout, stderr = runCLI(t, "", "eval", out)
	if code != 0 || !strings.Contains(stdout, "(identical)") {
		t.Errorf("eval: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "", "eval", filepath.Join(out, "adapter"), "--data", "fashion-subset", "--test-limit", "50")
	if code != 0 || !strings.Contains(stdout, "(50 samples)") {
		t.Errorf("eval of adapter/: exit %d\n%s\n%s", code, stdout, stderr)
	}

	demo := filepath.Join(dir, "demo")
	code, stdout, stderr = runCLI(t, "", "demo", "--out", demo, "--epochs", "1", "--train-limit", "128", "--test-limit", "100")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"OPENQASM 3", "ry(theta[0]) q[0];", "cz q[0], q[1];", "RY(theta[0])", "before (zero-shot", "after ",
		"LoRA at the same rank r = 4: 996", "simulator check", "Convolution110  U: 4 qubits", "demo finished"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"metrics.json", "curves.png", "adapter/adapter_model.safetensors", "lora/adapter_config.json", "ansatz.qasm",
		"circuits/Convolution110_U.qasm", "circuits/Convolution28_U.qasm"} {
		if _, err := os.Stat(filepath.Join(demo, f)); err != nil {
			t.Errorf("demo: missing %s", f)
		}
	}
	q, _ := os.ReadFile(filepath.Join(demo, "circuits", "Convolution110_U.qasm"))
	if !bytes.Contains(q, []byte("OPENQASM 3")) || bytes.Contains(q, []byte("theta")) {
		t.Errorf("trained circuit should be OpenQASM 3 with bound angles:\n%s", q)
	}
}

func TestTrainUsageErrors(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes")
	if err := os.MkdirAll(notes, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(notes, "keep.txt"), []byte("x"), 0o644)
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
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("qpeft %v: exit %d (want %d), stderr %q (want %q), stdout %q", c.args, code, c.code, stderr, c.want, stdout)
		}
	}
}
