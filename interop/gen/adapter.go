package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/peft/ortho"
)

// adapterCheckpoint builds a Quantum-PEFT checkpoint with "trained" angles (seeded random,
// well away from the small initial values) for two modules of power-of-two shapes.
func adapterCheckpoint() (*peft.Checkpoint, error) {
	cfg := peft.Config{Method: peft.MethodQuantumPEFT, Rank: 2, Layers: 1, Seed: 7}
	ck, err := peft.NewCheckpoint(cfg, "interop-toy", []peft.ModuleShape{
		{Name: "blocks.0.attn.q", Out: 16, In: 8},
		{Name: "blocks.0.mlp.fc", Out: 8, In: 4},
	})
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(99, 1))
	for _, m := range ck.Modules {
		for _, p := range m.Adapter.Params() {
			for i := range p.Value {
				p.Value[i] = (r.Float64()*2 - 1) * 2.5
			}
		}
	}
	return ck, nil
}

// adapterCircuits returns the bound U and V circuits of every module, named
// "<module>.<U|V>", with the factor's first columns as computed by package peft/ortho.
func adapterCircuits(ck *peft.Checkpoint) (names []string, circs []*circuit.Circuit, cols [][]float64, ranks []int, err error) {
	for _, m := range ck.Modules {
		q, ok := m.Adapter.(*peft.QuantumPEFT)
		if !ok {
			return nil, nil, nil, nil, fmt.Errorf("module %s is not a Quantum-PEFT adapter", m.Name)
		}
		for _, which := range []string{"U", "V"} {
			f := q.Factor(which)
			theta := q.ThetaU.Value
			if which == "V" {
				theta = q.ThetaV.Value
			}
			blocks := f.(ortho.Structured).Blocks()
			if len(blocks) != 1 || blocks[0].Kind != "circuit" {
				return nil, nil, nil, nil, fmt.Errorf("module %s factor %s is not one circuit", m.Name, which)
			}
			b := blocks[0]
			bound, err := b.Circuit.BindVector(theta[b.Offset : b.Offset+b.Params])
			if err != nil {
				return nil, nil, nil, nil, err
			}
			u := make([]float64, f.Dim()*f.Rank())
			if err := f.Columns(theta, u); err != nil {
				return nil, nil, nil, nil, err
			}
			names = append(names, m.Name+"."+which)
			circs = append(circs, bound)
			cols = append(cols, u)
			ranks = append(ranks, f.Rank())
		}
	}
	return names, circs, cols, ranks, nil
}

// adapterEntries saves the checkpoint under the corpus directory (for `qpeft export
// --adapter`) and returns its circuits as corpus entries.
func adapterEntries() ([]entry, error) {
	ck, err := adapterCheckpoint()
	if err != nil {
		return nil, err
	}
	names, circs, _, _, err := adapterCircuits(ck)
	if err != nil {
		return nil, err
	}
	var out []entry
	for i, n := range names {
		out = append(out, entry{"adapter_" + n, "adapter", circs[i], map[string]float64{}})
	}
	return out, nil
}

// writeAdapter writes DIR/adapter (the checkpoint) and DIR/adapter_expect.json: for each
// factor, its qubit count, rank K and first K columns (N × K row-major) from peft/ortho.
func writeAdapter(dir string) error {
	ck, err := adapterCheckpoint()
	if err != nil {
		return err
	}
	if err := ck.Save(filepath.Join(dir, "adapter")); err != nil {
		return err
	}
	names, circs, cols, ranks, err := adapterCircuits(ck)
	if err != nil {
		return err
	}
	expect := map[string]any{}
	for i, n := range names {
		expect[n] = map[string]any{"num_qubits": circs[i].NumQubits, "rank": ranks[i], "columns": cols[i]}
	}
	data, err := json.MarshalIndent(expect, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "adapter_expect.json"), data, 0o644); err != nil {
		return err
	}
	return writeAdapterWhole(dir)
}

// writeAdapterWhole writes DIR/adapter_whole, a checkpoint whose factors have dimensions
// that are not powers of two (U 48×2, V 12×2 and U 24×2, V 6×2), and
// DIR/adapter_whole_expect.json: per factor, N, K and the first K columns from peft/ortho,
// for `qpeft export --adapter --whole`.
func writeAdapterWhole(dir string) error {
	cfg := peft.Config{Method: peft.MethodQuantumPEFT, Rank: 2, Layers: 1, Seed: 5}
	ck, err := peft.NewCheckpoint(cfg, "interop-whole", []peft.ModuleShape{
		{Name: "proj", Out: 48, In: 12},
		{Name: "head", Out: 24, In: 6},
	})
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(77, 3))
	for _, m := range ck.Modules {
		for _, p := range m.Adapter.Params() {
			for i := range p.Value {
				p.Value[i] = (r.Float64()*2 - 1) * 2.5
			}
		}
	}
	if err := ck.Save(filepath.Join(dir, "adapter_whole")); err != nil {
		return err
	}
	expect := map[string]any{}
	for _, m := range ck.Modules {
		q := m.Adapter.(*peft.QuantumPEFT)
		for _, which := range []string{"U", "V"} {
			f := q.Factor(which)
			theta := q.ThetaU.Value
			if which == "V" {
				theta = q.ThetaV.Value
			}
			u := make([]float64, f.Dim()*f.Rank())
			if err := f.Columns(theta, u); err != nil {
				return err
			}
			expect[m.Name+"."+which] = map[string]any{"dim": f.Dim(), "rank": f.Rank(), "columns": u}
		}
	}
	data, err := json.MarshalIndent(expect, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "adapter_whole_expect.json"), data, 0o644)
}
