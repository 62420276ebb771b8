// Package layering encodes qpeft's intended package layering and checks an import graph
// against it.
//
// Every package of the module belongs to one Layer (by the longest matching path prefix). An
// import must point down: to a lower Level, to the same layer, or to a top-level internal/
// package (which any package may use; internal/ packages import only each other). The
// tensor stack (nn, file formats, models) knows nothing of circuits: it may not import the
// circuit stack whatever the levels. A few Forbidden edges add rules the levels cannot say
// (export writes from the IR, so it does not use the qasm front end). The imports that break
// these rules today are listed in Exceptions, each with the issue that removes it; Check
// reports any other violation and any exception that is no longer needed.
//
// The test of this package runs Check on `go list` of the module; `go generate` here (go run
// ./gen) rewrites the generated part of docs/architecture.md from the same data.
package layering

//go:generate go run ./gen -doc ../../docs/architecture.md

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
)

// Module is the module path; package paths in this package are relative to it.
const Module = "github.com/qpeft/qpeft"

// Stack names.
const (
	Circuits = "circuits" // gates, circuit, qasm, sim, lowering, export
	Tensors  = "tensors"  // nn, file formats, models
	Top      = "top"      // adapters, training, tools, commands, examples
	Base     = "base"     // top-level internal/ packages
)

// Layer is a set of packages at one level of the layering.
type Layer struct {
	// Name names the layer in diagrams and messages.
	Name string
	// Level orders the layers: a package imports only lower levels (or its own layer).
	Level int
	// Stack is Circuits, Tensors, Top or Base.
	Stack string
	// Prefixes are the package paths (relative to Module) of the layer; a prefix also covers
	// the packages below it.
	Prefixes []string
}

// Layers is the intended layering, from the bottom up (see docs/architecture.md).
var Layers = []Layer{
	{Name: "internal", Level: 0, Stack: Base, Prefixes: []string{"internal"}},
	{Name: "gates", Level: 1, Stack: Circuits, Prefixes: []string{"gates"}},
	{Name: "nn", Level: 1, Stack: Tensors, Prefixes: []string{"nn"}},
	{Name: "circuit", Level: 2, Stack: Circuits, Prefixes: []string{"circuit"}},
	{Name: "circuit/fuse", Level: 3, Stack: Circuits, Prefixes: []string{"circuit/fuse"}},
	// internal/oracle is the brute-force reference of the circuit tests: it sits just above
	// circuit (it builds matrices of circuit operations) and below sim and lowering, so that it
	// can never use the code it checks.
	{Name: "internal/oracle", Level: 3, Stack: Circuits, Prefixes: []string{"internal/oracle"}},
	{Name: "formats", Level: 2, Stack: Tensors, Prefixes: []string{"formats", "data"}},
	{Name: "qasm", Level: 3, Stack: Circuits, Prefixes: []string{"qasm"}},
	{Name: "models", Level: 3, Stack: Tensors, Prefixes: []string{"models"}},
	{Name: "sim", Level: 4, Stack: Circuits, Prefixes: []string{"sim"}},
	{Name: "lowering", Level: 5, Stack: Circuits, Prefixes: []string{"lowering"}},
	{Name: "export", Level: 6, Stack: Circuits, Prefixes: []string{"export"}},
	{Name: "peft", Level: 7, Stack: Top, Prefixes: []string{"peft"}},
	{Name: "train", Level: 8, Stack: Top, Prefixes: []string{"train"}},
	{Name: "interop", Level: 9, Stack: Top, Prefixes: []string{"interop"}},
	{Name: "cmd", Level: 10, Stack: Top, Prefixes: []string{"cmd", "examples"}},
}

// Edge is an import of To by From (package paths relative to Module).
type Edge struct{ From, To string }

// Forbidden is an import rule the levels cannot express.
type Forbidden struct {
	// From and To are path prefixes.
	From, To string
	// Why explains the rule.
	Why string
}

// Forbiddens are the extra rules.
var Forbiddens = []Forbidden{
	{From: "export", To: "qasm/parser", Why: "export writes every format from the IR, without re-parsing QASM"},
	{From: "export", To: "qasm/ast", Why: "export writes every format from the IR, without rewriting a QASM syntax tree"},
}

