package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParamsHandCounted checks `qpeft params` against the hand-computed counts of
// docs/adapters.md (K = 8).
func TestParamsHandCounted(t *testing.T) {
	cases := []struct {
		args []string
		rows map[string][]string // row label → cells after the label
	}{
		{[]string{"params", "--model", "gpt2-medium", "--lora-ranks", "1,4"}, map[string][]string{
			"Quantum-PEFT Pauli L=1 K=8": {"64", "64", "3072"},
			"Quantum-PEFT Pauli L=2 K=8": {"100", "100", "4800"},
			"Quantum-PEFT Taylor K=8":    {"16320", "16320", "783360"},
			"LoRA r=1":                   {"2048", "2048", "98304", "1"},
			"LoRA r=4":                   {"8192", "8192", "393216", "4"},
			"full fine-tuning":           {"1048576", "1048576", "50331648"},
		}},
		{[]string{"params", "--model", "deberta-v3-base"}, map[string][]string{
			"Quantum-PEFT Pauli L=1 K=8": {"170", "170", "4080"},
			"Quantum-PEFT Pauli L=4 K=8": {"446", "446", "10704"},
			"LoRA r=8":                   {"12288", "12288", "294912", "8"},
			"AdaLoRA r=8":                {"12296", "12296", "295104"},
		}},
		{[]string{"params", "--model", "mistral-7b"}, map[string][]string{
			"Quantum-PEFT Pauli L=1 K=8": {"76", "70", "4672", "0.01097"},
			"Quantum-PEFT Pauli L=2 K=8": {"120", "110", "7360"},
			"LoRA r=1":                   {"8192", "5120", "425984", "1"},
		}},
		{[]string{"params", "--shape", "768x768", "--shape", "q=1024x4096", "--rank", "4", "--lora-ranks", "2"}, map[string][]string{
			"Quantum-PEFT Pauli L=1 K=4": {"166", "66", "232"},
			"LoRA r=2":                   {"3072", "10240", "13312", "2"},
		}},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, "", c.args...)
		require.Equal(t, 0, code, "%v: exit status; stderr: %s", c.args, errs)
		got := map[string][]string{}
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			for i := len(f) - 1; i > 0; i-- {
				// The label is everything before the first numeric cell.
				if !isNum(f[i-1]) {
					got[strings.Join(f[:i], " ")] = f[i:]
					break
				}
			}
		}
		for label, want := range c.rows {
			cells, ok := got[label]
			if !assert.True(t, ok, "%v: no row %q in\n%s", c.args, label, out) {
				continue
			}
			// The row starts with the wanted cells.
			assert.Equal(t, want, cells[:min(len(want), len(cells))], "%v: row %q = %v, want prefix %v", c.args, label, cells, want)
		}
	}
}

func isNum(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' && r != 'e' && r != '+' && r != '-' {
			return false
		}
	}
	return true
}

func TestParamsErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"params"}, "give at least one --shape"},
		{[]string{"params", "--shape", "768"}, "want OUTxIN"},
		{[]string{"params", "--shape", "0x8"}, "not a positive integer"},
		{[]string{"params", "--shape", "=8x8"}, "empty module name"},
		{[]string{"params", "--model", "llama"}, "unknown --model"},
		{[]string{"params", "--model", "gpt2-medium", "--shape", "8x8"}, "not both"},
		{[]string{"params", "--model", "gpt2-medium", "--layers", "3"}, "drop it"},
		{[]string{"params", "--shape", "8x8", "--cs", "half"}, "unknown cosine"},
		{[]string{"params", "--shape", "8x8", "--rank", "16"}, "exceeds"},
		{[]string{"params", "--shape", "8x8", "--layers", "0"}, "--layers 0"},
		{[]string{"params", "--shape", "8x8", "extra"}, "unexpected argument"},
	} {
		code, _, errs := runCLI(t, "", c.args...)
		assert.NotEqual(t, 0, code, "%v: exit status; stderr %q", c.args, errs)
		assert.Contains(t, errs, c.want, "%v: stderr", c.args)
	}
}
