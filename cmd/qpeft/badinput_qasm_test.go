package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Generators of the large OpenQASM inputs of the bad-input corpus (cases qasm-*): written
// into the case's working copy by the test, never committed.
func init() {
	badInputGenerators["qasm-million-x"] = func(dir string) error {
		return writeQASM(filepath.Join(dir, "million.qasm"), "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\n",
			func(i int) string {
				if i == 1_000_000 {
					return ""
				}
				return "x q[0];\n"
			})
	}
	badInputGenerators["qasm-50mb"] = func(dir string) error {
		rng := rand.New(rand.NewPCG(3, 4))
		size := 0
		return writeQASM(filepath.Join(dir, "big.qasm"), "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[20];\ncreg c[20];\n",
			func(int) string {
				if size >= 50<<20 {
					return ""
				}
				a := rng.IntN(20)
				var line string
				switch rng.IntN(3) {
				case 0:
					line = fmt.Sprintf("h q[%d];\n", a)
				case 1:
					line = fmt.Sprintf("cx q[%d], q[%d];\n", a, (a+1+rng.IntN(19))%20)
				default:
					line = fmt.Sprintf("rz(%.6f) q[%d];\n", rng.Float64()*6.28, a)
				}
				size += len(line)
				return line
			})
	}
}

// writeQASM writes header and then the lines next returns until it returns "".
func writeQASM(path, header string, next func(i int) string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(header)
	for i := 0; ; i++ {
		line := next(i)
		if line == "" {
			break
		}
		w.WriteString(line)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
