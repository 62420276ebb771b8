package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTrainFrontFlags: --front refuses the flags it does not read and the front flags
// without it, with the fix in the message.
func TestTrainFrontFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{"--front"}, "--front needs --out DIR"},
		{"per-run flag", []string{"--front", "-o", dir, "--lr", "0.1"}, "--lr does not apply with --front"},
		{"trim without budget", []string{"--front", "-o", dir, "--trim"}, "--trim needs --budget"},
		{"unknown task", []string{"--front", "-o", dir, "--tasks", "resnet"}, `unknown task "resnet"`},
		{"budget without front", []string{"--budget", "1h"}, "--budget applies with --front"},
		{"image model", []string{"--front", "-o", dir, "--model", "mlp512"}, "names the minilm task's model directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", append([]string{"train"}, tc.args...)...)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

// TestTrainFrontQuick runs `qpeft train --front --quick` on mlp512 with one seed: the table
// and the plot are written.
func TestTrainFrontQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny front")
	}
	dir := t.TempDir()
	res := filepath.Join(dir, "front.md")
	code, stdout, stderr := runCLI(t, "", "train", "--front", "--quick", "--tasks", "mlp512", "--seeds", "1", "-o", filepath.Join(dir, "runs"),
		"--results", res, "--plots", dir)
	require.Equal(t, 0, code, "%s\n%s", stdout, stderr)
	assert.Contains(t, stdout, "front mlp512: estimate")
	md, err := os.ReadFile(res)
	require.NoError(t, err)
	for _, want := range []string{"## mlp512 on Fashion-MNIST", "| Quantum-PEFT (fc2) | Quantum-PEFT L=2 K=512 (fc2; centre) | 594 |",
		"| LoRA (fc2) | LoRA r=16 (fc2) | 16384 |", "Learning rates, chosen on a validation split", "Command:", "qpeft train --front --quick"} {
		assert.Contains(t, string(md), want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "front-mlp512.png"))
	require.NoError(t, err)
	_, err = png.Decode(bytes.NewReader(b))
	assert.NoError(t, err)
	assert.False(t, strings.Contains(stderr, "panic"))
}
