package sim

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/library"
	"github.com/qpeft/qpeft/internal/cputime"
)

// BenchmarkFusion times the six benchmark families (the Pauli ansatz L = 4, random-layered
// depth 20, the QFT, QAOA on a ring p = 4, the hardware-efficient ansatz L = 4, Clifford+T
// depth 20) at n = 20 in both precisions with fusion into blocks of 1 qubit (f=1) and of 2
// qubits with the cost model (f=2, the default). Besides wall time it reports the process's
// CPU time per run (cpu-ms/op, user + system): on a shared machine whose load average is far
// above its core count, CPU time is the steadier figure for comparing the two settings.
//
//	go test ./sim -run '^$' -bench Fusion -benchtime 3x
func BenchmarkFusion(b *testing.B) {
	for _, kind := range []string{"pauli", "random", "qft", "qaoa", "hea", "cliffordt"} {
		for _, n := range []int{20} {
			var c *circuit.Circuit
			switch kind {
			case "random":
				c, _ = library.RandomLayered(n, 20, 2)
			case "qft":
				c, _ = library.QFT(n)
			case "qaoa":
				c, _ = library.QAOARing(n, 4, 1)
			case "hea":
				c, _ = library.HardwareEfficient(n, 4, 1)
			case "cliffordt":
				c, _ = library.CliffordT(n, 20, 1)
			default:
				c, _ = pauliAnsatz(n, 4, 1)
			}
			for _, p := range []Precision{Double, Single} {
				for _, f := range []int{1, 2} {
					b.Run(fmt.Sprintf("%s/n=%d/%s/f=%d", kind, n, p, f), func(b *testing.B) {
						old := Blocking
						defer func() { Blocking = old }()
						Blocking.FuseQubits = f
						c0 := cputime.Process()
						for i := 0; i < b.N; i++ {
							_, err := Run(c, Options{Precision: p})
							require.NoError(b, err)
						}
						b.ReportMetric(float64((cputime.Process()-c0).Milliseconds())/float64(b.N), "cpu-ms/op")
					})
				}
			}
		}
	}
}
