package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/formats/npy"
	"github.com/qpeft/qpeft/internal/atomicfile"
	"github.com/qpeft/qpeft/internal/plots"
	"github.com/qpeft/qpeft/lowering"
)

func init() {
	register(&command{
		name:    "lower",
		summary: "lower a circuit to its dense unitary, its first K columns, or a Kronecker-factored program",
		usage:   "FILE.qasm --form dense|stiefel|kron [--k K] [--param NAME=VALUE ...] [-o FILE.npy|FILE.csv] [--real|--complex] [--plot FILE.png] [--json]",
		run:     runLower,
	})
}

// lowerOpts are the flags of qpeft lower.
type lowerOpts struct {
	form    string
	k       int
	params  []string
	out     string
	complex bool
	real    bool
	plot    string
	json    bool
}

func runLower(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := commands["lower"]
	fs := newFlags(c, stderr)
	var o lowerOpts
	fs.StringVar(&o.form, "form", "", "dense (the 2^n x 2^n matrix), stiefel (its first K columns) or kron (a listing of the stage program)")
	fs.IntVar(&o.k, "k", 0, "number of columns for --form stiefel (1 to 2^n)")
	fs.StringArrayVar(&o.params, "param", nil, paramUsage)
	fs.StringVarP(&o.out, "out", "o", "", "write the matrix to FILE.npy (NumPy, float64 or complex128) or FILE.csv instead of printing CSV")
	fs.BoolVar(&o.complex, "complex", false, "use complex128 even when every gate is real (by default a real circuit is lowered on float64)")
	fs.BoolVar(&o.real, "real", false, "require a real circuit (an adapter for real weights): a gate with complex entries is an error naming it")
	fs.StringVar(&o.plot, "plot", "", "also draw the matrix as a heat map in FILE.png (a complex matrix as real and imaginary panels)")
	memLimit := addMemoryLimitFlag(fs)
	fs.BoolVar(&o.json, "json", false, "with --form kron: write the compiled program as a JSON document (docs/program-schema.md) with the parameters left symbolic; with -o FILE.json, to that file")
	qf := addQASMFlags(fs)
	restore, err := parseOneFile(fs, args, memLimit, "lower takes one OpenQASM file")
	defer restore()
	if err != nil {
		return err
	}
	switch o.form {
	case "dense", "stiefel", "kron":
	case "":
		return usageError("--form is required: dense, stiefel or kron")
	default:
		return usageError("--form %q is not one of dense, stiefel, kron", o.form)
	}
	if o.form == "stiefel" && o.k < 1 {
		return usageError("--form stiefel needs --k K, the number of columns (1 to 2^n)")
	}
	if o.form != "stiefel" && fs.Changed("k") {
		return usageError("--k applies only to --form stiefel")
	}
	if o.json {
		return lowerJSON(fs.Arg(0), o, qf, stdout)
	}
	if o.form == "kron" && o.out != "" {
		return usageError("--out writes a matrix; --form kron prints a listing of the stages (redirect it to save it)")
	}
	if o.form == "kron" && o.plot != "" {
		return usageError("--plot draws a matrix; use it with --form dense or --form stiefel")
	}
	if err := checkPlotPath(o.plot); err != nil {
		return err
	}
	if o.out != "" {
		switch strings.ToLower(filepath.Ext(o.out)) {
		case ".npy", ".csv":
		default:
			return usageError("--out %q: the file name must end in .npy or .csv", o.out)
		}
	}
	if o.real && o.complex {
		return usageError("--real and --complex exclude each other")
	}
	path := fs.Arg(0)
	circ, values, err := qf.readCircuit(path, nil, stderr, o.params)
	if err != nil {
		return err
	}
	theta, err := bindOrder(circ, values)
	if err != nil {
		return err
	}
	useReal := (circ.IsReal() && !o.complex) || o.real
	if o.form == "kron" {
		return lowerListing(stdout, circ, theta, useReal)
	}
	n := circ.NumQubits
	k := 1 << n
	if o.form == "stiefel" {
		if o.k > k {
			return usageError("--k %d exceeds 2^n = %d for this %d-qubit circuit", o.k, k, n)
		}
		k = o.k
	}
	if o.plot != "" && (1<<n)*k > plots.MaxHeatMapCells {
		return usageError("--plot: a %d × %d matrix is too large to draw (at most %d entries); draw fewer columns with --form stiefel --k K", 1<<n, k, plots.MaxHeatMapCells)
	}
	title := fmt.Sprintf("%s: the %d × %d unitary", filepath.Base(path), 1<<n, k)
	if o.form == "stiefel" {
		title = fmt.Sprintf("%s: the first %d columns", filepath.Base(path), k)
	}
	if useReal {
		p, err := lowering.CompileReal(circ)
		if err != nil {
			return err
		}
		u, err := p.Stiefel(theta, k)
		if err != nil {
			return err
		}
		if o.plot != "" {
			if err := writeHeatMap(o.plot, title, 1<<n, k, u.Data, nil); err != nil {
				return err
			}
		}
		return writeMatrix(stdout, o.out, 1<<n, k, u.Data, nil)
	}
	p, err := lowering.Compile(circ)
	if err != nil {
		return err
	}
	u, err := p.Columns(theta, k)
	if err != nil {
		return err
	}
	if o.plot != "" {
		if err := writeHeatMap(o.plot, title, 1<<n, k, nil, u.Data); err != nil {
			return err
		}
	}
	return writeMatrix(stdout, o.out, 1<<n, k, nil, u.Data)
}

