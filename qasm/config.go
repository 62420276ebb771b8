package qasm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/internal/gcpace"
	"github.com/qpeft/qpeft/qasm/ast"
	"github.com/qpeft/qpeft/qasm/parser"
	"github.com/qpeft/qpeft/qasm/scanner"
)

// Error is one error with its source position (file:line:col).
type Error = scanner.Error

// ErrorList is a sorted list of errors; Parse returns one when the program has errors.
// Its Error method lists them one per line.
type ErrorList = scanner.ErrorList

// Limits bound the resources a program may use while it is read, so that no input can make
// the parser hang or exhaust memory. Each error caused by a limit names it. A zero field
// takes its value from DefaultLimits.
type Limits struct {
	// MaxSourceBytes bounds the total size of the file and every file it includes.
	MaxSourceBytes int64
	// MaxQubits and MaxClbits bound the declared qubits and classical bits.
	MaxQubits, MaxClbits int
	// MaxParams bounds the number of input parameters (array elements count one each).
	MaxParams int
	// MaxOps bounds the operations of the resulting circuit (after loops are unrolled and
	// gates inlined) and of any one gate's inlined body; the work of lowering is bounded by
	// twice this (which bounds memory to a few hundred bytes per operation).
	MaxOps int
	// MaxLoopIterations bounds the total number of loop iterations.
	MaxLoopIterations int
	// MaxNesting bounds how deeply blocks, expressions and subroutine calls nest.
	MaxNesting int
	// MaxIncludeDepth bounds how deeply includes nest.
	MaxIncludeDepth int
	// MaxExprNodes bounds the size of a symbolic angle expression (one that depends on
	// input parameters).
	MaxExprNodes int
	// MaxErrors stops reading after this many errors.
	MaxErrors int
}

// DefaultLimits are the limits used for zero fields of Config.Limits.
var DefaultLimits = Limits{
	MaxSourceBytes:    64 << 20,
	MaxQubits:         4096,
	MaxClbits:         1 << 16,
	MaxParams:         1 << 20,
	MaxOps:            1 << 20,
	MaxLoopIterations: 1 << 20,
	MaxNesting:        200,
	MaxIncludeDepth:   16,
	MaxExprNodes:      10000,
	MaxErrors:         50,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	return Limits{
		MaxSourceBytes:    positiveOr(l.MaxSourceBytes, d.MaxSourceBytes),
		MaxQubits:         positiveOr(l.MaxQubits, d.MaxQubits),
		MaxClbits:         positiveOr(l.MaxClbits, d.MaxClbits),
		MaxParams:         positiveOr(l.MaxParams, d.MaxParams),
		MaxOps:            positiveOr(l.MaxOps, d.MaxOps),
		MaxLoopIterations: positiveOr(l.MaxLoopIterations, d.MaxLoopIterations),
		MaxNesting:        positiveOr(l.MaxNesting, d.MaxNesting),
		MaxIncludeDepth:   positiveOr(l.MaxIncludeDepth, d.MaxIncludeDepth),
		MaxExprNodes:      positiveOr(l.MaxExprNodes, d.MaxExprNodes),
		MaxErrors:         positiveOr(l.MaxErrors, d.MaxErrors),
	}
}

