package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/peft"
	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/peft/ortho"
)

// ansatzSubcommands are the subcommands of qpeft ansatz, in the order --help lists them;
// each binds its flags in flags so that qpeft ansatz --help can list them.
var ansatzSubcommands = []struct {
	cmd   command
	flags func(fs *pflag.FlagSet)
}{
	{command{name: "ansatz pauli", summary: "print the canonical Pauli ansatz of N qubits as OpenQASM 3", usage: "--qubits N [--layers L]"}, pauliFlags},
	{command{name: "ansatz check", summary: "check that an OpenQASM file is a valid real ansatz and summarise it", usage: "FILE.qasm|- [-I DIR ...] [--allow-any-include]"}, func(fs *pflag.FlagSet) { addQASMFlags(fs) }},
	{command{name: "ansatz blocks", summary: "list the blocks (circuits, cosine–sine stages) of a factor of any dimension", usage: "--dim N [--rank K] [--layers L] [--cs walsh|full] [--circuit FILE.qasm] [--json]"}, blocksFlags},
}

func init() {
	register(&command{name: "ansatz",
		summary: "print the canonical Pauli ansatz as OpenQASM 3, check a user ansatz, show the blocks of any dimension",
		usage: "pauli --qubits N [--layers L]\n" +
			"  qpeft ansatz check FILE.qasm\n" +
			"  qpeft ansatz blocks --dim N [--rank K] [--layers L] [--cs walsh|full] [--circuit FILE.qasm] [--json]",
		extraHelp: ansatzHelp,
		run:       runAnsatz})
	ansatzSubcommands[0].cmd.run = func(args []string, _ io.Reader, stdout, stderr io.Writer) error {
		return ansatzPauli(args, stdout, stderr)
	}
	ansatzSubcommands[1].cmd.run = ansatzCheck
	ansatzSubcommands[2].cmd.run = func(args []string, _ io.Reader, stdout, stderr io.Writer) error {
		return ansatzBlocks(args, stdout, stderr)
	}
}

// ansatzHelp lists the subcommands of qpeft ansatz with their flags.
func ansatzHelp() string {
	var b strings.Builder
	b.WriteString("\nSubcommands (qpeft ansatz SUBCOMMAND --help for one):\n")
	for _, s := range ansatzSubcommands {
		fmt.Fprintf(&b, "  %-7s %s\n", strings.TrimPrefix(s.cmd.name, "ansatz "), s.cmd.summary)
		fs := pflag.NewFlagSet(s.cmd.name, pflag.ContinueOnError)
		fs.SortFlags = false
		s.flags(fs)
		for _, line := range strings.Split(strings.TrimRight(fs.FlagUsages(), "\n"), "\n") {
			if line != "" {
				b.WriteString("    " + line + "\n")
			}
		}
	}
	return b.String()
}

