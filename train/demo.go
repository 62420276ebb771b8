package train

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/draw"
	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/peft/ortho"
	"github.com/qpeft/qpeft/qasm"
	"github.com/qpeft/qpeft/sim"
)

// DemoConfig sets up [Demo]. The zero value (apart from Out) is the documented demo.
type DemoConfig struct {
	// Out is the directory the demo writes (default "qpeft-demo"); it is replaced as a whole.
	Out string
	// Layers and Rank are L and K of the Quantum-PEFT adapters (default 2 and 4).
	Layers, Rank int
	// Epochs over the embedded Fashion-MNIST subset (default 3).
	Epochs int
	// TrainLimit and TestLimit shrink the data (0: the whole 6,000 + 1,000 subset); tests
	// use them.
	TrainLimit, TestLimit int
	// Seed seeds the run (default 1).
	Seed uint64
	// Progress receives training progress (nil: none).
	Progress Progress
	// AfterStep is passed to Run (tests cancel the demo with it).
	AfterStep func(step int)
}

// DemoResult is what the demo measured.
type DemoResult struct {
	Result *Result
	// Checks are the simulator cross-checks of the trained circuits.
	Checks []CircuitCheck
	// LoRAParams is what LoRA at the same rank would train on the same modules.
	LoRAParams int
	// Seconds is the demo's wall time.
	Seconds float64
}

// CircuitCheck compares an adapter factor built by the training path (package lowering) with
// the same circuit run by the state-vector simulator (sim.RealColumns).
type CircuitCheck struct {
	Module, Factor string
	Qubits, Rank   int
	// MaxDiff is max |U_lowering − U_sim| over every entry; Orth is ‖UᵀU − I‖_F.
	MaxDiff, Orth float64
}

// DemoFiles written besides the run directory's.
const (
	DemoAnsatzFile = "ansatz.qasm"
	DemoCircuitDir = "circuits"
)

