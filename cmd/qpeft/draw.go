package main

import (
	"io"
	"os"
	"strconv"

	"github.com/qpeft/qpeft/circuit/draw"
)

func init() {
	register(&command{
		name:    "draw",
		summary: "draw an OpenQASM program as a text circuit diagram",
		usage:   "FILE.qasm|- [--param NAME=VALUE ...] [--unicode] [--width N] [--precision D]",
		run:     runDraw,
	})
}

func runDraw(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := commands["draw"]
	fs := newFlags(cmd, stderr)
	unicode := fs.Bool("unicode", false, "draw with box-drawing characters (─ │ ● ⊕ π) instead of ASCII")
	width := fs.Int("width", defaultWidth(), "fold the diagram into pages of at most N characters (0: never fold); default $COLUMNS or 100")
	precision := fs.Int("precision", 3, "significant digits of angles")
	params := fs.StringArray("param", nil, paramUsage+"; inputs left without a value are drawn by name")
	qf := addQASMFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("draw takes one OpenQASM file (or - for standard input), got %d arguments", fs.NArg())
	}
	if *width < 0 {
		return usageError("--width %d must be 0 (no folding) or positive", *width)
	}
	if *precision < 1 || *precision > 17 {
		return usageError("--precision %d must be between 1 and 17", *precision)
	}
	p, err := qf.readProgram(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	c := p.Circuit
	if len(*params) > 0 {
		values, err := paramValues(p, *params)
		if err != nil {
			return err
		}
		if c, err = c.Bind(values); err != nil {
			return err
		}
	}
	return draw.Fprint(stdout, c, draw.Options{Unicode: *unicode, Width: *width, Precision: *precision})
}

func defaultWidth() int {
	if v, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && v > 20 {
		return v
	}
	return 100
}
