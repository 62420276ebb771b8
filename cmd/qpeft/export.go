package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/export"
	"github.com/qpeft/qpeft/export/route"
	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/outdir"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/peft/ortho"
)

func init() {
	register(&command{
		name:    "export",
		summary: "export a circuit (or an adapter's U and V circuits) for a QPU provider",
		usage:   "FILE.qasm --target qasm2|qasm3|braket|ionq|quil [--basis B] [--device D | --coupling-map FILE] [--param NAME=VALUE ...] [--stats] [-o OUT]\n  qpeft export --adapter DIR [--whole] --target T [--basis B] [--device D] [--stats] -o OUTDIR",
		run:     runExport,
	})
}

// targetExt is the file extension of each target's output.
var targetExt = map[string]string{
	export.QASM2: ".qasm", export.QASM3: ".qasm", export.Braket: ".json", export.IonQ: ".json", export.Quil: ".quil",
}

func runExport(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags(commands["export"], stderr)
	target := fs.String("target", "", "qasm2, qasm3, braket, ionq or quil")
	basis := fs.String("basis", "", "translate first: heron, eagle, rigetti, ionq, auto (only what the target cannot express) or a gate list such as rz,sx,x,cz")
	params := fs.StringArray("param", nil, paramUsage+" (braket: the value goes into the program's inputs; an input left without a value stays a run-time input where the target has them)")
	out := fs.StringP("out", "o", "", "output file (default stdout); with --adapter, an output directory, written as a whole (an existing one is replaced only when it is an earlier qpeft output holding nothing else)")
	gateset := fs.String("gateset", "", "IonQ gateset: qis or native (default: native when every gate is gpi, gpi2 or ms)")
	verbatim := fs.Bool("verbatim", false, "Braket: wrap the gates in #pragma braket verbatim on physical qubits")
	device := fs.String("device", "", "check the qubit count against a device and use its basis: "+strings.Join(export.DeviceNames(), ", "))
	memory := fs.String("memory", "theta", "Quil: name of the DECLAREd parameter array")
	adapter := fs.String("adapter", "", "export the U and V circuits of every module of a Quantum-PEFT checkpoint directory, angles bound")
	whole := fs.Bool("whole", false, "with --adapter: each factor U and V as one circuit on ceil(log2 N) qubits (cosine-sine stages and block embedding included)")
	couplingMap := fs.String("coupling-map", "", "route onto the coupling map in this JSON file: a list of qubit pairs [[0,1],[1,2],...] (Qiskit's coupling_map) or {\"qubits\": N, \"edges\": [...], \"directed\": false}")
	seed := fs.Uint64("seed", 0, "seed of the routing's random choices (same seed, same program)")
	restoreOrder := fs.Bool("restore-order", false, "after routing, append SWAPs that bring every qubit back to its initial physical qubit instead of recording the final permutation")
	stats := fs.Bool("stats", false, "print two-qubit gate count, depth and SWAPs added to stderr")
	deprecatedAlias(fs, "output", "out")
	qf := addQASMFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *target == "" {
		return usageError("--target is required (%s)", strings.Join(export.Targets(), ", "))
	}
	opts := export.Options{Basis: *basis, Gateset: *gateset, Verbatim: *verbatim, Device: *device, Memory: *memory,
		Seed: *seed, RestoreOrder: *restoreOrder}
	if *couplingMap != "" {
		m, err := route.ReadFile(*couplingMap)
		if err != nil {
			return err
		}
		opts.CouplingMap = m
	}
	if *whole && *adapter == "" {
		return usageError("--whole applies to --adapter DIR: it exports each factor as one circuit")
	}
	if *adapter != "" {
		if fs.NArg() > 0 {
			return usageError("give either FILE.qasm or --adapter DIR, not both")
		}
		if len(*params) > 0 {
			return usageError("--param does not apply to --adapter: the trained angles are bound")
		}
		return exportAdapter(*adapter, *whole, *target, opts, *out, *stats, stdout, stderr)
	}
	if fs.NArg() != 1 {
		return usageError("export takes one OpenQASM file (or --adapter DIR)")
	}
	prog, err := qf.readProgram(fs.Arg(0), nil)
	if err != nil {
		return err
	}
	if len(*params) > 0 {
		if opts.Params, err = paramValues(prog, *params); err != nil {
			return err
		}
	}
	noteNoQubits(stderr, fs.Arg(0), prog.Circuit)
	p, err := export.Export(prog.Circuit, *target, opts)
	if err != nil {
		return err
	}
	if *stats {
		fmt.Fprintf(stderr, "stats: %s\n", p.Stats())
	}
	if *out == "" {
		_, err = stdout.Write(p.Text)
		return err
	}
	return atomicfile.WriteFile(*out, p.Text, 0o644)
}

