package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/qpeft/qpeft/peft/ansatz"
	"github.com/qpeft/qpeft/peft/ortho"
)

func init() {
	register(&command{name: "ansatz",
		summary: "print the canonical Pauli ansatz as OpenQASM 3, check a user ansatz, show the blocks of any dimension",
		usage: "pauli --qubits N [--layers L]\n" +
			"  qpeft ansatz check FILE.qasm\n" +
			"  qpeft ansatz blocks --dim N [--rank K] [--layers L] [--cs walsh|full]",
		run: runAnsatz})
}

func runAnsatz(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("give a subcommand: pauli, check or blocks")
	}
	switch args[0] {
	case "pauli":
		return ansatzPauli(args[1:], stdout, stderr)
	case "check":
		return ansatzCheck(args[1:], stdin, stdout, stderr)
	case "blocks":
		return ansatzBlocks(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fs := newFlags(commands["ansatz"], stderr)
		fs.SetOutput(stdout)
		fs.Usage()
		return nil
	}
	return usageError("unknown subcommand %q (want pauli, check or blocks)", args[0])
}

func ansatzPauli(args []string, stdout, stderr io.Writer) error {
	fs := newFlags(commands["ansatz"], stderr)
	qubits := fs.Int("qubits", 0, "number of qubits n (the factor has dimension 2^n)")
	layers := fs.Int("layers", 1, "number of entangling layers L")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
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
	fs := newFlags(commands["ansatz"], stderr)
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
	c, err := ansatz.ParseQASM(name, src)
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
	fs := newFlags(commands["ansatz"], stderr)
	dim := fs.Int("dim", 0, "dimension N of the factor (any N ≥ 1)")
	rank := fs.Int("rank", 8, "number of columns K used (the first K columns of Q)")
	layers := fs.Int("layers", 1, "entangling layers L of the Pauli blocks")
	cs := fs.String("cs", "walsh", "cosine–sine stages: walsh or full")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
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