// parseAngle reads a float, or k*pi/d forms: pi, -pi, pi/4, 3*pi/2, -3*pi/4, 2pi.
func parseAngle(s string) (float64, error) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("value %q is not finite", s)
		}
		return v, nil
	}
	t := strings.ReplaceAll(strings.ToLower(s), " ", "")
	num, den := t, ""
	if i := strings.Index(t, "/"); i >= 0 {
		num, den = t[:i], t[i+1:]
	}
	if !strings.HasSuffix(num, "pi") {
		return 0, fmt.Errorf("cannot read %q as a number (use e.g. 0.5, -1.2e-3, pi/4 or -3*pi/2)", s)
	}
	coef := strings.TrimSuffix(strings.TrimSuffix(num, "pi"), "*")
	k := 1.0
	switch coef {
	case "", "+":
	case "-":
		k = -1
	default:
		f, err := strconv.ParseFloat(coef, 64)
		if err != nil {
			return 0, fmt.Errorf("cannot read %q as a number (use e.g. 0.5, pi/4 or -3*pi/2)", s)
		}
		k = f
	}
	v := k * math.Pi
	if den != "" {
		d, err := strconv.ParseFloat(den, 64)
		if err != nil || d == 0 {
			return 0, fmt.Errorf("cannot read %q as a number (bad denominator)", s)
		}
		v /= d
	}
	return v, nil
}

// bindOrder returns the parameter values in the circuit's order, failing on unknown names
// and on parameters left without a value.
func bindOrder(c *circuit.Circuit, values map[string]float64) ([]float64, error) {
	var unknown []string
	for name := range values {
		if !c.HasParam(name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		have := "it has none"
		if len(c.Params) > 0 {
			have = "it has " + strings.Join(c.Params, ", ")
		}
		return nil, usageError("--param %s: the circuit has no such parameter (%s)", strings.Join(unknown, ", "), have)
	}
	theta := make([]float64, len(c.Params))
	var missing []string
	for i, name := range c.Params {
		v, ok := values[name]
		if !ok {
			missing = append(missing, name)
		}
		theta[i] = v
	}
	if len(missing) > 0 {
		return nil, usageError("the circuit's parameters %s have no value; pass --param %s=VALUE for each", strings.Join(missing, ", "), missing[0])
	}
	return theta, nil
}

// lowerJSON writes the program document of a real circuit, parameters symbolic.
func lowerJSON(path string, o lowerOpts, qf *qasmFlags, stdout io.Writer) error {
	switch {
	case o.form != "kron":
		return usageError("--json writes the compiled program: use it with --form kron")
	case len(o.params) > 0:
		return usageError("--json leaves every parameter symbolic; drop --param")
	case o.complex:
		return usageError("--json describes real (orthogonal) programs; drop --complex")
	case o.plot != "":
		return usageError("--plot draws a matrix; --json writes a program")
	case o.out != "" && !strings.EqualFold(filepath.Ext(o.out), ".json"):
		return usageError("--out %q: with --json the file name must end in .json", o.out)
	}
	prog, err := qf.readProgram(path, nil)
	if err != nil {
		return err
	}
	circ := prog.Circuit
	doc, err := lowering.CompileDoc(circ)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	js, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return err
	}
	js = append(js, '\n')
	if o.out == "" {
		_, err = stdout.Write(js)
		return err
	}
	return atomicfile.WriteFile(o.out, js, 0o644)
}

// lowerListing prints the stage program of the circuit.
func lowerListing(w io.Writer, c *circuit.Circuit, theta []float64, useReal bool) error {
	var text string
	if useReal {
		p, err := lowering.CompileReal(c)
		if err != nil {
			return err
		}
		if err := p.NewWorkspace().Bind(theta); err != nil {
			return err
		}
		text = "float64 (orthogonal) " + p.String()
	} else {
		p, err := lowering.Compile(c)
		if err != nil {
			return err
		}
		if err := p.NewWorkspace().Bind(theta); err != nil {
			return err
		}
		text = "complex128 (unitary) " + p.String()
	}
	_, err := io.WriteString(w, text)
	return err
}

// writeMatrix prints the rows×cols matrix (real r or complex z) as CSV, or writes it to
// path (.npy or .csv, atomically).
func writeMatrix(stdout io.Writer, path string, rows, cols int, r []float64, z []complex128) error {
	shape := []int{rows, cols}
	if path != "" && strings.EqualFold(filepath.Ext(path), ".npy") {
		if r != nil {
			return npy.WriteFile(path, shape, r)
		}
		return npy.WriteFile(path, shape, z)
	}
	if path == "" {
		bw := bufio.NewWriter(stdout)
		if err := writeCSV(bw, rows, cols, r, z); err != nil {
			return err
		}
		return bw.Flush()
	}
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return err
	}
	defer f.Abort()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := writeCSV(bw, rows, cols, r, z); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeCSV writes one row per line, values with the shortest round-trip formatting;
// complex values as Python/NumPy complex literals (1.5+0.25j).
func writeCSV(w *bufio.Writer, rows, cols int, r []float64, z []complex128) error {
	var buf []byte
	for i := 0; i < rows; i++ {
		buf = buf[:0]
		for j := 0; j < cols; j++ {
			if j > 0 {
				buf = append(buf, ',')
			}
			if r != nil {
				buf = strconv.AppendFloat(buf, r[i*cols+j], 'g', -1, 64)
				continue
			}
			v := z[i*cols+j]
			buf = strconv.AppendFloat(buf, real(v), 'g', -1, 64)
			if im := imag(v); im >= 0 || math.IsNaN(im) {
				buf = append(buf, '+')
			}
			buf = strconv.AppendFloat(buf, imag(v), 'g', -1, 64)
			buf = append(buf, 'j')
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}