// adapterCircuit is one bound circuit of an adapter.
type adapterCircuit struct {
	name string // <module>.<U|V>[.<block path>]
	c    *circuit.Circuit
}

// adapterCircuits loads a Quantum-PEFT checkpoint and binds the trained (and, when the
// adapter quantises them, quantised) angles into each factor's circuit blocks. Blocks of a
// non-power-of-two factor that are not circuits (cosine–sine stages, Taylor maps) are
// reported in skipped. With whole, each factor is one circuit (ortho.WholeCircuit) and
// nothing is skipped.
func adapterCircuits(dir string, whole bool) (out []adapterCircuit, skipped []string, err error) {
	ck, err := peft.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range ck.Modules {
		q, ok := m.Adapter.(*peft.QuantumPEFT)
		if !ok {
			return nil, nil, fmt.Errorf("module %s holds a %s adapter; only Quantum-PEFT adapters are circuits", m.Name, m.Adapter.Method())
		}
		for _, which := range []string{"U", "V"} {
			theta := q.ThetaU.Value
			if which == "V" {
				theta = q.ThetaV.Value
			}
			if qz := q.Quantizer(); qz != nil {
				eff := make([]float64, len(theta))
				qz.QuantizeAll(eff, theta)
				theta = eff
			}
			if whole {
				wc, err := ortho.WholeCircuit(q.Factor(which), theta)
				if err != nil {
					return nil, nil, fmt.Errorf("module %s factor %s: %w", m.Name, which, err)
				}
				out = append(out, adapterCircuit{name: m.Name + "." + which, c: wc})
				continue
			}
			st, ok := q.Factor(which).(ortho.Structured)
			if !ok {
				return nil, nil, fmt.Errorf("module %s factor %s does not list its blocks", m.Name, which)
			}
			blocks := st.Blocks()
			for _, b := range blocks {
				name := m.Name + "." + which
				if len(blocks) > 1 {
					name += "." + b.Path
				}
				if b.Kind != "circuit" || b.Circuit == nil {
					if b.Params > 0 || b.Kind != "identity" {
						skipped = append(skipped, fmt.Sprintf("%s (%s block, %d angles)", name, b.Kind, b.Params))
					}
					continue
				}
				bc, err := b.Circuit.BindVector(theta[b.Offset : b.Offset+b.Params])
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", name, err)
				}
				out = append(out, adapterCircuit{name: name, c: bc})
			}
		}
	}
	return out, skipped, nil
}

func exportAdapter(dir string, whole bool, target string, opts export.Options, out string, stats bool, stdout, stderr io.Writer) error {
	circs, skipped, err := adapterCircuits(dir, whole)
	if err != nil {
		return err
	}
	if out == "" {
		return usageError("--adapter writes one file per circuit: give an output directory with -o")
	}
	notes, err := outdir.Check(out, "-o", 0)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
	// Every circuit is exported first; the directory is then written as a whole
	// (outdir.Write: a temporary directory beside out, renamed into place).
	ext := targetExt[strings.ToLower(target)]
	var lines []string
	texts := make([][]byte, len(circs))
	statsText := make([]export.Stats, len(circs))
	for i, ac := range circs {
		p, err := export.Export(ac.c, target, opts)
		if err != nil {
			return fmt.Errorf("%s: %w", ac.name, err)
		}
		texts[i], statsText[i] = p.Text, p.Stats()
		lines = append(lines, fmt.Sprintf("%s: %d qubits, %d gates → %s", ac.name, ac.c.NumQubits, len(p.Circuit.Ops), filepath.Join(out, ac.name+ext)))
	}
	err = outdir.Write(out, "-o", "qpeft export --adapter", func(dir string) error {
		for i, ac := range circs {
			if err := os.WriteFile(filepath.Join(dir, ac.name+ext), texts[i], 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, l := range lines {
		fmt.Fprintln(stdout, l)
		if stats {
			fmt.Fprintf(stderr, "stats: %s: %s\n", circs[i].name, statsText[i])
		}
	}
	for _, s := range skipped {
		fmt.Fprintf(stderr, "note: %s is classical (not a circuit) and was not exported; --whole exports each factor as one circuit\n", s)
	}
	return nil
}
