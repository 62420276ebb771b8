package main

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

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
	memLimit := addMemoryLimitFlag(fs)
	qf := addQASMFlags(fs)
	restore, err := parseOneFile(fs, args, memLimit, "unitary takes one OpenQASM file (or - for standard input)")
	defer restore()
	if err != nil {
		return err
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
	c, values, err := qf.readCircuit(fs.Arg(0), stdin, stderr, *params)
	if err != nil {
		return err
	}
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
// is |j⟩, basis states labelled with qubit n−1 leftmost. It formats every entry twice (once
// for the column width, once to print) instead of keeping the 4^n strings: the output is
// streamed.
func printMatrix(w io.Writer, n, digits int, at func(i, j int) (float64, float64), isReal bool) error {
	bw := bufio.NewWriter(w)
	dim := 1 << n
	cell := func(b []byte, i, j int) []byte {
		re, im := at(i, j)
		b = appendFixed(b, re, digits)
		if !isReal {
			k := len(b)
			b = appendFixed(b, im, digits)
			if b[k] != '-' { // insert '+' in place: no garbage per cell
				b = append(b, 0)
				copy(b[k+1:], b[k:])
				b[k] = '+'
			}
			b = append(b, 'i')
		}
		return b
	}
	var buf []byte
	width := 0
	for i := 0; i < dim; i++ {
		for j := 0; j < dim; j++ {
			buf = cell(buf[:0], i, j)
			width = max(width, utf8.RuneCount(buf))
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
	pad := []byte(strings.Repeat(" ", width+2))
	for i := 0; i < dim; i++ {
		bw.WriteString(ket(i, n))
		for j := 0; j < dim; j++ {
			buf = cell(buf[:0], i, j)
			bw.Write(pad[:width+2-len(buf)])
			bw.Write(buf)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// appendFixed appends v with digits after the decimal point, without a minus sign on a
// value that rounds to zero.
func appendFixed(b []byte, v float64, digits int) []byte {
	k := len(b)
	b = strconv.AppendFloat(b, v, 'f', digits, 64)
	if b[k] == '-' && strings.Trim(string(b[k+1:]), "0.") == "" {
		b = append(b[:k], b[k+1:]...)
	}
	return b
}
