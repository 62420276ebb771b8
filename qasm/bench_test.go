package qasm

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/qasm/parser"
	"github.com/qpeft/qpeft/qasm/scanner"
)

// largeProgram writes out a layered ansatz gate by gate (no loops), as an exporter would:
// about 3.5 MB of OpenQASM 3 on 64 qubits with 32,000 input parameters.
func largeProgram() []byte {
	const n, layers = 64, 500
	var b strings.Builder
	b.WriteString("OPENQASM 3.0;\ninclude \"stdgates.inc\";\n")
	fmt.Fprintf(&b, "input array[float[64], %d] theta;\n", n*layers)
	fmt.Fprintf(&b, "qubit[%d] q;\nbit[%d] c;\n", n, n)
	k := 0
	for l := 0; l < layers; l++ {
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "ry(theta[%d] * 0.5 + %d * pi / 7) q[%d];\n", k, l%7, i)
			k++
		}
		for i := l % 2; i+1 < n; i += 2 {
			fmt.Fprintf(&b, "cz q[%d], q[%d];\n", i, i+1)
			fmt.Fprintf(&b, "ctrl @ rx(-1.25e-1) q[%d], q[%d]; // entangle\n", i+1, i)
		}
	}
	b.WriteString("c = measure q;\n")
	return []byte(b.String())
}

var (
	benchOnce sync.Once
	benchSrc  []byte
)

func benchProgram(b *testing.B) []byte {
	benchOnce.Do(func() { benchSrc = largeProgram() })
	b.SetBytes(int64(len(benchSrc)))
	b.ReportAllocs()
	return benchSrc
}

// BenchmarkScan, BenchmarkParseSyntax and BenchmarkParse measure the three stages on the
// same large program, side by side (MB/s).
func BenchmarkScan(b *testing.B) {
	benchSrc := benchProgram(b)
	for b.Loop() {
		var s scanner.Scanner
		s.Init("large.qasm", benchSrc, nil, 0)
		for {
			if _, tok, _ := s.Scan(); tok == 1 { // ast.EOF
				break
			}
		}
	}
}

func BenchmarkParseSyntax(b *testing.B) {
	benchSrc := benchProgram(b)
	for b.Loop() {
		_, err := parser.ParseFile("large.qasm", benchSrc, 0)
		require.NoError(b, err)
	}
}

func BenchmarkParse(b *testing.B) {
	benchSrc := benchProgram(b)
	var cfg Config
	for b.Loop() {
		_, err := cfg.Parse("large.qasm", benchSrc)
		require.NoError(b, err)
	}
}

func BenchmarkPrint(b *testing.B) {
	p, err := (&Config{}).Parse("large.qasm", benchProgram(b))
	require.NoError(b, err)
	out, _ := Print(p.Circuit, PrintOptions{})
	b.SetBytes(int64(len(out)))
	for b.Loop() {
		_, err := Print(p.Circuit, PrintOptions{})
		require.NoError(b, err)
	}
}