// Demo is `qpeft demo`: it prints the Pauli ansatz as OpenQASM 3 and as a drawing, trains
// Quantum-PEFT adapters on conv1 (8x25) and conv2 (16x200) of the embedded ONNX MNIST CNN,
// with a new head, on the embedded Fashion-MNIST subset, checks the trained circuits with the
// simulator, prints accuracy before and after beside LoRA's parameter count, and writes the
// run directory (metrics, curves, adapter, LoRA export) plus the ansatz and the trained
// circuits as OpenQASM 3, atomically. No file or network is needed.
func Demo(ctx context.Context, c DemoConfig, w io.Writer) (*DemoResult, error) {
	start := time.Now()
	if c.Out == "" {
		c.Out = "qpeft-demo"
	}
	if c.Layers == 0 {
		c.Layers = 2
	}
	if c.Rank == 0 {
		c.Rank = 4
	}
	if c.Epochs == 0 {
		c.Epochs = 3
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if err := checkOut(c.Out, outBaseBytes, progressOrNop(c.Progress)); err != nil {
		return nil, err
	}
	cfg := DefaultConfig(ModelMNISTCNN, QPEFT)
	cfg.Data, cfg.Layers, cfg.Rank, cfg.Epochs, cfg.Seed = DataFashionSubset, c.Layers, c.Rank, c.Epochs, c.Seed
	cfg.TrainLimit, cfg.TestLimit = c.TrainLimit, c.TestLimit
	if err := cfg.Validate(); err != nil {
		return nil, err
	}

	// 1. The ansatz.
	const qubits = 4 // conv2's U factor: 16 output channels = 2^4
	anz, err := ansatz.Pauli(qubits, c.Layers)
	if err != nil {
		return nil, err
	}
	text, err := qasm.Print(anz, qasm.PrintOptions{})
	if err != nil {
		return nil, err
	}
	p, _ := ansatz.PauliParams(qubits, c.Layers)
	fmt.Fprintf(w, "== The Quantum-PEFT ansatz: Pauli circuit, %d qubits (an orthogonal 16x16 factor), L = %d, %d angles = (2L+1)·n − 2L\n\n", qubits, c.Layers, p)
	fmt.Fprintf(w, "-- OpenQASM 3 --\n%s\n-- drawing --\n%s\n", text, draw.String(anz, draw.Options{}))
	fmt.Fprintf(w, "U = the first K = %d columns of this circuit's orthogonal matrix; ΔW = U·diag(λ)·Vᵀ.\n", c.Rank)
	fmt.Fprintf(w, "Dimensions that are not powers of two (25 = conv1's 1·5·5 patch, 200 = conv2's 8·5·5) use\n")
	fmt.Fprintf(w, "the block cosine–sine split: Pauli circuits on power-of-two blocks joined by Givens rotations.\n\n")

	// 2. Train.
	fmt.Fprintf(w, "== Fine-tuning the ONNX Model Zoo MNIST CNN on Fashion-MNIST (embedded subset)\n\n")
	res, err := Run(ctx, cfg, "", Options{Progress: c.Progress, AfterStep: c.AfterStep})
	if err != nil {
		return nil, err
	}
	met := res.Metrics
	dr := &DemoResult{Result: res}
	for _, mod := range met.Modules {
		n, _ := peft.CountParams(peft.Config{Method: peft.MethodLoRA, Rank: c.Rank}, mod.Out, mod.In)
		dr.LoRAParams += n
	}

	// 3. Check the trained circuits with the simulator.
	circuits := map[string][]byte{}
	for _, mod := range res.Session.Checkpoint.Modules {
		q, ok := mod.Adapter.(*peft.QuantumPEFT)
		if !ok {
			continue
		}
		var f peft.Factors
		if err := q.Factors(&f); err != nil {
			return nil, err
		}
		for _, fac := range []struct {
			which string
			theta []float64
			mat   []float64
			dim   int
		}{{"U", q.ThetaU.Value, transpose(f.PT, f.Rank, f.Out), f.Out}, {"V", q.ThetaV.Value, transpose(f.QT, f.Rank, f.In), f.In}} {
			st, ok := q.Factor(fac.which).(ortho.Structured)
			if !ok {
				continue
			}
			blocks := st.Blocks()
			for _, b := range blocks {
				if b.Circuit == nil {
					continue
				}
				theta := fac.theta[b.Offset : b.Offset+b.Params]
				bound, err := b.Circuit.BindVector(theta)
				if err != nil {
					return nil, err
				}
				qt, err := qasm.Print(bound, qasm.PrintOptions{})
				if err != nil {
					return nil, err
				}
				name := fmt.Sprintf("%s_%s", mod.Name, fac.which)
				if b.Path != "" {
					name += "_" + strings.ReplaceAll(b.Path, ".", "_")
				}
				circuits[name+".qasm"] = qt
				if len(blocks) != 1 {
					continue // a block of a cosine–sine split: its columns are not U's
				}
				chk, err := checkCircuit(b.Circuit, theta, fac.mat, fac.dim, f.Rank)
				if err != nil {
					return nil, fmt.Errorf("train: simulator check of %s %s: %w", mod.Name, fac.which, err)
				}
				chk.Module, chk.Factor = mod.Name, fac.which
				dr.Checks = append(dr.Checks, chk)
			}
		}
	}

	// 4. Report.
	fmt.Fprintf(w, "\n== Result\n\n")
	if met.ZeroShot != nil {
		fmt.Fprintf(w, "before (zero-shot: MNIST digit k read as Fashion class k): %s\n", *met.ZeroShot)
	}
	fmt.Fprintf(w, "after  (%s + new head, %d epoch(s)):   %s\n", met.Label, c.Epochs, met.Final)
	fmt.Fprintf(w, "trainable adapter parameters: %d   (LoRA at the same rank r = %d: %d; LoRA r = 1: %d)\n",
		met.Params.Adapter, c.Rank, dr.LoRAParams, met.Params.LoRAr1)
	for _, mod := range met.Modules {
		fmt.Fprintf(w, "  %-6s %-15s %3dx%-3d  %4d parameters  ‖UᵀU−I‖ = %.1e  ‖VᵀV−I‖ = %.1e\n", mod.Alias, mod.Name, mod.Out, mod.In, mod.Params, deref(mod.OrthU), deref(mod.OrthV))
	}
	fmt.Fprintf(w, "new head (the same for every method): %d parameters\n", met.Params.Head)
	fmt.Fprintf(w, "\nsimulator check (sim.RealColumns on the trained circuit vs the training path's factor):\n")
	for _, ch := range dr.Checks {
		fmt.Fprintf(w, "  %-15s %s: %d qubits, first %d columns: max |difference| = %.1e, ‖UᵀU−I‖ = %.1e\n", ch.Module, ch.Factor, ch.Qubits, ch.Rank, ch.MaxDiff, ch.Orth)
	}

	// 5. Save everything atomically.
	if err := outdir.CheckReplace(c.Out, "--out"); err != nil {
		return nil, err
	}
	err = outdir.Write(c.Out, "--out", "qpeft demo", func(dir string) error {
		if err := res.WriteFiles(dir); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, DemoAnsatzFile), text, 0o644); err != nil {
			return err
		}
		if err := os.Mkdir(filepath.Join(dir, DemoCircuitDir), 0o755); err != nil {
			return err
		}
		for name, b := range circuits {
			if err := os.WriteFile(filepath.Join(dir, DemoCircuitDir, name), b, 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("train: save %s: %w", c.Out, err)
	}
	dr.Seconds = time.Since(start).Seconds()
	fmt.Fprintf(w, "\nwrote %s/: %s, %s, %s/ (qpeft adapter), %s/ (the same update as a Hugging Face PEFT LoRA adapter),\n", c.Out, MetricsFile, CurvesFile, AdapterDir, LoRADir)
	fmt.Fprintf(w, "  %s, %s (the ansatz), %s/ (%d trained circuits as OpenQASM 3)\n", HeadFile, DemoAnsatzFile, DemoCircuitDir, len(circuits))
	fmt.Fprintf(w, "demo finished in %.0f s\n", dr.Seconds)
	return dr, nil
}

// transpose returns the cols x rows transpose of a rows x cols row-major matrix.
func transpose(a []float64, rows, cols int) []float64 {
	t := make([]float64, rows*cols)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			t[j*rows+i] = a[i*cols+j]
		}
	}
	return t
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// checkCircuit runs circuit c at angles theta on the simulator and compares its first k
// columns with u (dim x k, row-major) from the training path.
func checkCircuit(c *circuit.Circuit, theta, u []float64, dim, k int) (CircuitCheck, error) {
	if 1<<c.NumQubits != dim {
		return CircuitCheck{}, fmt.Errorf("circuit on %d qubits for a factor of dimension %d", c.NumQubits, dim)
	}
	cols, err := sim.RealColumns(c, c.Env(theta), k)
	if err != nil {
		return CircuitCheck{}, err
	}
	ch := CircuitCheck{Qubits: c.NumQubits, Rank: k, Orth: ortho.Deviation(cols.Data, dim, k)}
	for i, v := range cols.Data {
		ch.MaxDiff = math.Max(ch.MaxDiff, math.Abs(v-u[i]))
	}
	return ch, nil
}
