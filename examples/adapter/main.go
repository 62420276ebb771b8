// Command adapter trains a Quantum-PEFT adapter on a small task, next to a LoRA adapter on the
// same task, plots both training curves, saves the adapter, exports it as a standard LoRA
// adapter, and exports its U circuit as OpenQASM for a quantum computer.
//
//	go run ./examples/adapter -out adapter-run
//
// The task: a frozen linear layer W0 (48 × 64, PyTorch's out × in) must learn to imitate a
// "teacher" layer W0 + ΔW* whose update has rank 4. The adapter learns ΔW = U·diag(λ)·Vᵀ with
// U (48 × 4) and V (64 × 4) the first columns of orthogonal matrices made by RY/CZ circuits.
//
// Lesson: the adapter starts exactly at the frozen layer (λ = 0, so ΔW = 0), trains only
// angles and K scales — here 93 numbers against LoRA's 448 at the same rank — and U, V stay
// orthonormal throughout. 48 is not a power of two: U uses the block cosine–sine split
// 48 = 32 + 16 (docs/method.md). LoRA can represent any rank-4 update and fits this target
// exactly; the circuit adapter's loss landscape is not convex (the learning rate matters, and
// other seeds can stop in other minima), yet it gets the error down by three orders of
// magnitude with a fifth of the parameters.
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/examples/internal/lesson"
	"github.com/qpeft/qpeft/export"
	"github.com/qpeft/qpeft/formats/hfpeft"
	"github.com/qpeft/qpeft/internal/plots"
	"github.com/qpeft/qpeft/nn"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/peft/ortho"
)

const (
	out, in = 48, 64 // the frozen weight is out × in
	rank    = 4      // K of Quantum-PEFT, r of LoRA
	rows    = 256    // training examples
)

