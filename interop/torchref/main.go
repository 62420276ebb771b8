// Command torchref is the Go side of the PyTorch parity tests (python/tests): it writes
// Quantum-PEFT checkpoints with random parameters and computes, with package peft, the values
// the torch runtime must reproduce.
//
//	torchref init DIR [flags] NAME=OUTxIN ...   a checkpoint with θ ~ U(±π) and λ ~ N(0, 1)
//	torchref ref DIR OUT.safetensors            U, V, ΔW and the vector-Jacobian products
//	torchref resave DIR OUTDIR                  peft.Load then Save (a Go-written copy)
//	torchref lora DIR OUTDIR                    peft.ExportLoRAAs (F64) of the checkpoint
//	torchref spam -out DIR [flags]              the SpamAssassin protocol of models/bert.Run (spam.go)
//
// ref writes, for every module M, "M.U" (out × K), "M.V" (in × K), "M.dW" (out × in) and, for
// the loss ℓ = Σ_ij G_ij·ΔW_ij with G_ij = sin(0.37·i + 0.71·j + 0.13), the gradients
// "M.g_theta_U", "M.g_theta_V" and "M.g_lambda" from the adapter's FactorsVJP (F64 tensors).
package main

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/formats/safetensors"
	"github.com/qpeft/qpeft/interop/internal/subcmd"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/peft/ortho"
)

func main() {
	subcmd.Main("torchref", "usage: torchref init|ref|resave|lora ...", []subcmd.Command{
		{Name: "init", Args: -1, Run: runInit},
		{Name: "ref", Args: 2, Usage: "usage: torchref ref DIR OUT.safetensors", Run: func(args []string) error {
			return runRef(args[0], args[1])
		}},
		{Name: "resave", Args: 2, Usage: "usage: torchref resave DIR OUTDIR", Run: func(args []string) error {
			ck, err := peft.Load(args[0])
			if err != nil {
				return err
			}
			return ck.Save(args[1])
		}},
		{Name: "spam", Args: -1, Run: runSpam},
		{Name: "lora", Args: 2, Usage: "usage: torchref lora DIR OUTDIR", Run: func(args []string) error {
			ck, err := peft.Load(args[0])
			if err != nil {
				return err
			}
			return peft.ExportLoRAAs(args[1], ck.Modules, ck.BaseModel, safetensors.F64)
		}},
	})
}

type circuitFlags map[int]*circuit.Circuit

func (c circuitFlags) String() string { return "" }
func (c circuitFlags) Set(s string) error {
	dim, path, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("--circuit DIM=FILE.qasm")
	}
	var d int
	if _, err := fmt.Sscan(dim, &d); err != nil {
		return err
	}
	circ, err := ansatz.LoadQASM(path)
	if err != nil {
		return err
	}
	c[d] = circ
	return nil
}

func runInit(args []string) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	rank := fs.Int("rank", 4, "K")
	layers := fs.Int("layers", 1, "L")
	cs := fs.String("cs", "walsh", "walsh or full")
	alpha := fs.Float64("alpha", 0, "alpha")
	active := fs.Int("active-rank", 0, "K′")
	prune := fs.Int("prune-step", 0, "prune step")
	quant := fs.Int("quant-bits", 0, "angle bits")
	seed := fs.Uint64("seed", 1, "seed")
	family := fs.String("ansatz", "", "built-in ansatz family: pauli, givens or alltoall")
	start := fs.String("start", "", "identity or rotated")
	pattern := fs.String("rank-pattern", "", "per-module ranks, NAME=K,NAME=K (peft.Config.RankPattern)")
	circs := circuitFlags{}
	fs.Var(circs, "circuit", "DIM=FILE.qasm: a user ansatz (repeatable; sets map circuit)")
	if len(args) < 1 {
		return fmt.Errorf("usage: torchref init DIR [flags] NAME=OUTxIN ...")
	}
	dir := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	mode, err := ortho.ParseCSMode(*cs)
	if err != nil {
		return err
	}
	cfg := peft.Config{Method: peft.MethodQuantumPEFT, Rank: *rank, Alpha: *alpha, Layers: *layers, CS: mode,
		ActiveRank: *active, PruneStep: *prune, QuantBits: *quant, Seed: *seed, Ansatz: *family, Start: *start}
	if len(circs) > 0 {
		cfg.Map, cfg.Circuits = ortho.KindCircuit, circs
	}
	if *pattern != "" {
		cfg.RankPattern = map[string]int{}
		for _, kv := range strings.Split(*pattern, ",") {
			k, v, ok := strings.Cut(kv, "=")
			r, err := strconv.Atoi(v)
			if !ok || err != nil {
				return fmt.Errorf("--rank-pattern %q: want NAME=K,...", *pattern)
			}
			cfg.RankPattern[k] = r
		}
	}
	var shapes []peft.ModuleShape
	for _, a := range fs.Args() {
		name, shape, ok := strings.Cut(a, "=")
		var o, i int
		if _, err := fmt.Sscanf(shape, "%dx%d", &o, &i); !ok || err != nil {
			return fmt.Errorf("module %q: want NAME=OUTxIN", a)
		}
		shapes = append(shapes, peft.ModuleShape{Name: name, Out: o, In: i})
	}
	ck, err := peft.NewCheckpoint(cfg, "torchref", shapes)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(*seed, 99))
	for _, m := range ck.Modules {
		q := m.Adapter.(*peft.QuantumPEFT)
		for i := range q.ThetaU.Value {
			q.ThetaU.Value[i] = (2*r.Float64() - 1) * math.Pi
		}
		for i := range q.ThetaV.Value {
			q.ThetaV.Value[i] = (2*r.Float64() - 1) * math.Pi
		}
		for i := range q.Lambda.Value {
			q.Lambda.Value[i] = r.NormFloat64()
		}
		if *active > 0 && *prune == 0 {
			for _, j := range inactive(q) {
				q.Lambda.Value[j] = 0
			}
		}
	}
	return ck.Save(dir)
}