// positiveOr returns v when it is positive and def otherwise.
func positiveOr[T int | int64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Config controls reading. The zero value reads files from the operating system with
// DefaultLimits.
type Config struct {
	Limits Limits
	// ReadFile reads an included file (a path joined to the including file's directory).
	// When nil, files are read from the operating system, regular files only.
	ReadFile func(path string) ([]byte, error)
	// IncludePaths are directories searched, in order, for an include that is not found
	// next to the including file (the -I DIR flag of the command line). Includes may read
	// only files inside these directories and the program's own directory.
	IncludePaths []string
	// AllowAnyInclude lets includes read files anywhere (absolute paths, .. and symbolic
	// links out of the program's directory); only for programs you trust. Includes still
	// read regular files only.
	AllowAnyInclude bool
	// BaseDir, when set, replaces the program file's directory for its includes: they are
	// resolved against it and confined to it (with IncludePaths). Use it for a program
	// stored inside another file, such as the circuits of an adapter's config.
	BaseDir string
}

// Program is a lowered OpenQASM program.
type Program struct {
	// Circuit is the program as a circuit: every loop unrolled, every user gate inlined,
	// every input a symbolic parameter.
	Circuit *circuit.Circuit
	// Version is the version as declared ("2.0", "3", "3.0"), or "" when the file has no
	// OPENQASM line (read as OpenQASM 3).
	Version string
	// Major is 2 or 3.
	Major int
	// Inputs are the input declarations in order.
	Inputs []Input
	// Pragmas are the #pragma lines, in order; qpeft does not act on them.
	Pragmas []Pragma
}

// Input is one input declaration. A scalar input is one circuit parameter named like the
// input; an array input array[float[64], n] t is n parameters named t[0] … t[n-1].
type Input struct {
	Name string
	// Type is the declared type as written in OpenQASM, e.g. "float[64]", "angle[32]",
	// "array[float[64], 4]".
	Type string
	// Params are the circuit parameters this input provides.
	Params []string
	Pos    circuit.Pos
}

// Pragma is a #pragma line.
type Pragma struct {
	Text string
	Pos  circuit.Pos
}

// Parse reads an OpenQASM 2 or 3 program and returns its circuit. filename is used in
// error positions and to resolve includes (relative to its directory); src is the text.
// Errors are an ErrorList with file:line:col positions.
func Parse(filename string, src []byte) (*circuit.Circuit, error) {
	var c Config
	p, err := c.Parse(filename, src)
	if err != nil {
		return nil, err
	}
	return p.Circuit, nil
}

// ParseFile reads the OpenQASM program in the named file and returns its circuit.
func ParseFile(path string) (*circuit.Circuit, error) {
	var c Config
	p, err := c.ParseFile(path)
	if err != nil {
		return nil, err
	}
	return p.Circuit, nil
}

// ParseFile reads the program in the named file with this configuration.
func (c *Config) ParseFile(path string) (*Program, error) {
	lim := c.Limits.withDefaults()
	src, err := c.readFile(path, lim.MaxSourceBytes)
	if err != nil {
		return nil, err
	}
	return c.Parse(path, src)
}

// ParseReader reads a program from r (such as standard input); name is used in positions.
func (c *Config) ParseReader(name string, r io.Reader) (*Program, error) {
	lim := c.Limits.withDefaults()
	src, err := io.ReadAll(io.LimitReader(r, lim.MaxSourceBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(src)) > lim.MaxSourceBytes {
		return nil, fmt.Errorf("%s: input larger than %d bytes (limit MaxSourceBytes)", name, lim.MaxSourceBytes)
	}
	return c.Parse(name, src)
}

func (c *Config) readFile(path string, max int64) ([]byte, error) {
	if c.ReadFile != nil {
		b, err := c.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if int64(len(b)) > max {
			return nil, fmt.Errorf("%s: file larger than %d bytes (limit MaxSourceBytes)", path, max)
		}
		return b, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not an OpenQASM file", path)
	}
	// A regular file's size is known: reading into a buffer of that size (and the
	// bytes.Buffer's minimum read) holds the source once, without io.ReadAll's copies.
	var buf bytes.Buffer
	if err == nil && st.Mode().IsRegular() && st.Size() <= max {
		buf.Grow(int(st.Size()) + bytes.MinRead + 1)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, max+1)); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	b := buf.Bytes()
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: file larger than %d bytes (limit MaxSourceBytes)", path, max)
	}
	return b, nil
}

// largeSource is the source size (bytes) from which reading paces the garbage collector.
const largeSource = 1 << 20

// Parse reads a program from src with this configuration.
func (c *Config) Parse(filename string, src []byte) (*Program, error) {
	lim := c.Limits.withDefaults()
	if int64(len(src)) > lim.MaxSourceBytes {
		return nil, ErrorList{{Pos: ast.Pos{File: filename, Line: 1, Col: 1},
			Msg: fmt.Sprintf("file is %d bytes, more than the limit of %d (limit MaxSourceBytes)", len(src), lim.MaxSourceBytes)}}
	}
	if len(src) >= largeSource {
		// The collector runs earlier while a large source is read (internal/gcpace): each
		// statement's syntax tree is garbage once lowered, next to the growing circuit.
		defer gcpace.Lower()()
	}
	// Each statement is lowered as soon as it is parsed and then dropped, so that memory
	// follows the circuit, not the syntax tree of the whole file. Syntax errors still take
	// precedence: when the file has any, they are the only errors reported.
	pc := parser.Config{MaxNesting: lim.MaxNesting, MaxErrors: lim.MaxErrors}
	stmts := bytes.Count(src, []byte{';'})
	if stmts > lim.MaxOps {
		if err := refuseFlat(pc, filename, src, lim); err != nil {
			return nil, err
		}
	}
	var l *lowerer
	start := func(major int, version string) {
		l = newLowerer(c, lim, major)
		l.srcBytes = int64(len(src))
		l.begin(filename, version)
		// Most statements make one operation: reserving that many up front avoids the
		// copies of a growing slice (capacity never written costs no resident memory).
		l.ops = make([]circuit.Op, 0, min(stmts, lim.MaxOps)+1)
	}
	f, err := pc.ParseEach(filename, src, func(s ast.Stmt) bool {
		if l == nil {
			if v, ok := s.(*ast.VersionStmt); ok {
				start(v.Major, v.Lit)
			} else {
				start(3, "")
			}
		}
		return l.lowerStmt(s)
	})
	if err != nil {
		return nil, err
	}
	if l == nil {
		major, version := 3, ""
		if f.Version != nil {
			major, version = f.Version.Major, f.Version.Lit
		}
		start(major, version)
	}
	return l.finish()
}

// includeDir is the directory includes of file are resolved against.
func includeDir(file string) string {
	if file == "" || file[0] == '<' || file == "-" {
		return "."
	}
	return filepath.Dir(file)
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
