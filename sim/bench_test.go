package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/itsubaki/q"
	"github.com/qpeft/qpeft/circuit"
)

// pauliAnsatz builds the canonical Pauli ansatz (method.md §2) with bound random angles: RY
// on every qubit, then L times CZ on the even pairs each followed by RY on both qubits, then
// CZ on the odd pairs each followed by RY on both.
func pauliAnsatz(n, L int, seed uint64) (*circuit.Circuit, []float64) {
	r := rand.New(rand.NewPCG(seed, 7))
	c := circuit.New(n)
	var angles []float64
	ry := func(q int) {
		a := (r.Float64()*2 - 1) * 3
		angles = append(angles, a)
		c.RY(a, q)
	}
	for q := 0; q < n; q++ {
		ry(q)
	}
	for l := 0; l < L; l++ {
		for start := 0; start < 2; start++ {
			for a := start; a+1 < n; a += 2 {
				c.CZ(a, a+1)
				ry(a)
				ry(a + 1)
			}
		}
	}
	return c, angles
}

// itsubakiAnsatz runs the same ansatz on itsubaki/q (big-endian: our qubit k is its n−1−k).
func itsubakiAnsatz(c *circuit.Circuit) *q.Q {
	n := c.NumQubits
	sim := q.New()
	qb := sim.Zeros(n)
	for i := range c.Ops {
		op := &c.Ops[i]
		switch op.Gate.Name {
		case "ry":
			a, _ := circuit.Eval(op.Args[0], nil)
			sim.RY(a, qb[n-1-op.Qubits[0]])
		case "cz":
			sim.CZ(qb[n-1-op.Qubits[0]], qb[n-1-op.Qubits[1]])
		default:
			panic(op.Name())
		}
	}
	return sim
}

var benchSizes = []int{16, 20, 24}

// BenchmarkAnsatz times one run of the 4-layer Pauli ansatz from |0…0⟩: our complex128 and
// float64 paths and itsubaki/q, side by side. ns/amp-gate is the time per gate per amplitude.
//
//	go test ./sim -run XXX -bench Ansatz -benchtime 2x
func BenchmarkAnsatz(b *testing.B) {
	for _, n := range benchSizes {
		if testing.Short() && n > 20 {
			continue
		}
		c, _ := pauliAnsatz(n, 4, 1)
		work := float64(len(c.Ops)) * float64(int(1)<<n)
		b.Run(fmt.Sprintf("n=%d/complex", n), func(b *testing.B) {
			x, err := NewBatch(n, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				clear(x.Data)
				x.Data[0] = 1
				for j := range c.Ops {
					if err := x.ApplyOp(&c.Ops[j], nil); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/work, "ns/amp-gate")
		})
		b.Run(fmt.Sprintf("n=%d/real", n), func(b *testing.B) {
			x, err := NewRealBatch(n, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				clear(x.Data)
				x.Data[0] = 1
				for j := range c.Ops {
					if err := x.ApplyOp(&c.Ops[j], nil); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/work, "ns/amp-gate")
		})
		b.Run(fmt.Sprintf("n=%d/itsubaki", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				itsubakiAnsatz(c)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/work, "ns/amp-gate")
		})
	}
}

// BenchmarkBandwidth is the memory floor: one read+write sweep (x *= s) over a 2^24-element
// float64 and complex128 array, on all threads, in ns per element.
func BenchmarkBandwidth(b *testing.B) {
	const n = 24
	b.Run("float64", func(b *testing.B) {
		x, _ := NewRealBatch(n, 1)
		for i := 0; i < b.N; i++ {
			x.Scale(0.999)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x.Data)), "ns/amp")
	})
	b.Run("complex128", func(b *testing.B) {
		x, _ := NewBatch(n, 1)
		for i := 0; i < b.N; i++ {
			x.Scale(0.999)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x.Data)), "ns/amp")
	})
}
