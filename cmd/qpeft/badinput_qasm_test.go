package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Generators of the large OpenQASM inputs of the bad-input corpus (cases qasm-*): written
// into the case's working copy by the test, never committed.
func init() {
	badInputGenerators["qasm-million-x"] = func(dir string) error {
		return writeQASM(filepath.Join(dir, "million.qasm"), "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\n",
			func(b []byte, i int) []byte {
				if i == 1_000_000 {
					return nil
				}
				return append(b, "x q[0];\n"...)
			})
	}
	badInputGenerators["qasm-50mb"] = func(dir string) error {
		rng := rand.New(rand.NewPCG(3, 4))
		size := 0
		return writeQASM(filepath.Join(dir, "big.qasm"), "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[20];\ncreg c[20];\n",
			func(b []byte, _ int) []byte {
				if size >= 50<<20 {
					return nil
				}
				a := int64(rng.IntN(20))
				n := len(b)
				switch rng.IntN(3) {
				case 0:
					b = append(b, "h q["...)
					b = strconv.AppendInt(b, a, 10)
				case 1:
					b = append(b, "cx q["...)
					b = strconv.AppendInt(b, a, 10)
					b = append(b, "], q["...)
					b = strconv.AppendInt(b, (a+1+int64(rng.IntN(19)))%20, 10)
				default:
					b = append(b, "rz("...)
					b = strconv.AppendFloat(b, rng.Float64()*6.28, 'f', 6, 64)
					b = append(b, ") q["...)
					b = strconv.AppendInt(b, a, 10)
				}
				b = append(b, "];\n"...)
				size += len(b) - n
				return b
			})
	}
}

// writeQASM writes header and then the lines next appends to its buffer until it returns
// nil. The generation allocates almost nothing: the test process stays small, which
// matters because a child started with vfork inherits its parent's peak RSS in ru_maxrss.
func writeQASM(path, header string, next func(b []byte, i int) []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	buf := make([]byte, 0, 64<<10)
	buf = append(buf, header...)
	for i := 0; ; i++ {
		b := next(buf, i)
		if b == nil {
			break
		}
		buf = b
		if len(buf) >= 60<<10 {
			if _, err := f.Write(buf); err != nil {
				f.Close()
				return err
			}
			buf = buf[:0]
		}
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
