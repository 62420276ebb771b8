package main

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/sim"
)

func init() {
	register(&command{
		name:    "unitary",
		summary: "print the unitary matrix of an OpenQASM program, or write it as .npy or .csv",
		usage:   "FILE.qasm|- [--param NAME=VALUE ...] [-o FILE.npy|FILE.csv] [--digits D]",
		run:     runUnitary,
	})
}

func runUnitary(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := commands["unitary"]
	fs := newFlags(cmd, stderr)
	params := fs.StringArray("param", nil, paramUsage)
	out := fs.StringP("out", "o", "", "write the full-precision matrix to FILE.npy (NumPy complex128, or float64 for a real circuit) or FILE.csv, atomically")
	digits := fs.Int("digits", 4, "digits after the decimal point when printing")
	qf := addQASMFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("unitary takes one OpenQASM file (or - for standard input), got %d arguments", fs.NArg())
	}
	if *out != "" {
		switch strings.ToLower(filepath.Ext(*out)) {
		case ".npy", ".csv":
		default:
			return usageError("--out %q: the file name must end in .npy or .csv", *out)
		}
	}
	if *digits < 0 || *digits > 17 {
		return usageError("--digits %d must be between 0 and 17", *digits)
	}
	p, err := qf.readProgram(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	values, err := inputValues(p, *params)
	if err != nil {
		return err
	}
	c := p.Circuit
	noteNoQubits(stderr, fs.Arg(0), c)
	u, err := c.RemoveFinalMeasurements()
	if err != nil {
		return fmt.Errorf("%s has no unitary: %w", fs.Arg(0), err)
	}
	if op := firstNonUnitary(u); op != nil {
		return fmt.Errorf("%s has no unitary: %s%s is not a unitary operation (final measurements are dropped; resets and conditions are not)", fs.Arg(0), posText(op.Pos), describeOp(op))
	}
	env := circuit.MapEnv(values)
	n := c.NumQubits
	dim := 1 << n
	if u.IsReal() {
		m, err := sim.RealUnitary(u, env)
		if err != nil {
			return err
		}
		if *out != "" {
			return writeMatrix(stdout, *out, dim, dim, m.Data, nil)
		}
		return printMatrix(stdout, n, *digits, func(i, j int) (float64, float64) { return m.Data[i*dim+j], 0 }, true)
	}
	m, err := sim.Unitary(u, env)
	if err != nil {
		return err
	}
	if *out != "" {
		return writeMatrix(stdout, *out, dim, dim, nil, m.Data)
	}
	return printMatrix(stdout, n, *digits, func(i, j int) (float64, float64) {
		v := m.Data[i*dim+j]
		return real(v), imag(v)
	}, false)
}

// printMatrix prints an aligned matrix for reading in a terminal: row i is ⟨i|, column j
// is |j⟩, basis states labelled with qubit n−1 leftmost.
func printMatrix(w io.Writer, n, digits int, at func(i, j int) (float64, float64), isReal bool) error {
	bw := bufio.NewWriter(w)
	dim := 1 << n
	num := func(v float64) string {
		s := strconv.FormatFloat(v, 'f', digits, 64)
		if strings.Trim(s, "-0.") == "" {
			s = strings.TrimPrefix(s, "-") // no -0.0000
		}
		return s
	}
	cells := make([]string, dim*dim)
	width := 0
	for i := 0; i < dim; i++ {
		for j := 0; j < dim; j++ {
			re, im := at(i, j)
			s := num(re)
			if !isReal {
				is := num(im)
				if !strings.HasPrefix(is, "-") {
					is = "+" + is
				}
				s += is + "i"
			}
			cells[i*dim+j] = s
			width = max(width, len(s))
		}
	}
	kind := "unitary"
	if isReal {
		kind = "orthogonal (real)"
	}
	fmt.Fprintf(bw, "# %d x %d %s matrix; row ⟨i|, column |j⟩, %s\n", dim, dim, kind, leftmost(n))
	fmt.Fprintf(bw, "%*s", n+3, "")
	for j := 0; j < dim; j++ {
		fmt.Fprintf(bw, "  %*s", width, ket(j, n))
	}
	bw.WriteByte('\n')
	for i := 0; i < dim; i++ {
		fmt.Fprintf(bw, "%s", ket(i, n))
		for j := 0; j < dim; j++ {
			fmt.Fprintf(bw, "  %*s", width, cells[i*dim+j])
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