func inactive(q *peft.QuantumPEFT) []int {
	on := map[int]bool{}
	for _, j := range q.ActiveRanks() {
		on[j] = true
	}
	var out []int
	for j := 0; j < q.Rank(); j++ {
		if !on[j] {
			out = append(out, j)
		}
	}
	return out
}

// G is the cotangent of ΔW.
func G(i, j int) float64 { return math.Sin(0.37*float64(i) + 0.71*float64(j) + 0.13) }

func runRef(dir, out string) error {
	ck, err := peft.Load(dir)
	if err != nil {
		return err
	}
	var ts []safetensors.Tensor
	for _, m := range ck.Modules {
		q, ok := m.Adapter.(*peft.QuantumPEFT)
		if !ok {
			return fmt.Errorf("module %s is not a Quantum-PEFT adapter", m.Name)
		}
		var f peft.Factors
		if err := q.Factors(&f); err != nil {
			return err
		}
		no, ni, k := f.Out, f.In, f.Rank
		u := make([]float64, no*k)
		v := make([]float64, ni*k)
		for a := 0; a < k; a++ {
			for i := 0; i < no; i++ {
				u[i*k+a] = f.PT[a*no+i]
			}
			for j := 0; j < ni; j++ {
				v[j*k+a] = f.QT[a*ni+j]
			}
		}
		dw := make([]float64, no*ni)
		for i := 0; i < no; i++ {
			for j := 0; j < ni; j++ {
				var s float64
				for a := 0; a < k; a++ {
					s += f.PT[a*no+i] * f.D[a] * f.QT[a*ni+j]
				}
				dw[i*ni+j] = s
			}
		}
		// ℓ = Σ G⊙ΔW: ∂ℓ/∂PT[a,i] = D[a]·Σ_j G[i,j]·QT[a,j], ∂ℓ/∂QT[a,j] = D[a]·Σ_i G[i,j]·PT[a,i],
		// ∂ℓ/∂D[a] = Σ_ij G[i,j]·PT[a,i]·QT[a,j].
		ptbar := make([]float64, k*no)
		qtbar := make([]float64, k*ni)
		dbar := make([]float64, k)
		for a := 0; a < k; a++ {
			for i := 0; i < no; i++ {
				for j := 0; j < ni; j++ {
					g := G(i, j)
					ptbar[a*no+i] += f.D[a] * g * f.QT[a*ni+j]
					qtbar[a*ni+j] += f.D[a] * g * f.PT[a*no+i]
					dbar[a] += g * f.PT[a*no+i] * f.QT[a*ni+j]
				}
			}
		}
		for _, p := range q.Params() {
			clear(p.Grad)
		}
		if err := q.FactorsVJP(&f, ptbar, qtbar, dbar); err != nil {
			return err
		}
		add := func(name string, shape []int, data []float64) {
			ts = append(ts, safetensors.FromFloat64(m.Name+"."+name, shape, append([]float64(nil), data...)))
		}
		add("U", []int{no, k}, u)
		add("V", []int{ni, k}, v)
		add("dW", []int{no, ni}, dw)
		add("g_theta_U", []int{q.ThetaU.Len()}, q.ThetaU.Grad)
		add("g_theta_V", []int{q.ThetaV.Len()}, q.ThetaV.Grad)
		add("g_lambda", []int{k}, q.Lambda.Grad)
	}
	return safetensors.WriteFile(out, ts, map[string]string{"format": "torchref"})
}