func runAnsatz(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("give a subcommand: pauli, check or blocks")
	}
	for i := range ansatzSubcommands {
		if c := &ansatzSubcommands[i].cmd; args[0] == strings.TrimPrefix(c.name, "ansatz ") {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	if args[0] == "help" && len(args) > 1 {
		return runAnsatz(append(args[1:], "--help"), stdin, stdout, stderr)
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		return parseFlags(newFlags(commands["ansatz"], stderr), []string{"--help"})
	}
	return usageError("unknown subcommand %q (want pauli, check or blocks)", args[0])
}

// pauliFlags binds the flags of qpeft ansatz pauli.
func pauliFlags(fs *pflag.FlagSet) {
	fs.Int("qubits", 0, "number of qubits n (the factor has dimension 2^n)")
	fs.Int("layers", 1, "number of entangling layers L")
}

// blocksFlags binds the flags of qpeft ansatz blocks.
func blocksFlags(fs *pflag.FlagSet) {
	fs.Int("dim", 0, "dimension N of the factor (any N ≥ 1)")
	fs.Int("rank", 8, "number of columns K used (the first K columns of Q)")
	fs.Int("layers", 1, "entangling layers L of the Pauli blocks")
	fs.String("cs", "walsh", "cosine–sine stages: walsh or full")
	fs.String("circuit", "", "use this OpenQASM ansatz (on log2 N qubits) instead of the Pauli ansatz")
	fs.Bool("json", false, "write the factor tree and its compiled programs as JSON (docs/program-schema.md)")
	addQASMFlags(fs)
}

// intFlag returns the value of an int flag bound by pauliFlags or blocksFlags.
func intFlag(fs *pflag.FlagSet, name string) int {
	v, err := fs.GetInt(name)
	if err != nil {
		panic(err) // a programming error: the flag is bound above
	}
	return v
}

func ansatzPauli(args []string, stdout, stderr io.Writer) error {
	fs := newFlags(&ansatzSubcommands[0].cmd, stderr)
	pauliFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	q, l := intFlag(fs, "qubits"), intFlag(fs, "layers")
	qubits, layers := &q, &l
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	if !fs.Changed("qubits") {
		return usageError("--qubits is required (e.g. --qubits 10 for a 1024-dimensional factor)")
	}
	if *qubits < 1 || *qubits > ansatz.MaxQubits {
		return usageError("--qubits %d must be in 1..%d", *qubits, ansatz.MaxQubits)
	}
	if *layers < 0 || *layers > ortho.MaxLayers {
		return usageError("--layers %d must be in 0..%d", *layers, ortho.MaxLayers)
	}
	c, err := ansatz.Pauli(*qubits, *layers)
	if err != nil {
		return err
	}
	text, err := ansatz.QASM(c)
	if err != nil {
		return err
	}
	p, _ := ansatz.PauliParams(*qubits, *layers)
	fmt.Fprintf(stdout, "// Quantum-PEFT Pauli ansatz: %d qubits (dimension %d), L = %d, %d angles = (2L+1)·n − 2L.\n", *qubits, 1<<*qubits, *layers, p)
	fmt.Fprintf(stdout, "// RY on every qubit, then L times CZ brickwork on the even pairs and then the odd pairs,\n")
	fmt.Fprintf(stdout, "// each CZ followed by RY on both of its qubits. Edit freely: any real gates (ry, cry, cz, cx,\n")
	fmt.Fprintf(stdout, "// x, z, h, swap, …) make a valid ansatz; check it with `qpeft ansatz check FILE.qasm`.\n")
	_, err = io.WriteString(stdout, text)
	return err
}

func ansatzCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags(&ansatzSubcommands[1].cmd, stderr)
	qf := addQASMFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("check takes one OpenQASM file (or - for standard input)")
	}
	name := fs.Arg(0)
	var src []byte
	var err error
	if name == "-" {
		name = "<stdin>"
		src, err = io.ReadAll(stdin)
	} else {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		return err
	}
	cfg, err := qf.config()
	if err != nil {
		return err
	}
	c, err := ansatz.ParseQASMConfig(&cfg, name, src)
	if err != nil {
		return err
	}
	ops := c.CountOps()
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %d", n, ops[n]))
	}
	fmt.Fprintf(stdout, "%s: a valid real ansatz\n", name)
	fmt.Fprintf(stdout, "qubits:     %d (an orthogonal factor of dimension %d)\n", c.NumQubits, 1<<c.NumQubits)
	fmt.Fprintf(stdout, "parameters: %d\n", len(c.Params))
	fmt.Fprintf(stdout, "gates:      %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(stdout, "depth:      %d\n", c.Depth())
	return nil
}

func ansatzBlocks(args []string, stdout, stderr io.Writer) error {
	fs := newFlags(&ansatzSubcommands[2].cmd, stderr)
	blocksFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, r, l := intFlag(fs, "dim"), intFlag(fs, "rank"), intFlag(fs, "layers")
	c, _ := fs.GetString("cs")
	dim, rank, layers, cs := &d, &r, &l, &c
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	if *dim < 1 {
		return usageError("--dim N is required and must be ≥ 1")
	}
	if *rank < 1 || *rank > *dim {
		return usageError("--rank %d must be in 1..%d", *rank, *dim)
	}
	mode, err := ortho.ParseCSMode(*cs)
	if err != nil {
		return usageError("--cs: %v", err)
	}
	circPath, _ := fs.GetString("circuit")
	asJSON, _ := fs.GetBool("json")
	if asJSON {
		cfg := peft.Config{Layers: *layers, CS: mode}
		if circPath != "" {
			qcfg, err := qasmFlagsOf(fs).config()
			if err != nil {
				return err
			}
			prog, err := qcfg.ParseFile(circPath)
			if err != nil {
				return err
			}
			circ := prog.Circuit
			if err := ansatz.Check(circ); err != nil {
				return err
			}
			cfg.Map, cfg.Circuits = ortho.KindCircuit, map[int]*circuit.Circuit{*dim: circ}
		}
		ff, err := cfg.DescribeFactor(*dim, *rank)
		if err != nil {
			return err
		}
		js, err := json.MarshalIndent(ff, "", " ")
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(js, '\n'))
		return err
	}
	if circPath != "" {
		return usageError("--circuit applies with --json (the listing shows the Pauli blocks)")
	}
	spec := ortho.Spec{Layers: *layers, CS: mode}
	s, err := ortho.New(*dim, *rank, spec)
	if err != nil {
		return usageError("%v", err)
	}
	fmt.Fprintf(stdout, "first %d columns of an orthogonal %d x %d factor, Pauli blocks with L = %d, %s cosine–sine stages\n", *rank, *dim, *dim, *layers, mode)
	blocks := s.(ortho.Structured).Blocks()
	w := len("block")
	for i := range blocks {
		if blocks[i].Path == "" {
			blocks[i].Path = "Q"
		}
		w = max(w, len(blocks[i].Path))
	}
	fmt.Fprintf(stdout, "%-*s  %-10s %8s %8s %8s\n", w, "block", "kind", "dim", "offset", "params")
	for _, b := range blocks {
		fmt.Fprintf(stdout, "%-*s  %-10s %8d %8d %8d\n", w, b.Path, b.Kind, b.Dim, b.Offset, b.Params)
	}
	fmt.Fprintf(stdout, "total parameters: %d\n", s.NumParams())
	return nil
}
