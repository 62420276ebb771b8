package main

import (
	"math/rand/v2"
	"path/filepath"
	"strconv"
)

// Generators of the large programs of the mem- cases (program size, issue 15): a 50 MB
// program of mixed gates that stays under MaxOps (lines of 54 bytes on average: angles
// with 15 digits, expressions of pi, one-, two- and three-qubit gates; 0.97M operations), read, lowered and simulated. The million
// lines of x q[0]; and the 50 MB program past MaxOps use the qasm- generators.
func init() {
	badInputGenerators["mem-50mb-mixed"] = func(dir string) error {
		rng := rand.New(rand.NewPCG(5, 6))
		size := 0
		angle := func(b []byte) []byte { return strconv.AppendFloat(b, rng.Float64()*12.56-6.28, 'f', 15, 64) }
		qubit := func(b []byte, q int) []byte {
			b = append(b, "q["...)
			b = strconv.AppendInt(b, int64(q), 10)
			return append(b, ']')
		}
		return writeQASM(filepath.Join(dir, "mixed.qasm"), "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[10];\ncreg c[10];\n",
			func(b []byte, _ int) []byte {
				if size >= 50<<20 {
					return nil
				}
				n := len(b)
				a := rng.IntN(10)
				c := (a + 1 + rng.IntN(9)) % 10
				switch rng.IntN(8) {
				case 0, 1, 2:
					b = append(b, "u3("...)
					b = angle(b)
					b = append(b, ", "...)
					b = angle(b)
					b = append(b, ", "...)
					b = angle(b)
					b = append(b, ") "...)
					b = qubit(b, a)
				case 3, 4:
					b = append(b, "cu3("...)
					b = angle(b)
					b = append(b, ", "...)
					b = angle(b)
					b = append(b, ", 0) "...)
					b = qubit(b, a)
					b = append(b, ", "...)
					b = qubit(b, c)
				case 5:
					b = append(b, "rx(pi*"...)
					b = angle(b)
					b = append(b, "/3 + 0.5) "...)
					b = qubit(b, a)
				case 6:
					b = append(b, "crz(-"...)
					b = angle(b)
					b = append(b, "/2) "...)
					b = qubit(b, a)
					b = append(b, ", "...)
					b = qubit(b, c)
				default:
					if x := (c + 1 + rng.IntN(8)) % 10; x != a {
						b = append(b, "ccx "...)
						b = qubit(b, a)
						b = append(b, ", "...)
						b = qubit(b, c)
						b = append(b, ", "...)
						b = qubit(b, x)
					} else {
						b = append(b, "sx "...)
						b = qubit(b, a)
					}
				}
				b = append(b, ";\n"...)
				size += len(b) - n
				return b
			})
	}
}
