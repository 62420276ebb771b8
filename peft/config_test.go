package peft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
)

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{Method: "dora", Rank: 2}, "unknown method"},
		{Config{Method: MethodLoRA}, "rank 0"},
		{Config{Method: MethodLoRA, Rank: 2, Alpha: -1}, "α"},
		{Config{Method: MethodLoRA, Rank: 4, ActiveRank: 2}, "LoRA has no rank mask"},
		{Config{Method: MethodLoRA, Rank: 4, QuantBits: 4}, "quantum-peft only"},
		{Config{Method: MethodQuantumPEFT, Rank: 4, Map: "taylor", QuantBits: 4}, "taylor map has none"},
		{Config{Method: MethodQuantumPEFT, Rank: 4, QuantBits: 40}, "1..24 bits"},
		{Config{Method: MethodQuantumPEFT, Rank: 4, Layers: -2}, "layers"},
		{Config{Method: MethodQuantumPEFT, Rank: 4, Map: "circuit"}, "at least one user ansatz"},
		{Config{Method: MethodQuantumPEFT, Rank: 4, Map: "circuit", Circuits: map[int]*circuit.Circuit{8: circuit.New(2).RY("a", 0)}}, "acts on 2 qubits"},
		{Config{Method: MethodQuantumPEFT, Rank: 4, ActiveRank: 5}, "K′ = 5"},
	} {
		assert.ErrorContains(t, tc.c.Validate(), tc.want, "%+v", tc.c)
	}
}

func TestConfigBuild(t *testing.T) {
	user := circuit.New(3).RY("a", 0).CX(0, 1).RY("b", 1).CZ(1, 2).RY("c", 2)
	for _, tc := range []struct {
		c         Config
		out, in   int
		trainable int
	}{
		// Pauli, L = 2, K = 8 on 1024 × 1024: 2·(5·10 − 4) + 8.
		{Config{Method: MethodQuantumPEFT, Rank: 8, Layers: 2}, 1024, 1024, 2*46 + 8},
		{Config{Method: MethodQuantumPEFT, Rank: 8, Layers: 1, ActiveRank: 4}, 1024, 1024, 2*28 + 4},
		// Taylor: 2·(NK − K(K+1)/2) + K.
		{Config{Method: MethodQuantumPEFT, Rank: 4, Map: "taylor"}, 64, 32, (64*4 - 10) + (32*4 - 10) + 4},
		{Config{Method: MethodQuantumPEFT, Rank: 2, Map: "circuit", Circuits: map[int]*circuit.Circuit{8: user}}, 8, 8, 3 + 3 + 2},
		{Config{Method: MethodLoRA, Rank: 8}, 1024, 4096, 8 * (1024 + 4096)},
		{Config{Method: MethodAdaLoRA, Rank: 8}, 768, 768, 8 * (768 + 768 + 1)},
	} {
		a, err := tc.c.Build("m", tc.out, tc.in)
		require.NoError(t, err)
		assert.Equal(t, tc.trainable, a.NumTrainable(), "%+v: trainable", tc.c)
		assert.Equal(t, CountParamsMust(t, tc.c, tc.out, tc.in), a.NumTrainable(), "%+v: NumTrainable vs CountParams", tc.c)
	}
	_, err := (Config{Method: MethodQuantumPEFT, Rank: 8, Map: "circuit", Circuits: map[int]*circuit.Circuit{8: user}}).Build("m", 8, 16)
	assert.ErrorContains(t, err, "no ansatz circuit for dimension 16", "missing circuit")
	_, err = (Config{Method: MethodLoRA, Rank: 8}).Build("m", 4, 16)
	assert.Error(t, err, "rank above min(out, in) accepted")
	// Seeds are per module and reproducible.
	c := Config{Method: MethodQuantumPEFT, Rank: 2, Layers: 1, Seed: 9}
	a1, _ := c.Build("x", 8, 8)
	a2, _ := c.Build("x", 8, 8)
	a3, _ := c.Build("y", 8, 8)
	assert.True(t, slicesEqual(a1.Params()[0].Value, a2.Params()[0].Value), "module seeds are not reproducible")
	assert.False(t, slicesEqual(a1.Params()[0].Value, a3.Params()[0].Value), "module seeds are not distinct")
}

func CountParamsMust(t *testing.T, c Config, out, in int) int {
	t.Helper()
	n, err := CountParams(c, out, in)
	require.NoError(t, err)
	return n
}

// TestConfigForRunAndLabel: the half-way prune step, its removal when K′ is unset or equal to
// K, the clearing of settings a method does not use, and the table labels.
func TestConfigForRunAndLabel(t *testing.T) {
	full := Config{Rank: 8, Layers: 2, InitScale: 0.1, ActiveRank: 4, PruneStep: -1, OrthWeight: 0.1, Seed: 3}
	cases := []struct {
		name  string
		in    Config
		want  Config
		label string
	}{
		{"qpeft half-way", with(full, MethodQuantumPEFT), Config{Method: MethodQuantumPEFT, Rank: 8, Layers: 2, InitScale: 0.1, ActiveRank: 4, PruneStep: 50, Seed: 3}, "Quantum-PEFT L=2 K=8 K′=4"},
		{"adalora half-way", with(full, MethodAdaLoRA), Config{Method: MethodAdaLoRA, Rank: 8, ActiveRank: 4, PruneStep: 50, OrthWeight: 0.1, Seed: 3}, "AdaLoRA-style r=8→4"},
		{"lora clears", with(full, MethodLoRA), Config{Method: MethodLoRA, Rank: 8, Seed: 3}, "LoRA r=8"},
		{"K′ = K: no pruning", Config{Method: MethodAdaLoRA, Rank: 8, ActiveRank: 8, PruneStep: -1}, Config{Method: MethodAdaLoRA, Rank: 8, ActiveRank: 8}, "AdaLoRA-style r=8"},
		{"no K′: no pruning", Config{Method: MethodQuantumPEFT, Rank: 4, Layers: 1, PruneStep: -1}, Config{Method: MethodQuantumPEFT, Rank: 4, Layers: 1}, "Quantum-PEFT L=1 K=4"},
		{"explicit step kept", Config{Method: MethodAdaLoRA, Rank: 8, ActiveRank: 2, PruneStep: 7}, Config{Method: MethodAdaLoRA, Rank: 8, ActiveRank: 2, PruneStep: 7}, "AdaLoRA-style r=8→2"},
	}
	for _, c := range cases {
		got := c.in.ForRun(100)
		assert.Equal(t, c.want, got, "%s: ForRun", c.name)
		assert.Equal(t, c.label, got.Label(), "%s: Label", c.name)
		assert.NoError(t, got.Validate(), c.name)
	}
	assert.Equal(t, 1, (Config{Method: MethodAdaLoRA, Rank: 8, ActiveRank: 4, PruneStep: -1}).ForRun(1).PruneStep, "one-step run: prune step")
}

func with(c Config, m Method) Config {
	c.Method = m
	return c
}