func main() {
	steps := lesson.Int("steps", 400, 150, "full-batch Adam steps")
	qlr := flag.Float64("lr", 0.1, "Adam learning rate of the Quantum-PEFT adapter (LoRA uses 0.01)")
	dir := flag.String("out", "qpeft-adapter-example", "directory for the plot, the adapter, the LoRA export and the circuit")
	lesson.Parse()
	lesson.Check(os.MkdirAll(*dir, 0o755))
	rng := rand.New(rand.NewPCG(11, 12))

	// The frozen pretrained weight and the training inputs.
	w0 := make([]float64, out*in)
	for i := range w0 {
		w0[i] = rng.NormFloat64() / math.Sqrt(in)
	}
	x := make([]float64, rows*in)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	// The teacher's update ΔW* = U*·diag(s)·V*ᵀ comes from a Quantum-PEFT adapter with other
	// angles (seed 2), so the task is reachable.
	teacherCfg := peft.Config{Method: peft.MethodQuantumPEFT, Rank: rank, Layers: 2, InitScale: 1, Seed: 2}
	teacher := lesson.Must(teacherCfg.Build("layer", out, in))
	for j, s := range []float64{1.5, 1.0, 0.7, 0.4} {
		teacher.(*peft.QuantumPEFT).Lambda.Value[j] = s
	}
	tl := lesson.Must(peft.NewLinear(w0, out, in, nil, teacher))
	target := make([]float64, rows*out)
	lesson.Check(tl.Forward(x, rows, target))

	// The student: a Quantum-PEFT checkpoint with one module "layer" (Pauli ansatz, L = 2,
	// K = 4, angles uniform in ±0.02 from seed 1, λ = 0), and a LoRA baseline (r = 4).
	cfg := peft.Config{Method: peft.MethodQuantumPEFT, Rank: rank, Layers: 2, Seed: 1}
	ck := lesson.Must(peft.NewCheckpoint(cfg, "examples/teacher-layer", []peft.ModuleShape{{Name: "layer", Out: out, In: in}}))
	qp := ck.Module("layer")
	lora := lesson.Must(peft.NewLoRA(out, in, rank, 0, 1))
	fmt.Printf("Trainable parameters: Quantum-PEFT %d, LoRA r=%d %d (%.1fx fewer)\n",
		qp.NumTrainable(), rank, lora.NumTrainable(), float64(lora.NumTrainable())/float64(qp.NumTrainable()))
	u := qp.(*peft.QuantumPEFT).Factor("U")
	if st, ok := u.(ortho.Structured); ok {
		fmt.Printf("U (%d × %d) is built from %d blocks:", out, rank, len(st.Blocks()))
		for _, b := range st.Blocks() {
			fmt.Printf(" %s %s(dim %d, %d angles)", b.Path, b.Kind, b.Dim, b.Params)
		}
		fmt.Println()
	}

	// Train both with full-batch Adam on the mean squared error.
	curves := make([]plots.Series, 0, 2)
	for _, run := range []struct {
		name string
		a    peft.Adapter
		lr   float64
	}{{"Quantum-PEFT", qp, *qlr}, {"LoRA", lora, 0.01}} {
		layer := lesson.Must(peft.NewLinear(w0, out, in, nil, run.a))
		opt := nn.NewAdam(run.a.Params(), run.lr)
		y, dy := make([]float64, rows*out), make([]float64, rows*out)
		s := plots.Series{Name: run.name}
		var first, last float64
		for step := 0; step <= *steps; step++ {
			lesson.Check(layer.Forward(x, rows, y))
			loss := 0.0
			for i := range y {
				d := y[i] - target[i]
				loss += d * d / rows
				dy[i] = 2 * d / rows
			}
			if step == 0 {
				first = loss
			}
			last = loss
			s.X = append(s.X, float64(step))
			s.Y = append(s.Y, loss)
			if step == *steps {
				break
			}
			nn.ZeroGrad(run.a.Params())
			lesson.Check(layer.Backward(dy, nil))
			opt.Step()
		}
		curves = append(curves, s)
		fmt.Printf("%-13s loss %.4f → %.6f after %d steps (%.0fx lower)\n", run.name, first, last, *steps, first/last)
	}
	du, dv, err := qp.(*peft.QuantumPEFT).Orthogonality()
	lesson.Check(err)
	fmt.Printf("After training: ‖UᵀU − I‖ = %.1e, ‖VᵀV − I‖ = %.1e (orthonormal by construction)\n", du, dv)

	// The training curves.
	png := lesson.Must(plots.Lines(curves, plots.LinesOptions{
		Title:  fmt.Sprintf("Learning a rank-%d update of a %d × %d layer", rank, out, in),
		XLabel: "Adam step (full batch)", YLabel: "mean squared error (log scale)", LogY: true}))
	plotPath := filepath.Join(*dir, "adapter-loss.png")
	lesson.Check(plots.WriteFile(plotPath, png))
	fmt.Println("wrote", plotPath)

	// Save the adapter (adapter_config.json + adapter_model.safetensors, atomically), and
	// export it as a Hugging Face PEFT LoRA adapter: ΔW has rank ≤ K, so it is a LoRA with
	// lora_B = U·diag(λ), lora_A = Vᵀ.
	adir, ldir := filepath.Join(*dir, "adapter"), filepath.Join(*dir, "lora")
	lesson.Check(ck.Save(adir))
	lesson.Check(peft.ExportLoRA(ldir, ck.Modules, ck.BaseModel))
	back := lesson.Must(hfpeft.Load(ldir))
	want := lesson.Must(peft.DeltaW(qp))
	got := lesson.Must(back.DeltaW("layer"))
	diff := 0.0
	for i := range want {
		diff = math.Max(diff, math.Abs(want[i]-got[i]))
	}
	fmt.Printf("saved %s and %s; the LoRA export reproduces ΔW to %.1e (float32)\n", adir, ldir, diff)

	// Export the circuit of V's factor (64 = 2^6: one Pauli circuit on 6 qubits) with the
	// trained angles bound, as OpenQASM 3 for a quantum computer.
	v := qp.(*peft.QuantumPEFT).Factor("V").(ortho.Structured).Blocks()[0]
	bound := lesson.Must(v.Circuit.BindVector(qp.(*peft.QuantumPEFT).ThetaV.Value[v.Offset : v.Offset+v.Params]))
	prog := lesson.Must(export.Export(bound, export.QASM3, export.Options{}))
	qpath := filepath.Join(*dir, "V.qasm")
	lesson.Check(os.WriteFile(qpath, prog.Text, 0o644))
	fmt.Printf("wrote %s: V's circuit, %d qubits, %d gates\n", qpath, bound.NumQubits, len(bound.Ops))
}