// Exception is a known violation, allowed until its issue is resolved.
type Exception struct {
	Edge
	// Issue is the number of the issue that removes it.
	Issue int
	// Fix says how.
	Fix string
}

// Exceptions are today's violations. Remove an entry when its import goes away (Check
// reports entries that are no longer needed).
var Exceptions = []Exception{}

// LayerOf returns the layer of the package at path (relative to Module): the layer with the
// longest matching prefix.
func LayerOf(path string) (Layer, bool) {
	var best Layer
	n := -1
	for _, l := range Layers {
		for _, p := range l.Prefixes {
			if (path == p || strings.HasPrefix(path, p+"/")) && len(p) > n {
				best, n = l, len(p)
			}
		}
	}
	return best, n >= 0
}

// Violation is an import that breaks the layering.
type Violation struct {
	Edge
	// Why says which rule it breaks.
	Why string
}

func (v Violation) String() string { return fmt.Sprintf("%s imports %s: %s", v.From, v.To, v.Why) }

// violation returns why the import e breaks the layering, or "".
func violation(e Edge) string {
	lf, okf := LayerOf(e.From)
	lt, okt := LayerOf(e.To)
	switch {
	case !okf:
		return fmt.Sprintf("package %s is in no layer: add it to layering.Layers", e.From)
	case !okt:
		return fmt.Sprintf("package %s is in no layer: add it to layering.Layers", e.To)
	}
	for _, f := range Forbiddens {
		if hasPrefix(e.From, f.From) && hasPrefix(e.To, f.To) {
			return f.Why
		}
	}
	switch {
	case lf.Name == lt.Name:
		return ""
	case lt.Stack == Base:
		return ""
	case lf.Stack == Base:
		return fmt.Sprintf("internal/ packages import only internal/ packages, not layer %s", lt.Name)
	case lf.Stack == Tensors && lt.Stack == Circuits:
		return fmt.Sprintf("the tensor stack (layer %s) knows nothing of circuits (layer %s)", lf.Name, lt.Name)
	case lt.Level >= lf.Level:
		return fmt.Sprintf("layer %s (level %d) imports layer %s (level %d), which is not below it", lf.Name, lf.Level, lt.Name, lt.Level)
	}
	return ""
}

func hasPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// Check returns the imports of graph (package → its imports, paths relative to Module) that
// break the layering and are not Exceptions, and the Exceptions no longer needed (their
// import is gone, or it no longer breaks a rule).
func Check(graph map[string][]string) (violations []Violation, stale []Exception) {
	used := map[Edge]bool{}
	for _, from := range sortedKeys(graph) {
		for _, to := range graph[from] {
			e := Edge{from, to}
			why := violation(e)
			if why == "" {
				continue
			}
			if slices.ContainsFunc(Exceptions, func(x Exception) bool { return x.Edge == e }) {
				used[e] = true
				continue
			}
			violations = append(violations, Violation{e, why})
		}
	}
	for _, x := range Exceptions {
		if !used[x.Edge] {
			stale = append(stale, x)
		}
	}
	return violations, stale
}

func sortedKeys(m map[string][]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// GoList returns the import graph of the module's non-test code, from `go list -json MODULE/...`
// run in dir (any directory of the module): each package (relative to Module) with its
// imports inside the module.
func GoList(dir string) (map[string][]string, error) {
	cmd := exec.Command("go", "list", "-json", Module+"/...")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("layering: go list: %w\n%s", err, stderr.Bytes())
	}
	return parseGoList(bytes.NewReader(out))
}

// parseGoList reads the concatenated JSON objects of `go list -json`.
func parseGoList(r io.Reader) (map[string][]string, error) {
	graph := map[string][]string{}
	dec := json.NewDecoder(r)
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return graph, nil
		} else if err != nil {
			return nil, fmt.Errorf("layering: go list output: %w", err)
		}
		from, ok := rel(p.ImportPath)
		if !ok {
			continue
		}
		imps := []string{}
		for _, imp := range p.Imports {
			if to, ok := rel(imp); ok {
				imps = append(imps, to)
			}
		}
		graph[from] = imps
	}
}

// rel returns path relative to Module, and whether it is in the module.
func rel(path string) (string, bool) {
	if path == Module {
		return "", false // the root package, if any, is not layered
	}
	r, ok := strings.CutPrefix(path, Module+"/")
	return r, ok
}
