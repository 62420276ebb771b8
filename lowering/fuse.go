package lowering

import (
	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/circuit/fuse"
)

// Block is one fused unitary block; see package fuse, which holds the pass so that the
// simulator can use it without importing lowering.
type Block = fuse.Block

// Fuse is fuse.Fuse: the gate-fusion pass (blocks of at most maxQubits qubits whose product
// is the circuit's unitary).
func Fuse(c *circuit.Circuit, env circuit.Env, maxQubits int) ([]Block, error) {
	return fuse.Fuse(c, env, maxQubits)
}

// FuseOps is fuse.FuseOps.
func FuseOps(ops []circuit.Op, numQubits int, env circuit.Env, maxQubits int) ([]Block, error) {
	return fuse.FuseOps(ops, numQubits, env, maxQubits)
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// appendNew appends the values of v not already in s.
func appendNew(s []int, v ...int) []int {
	for _, x := range v {
		if !containsInt(s, x) {
			s = append(s, x)
		}
	}
	return s
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func posPrefix(p circuit.Pos) string {
	if p.IsValid() {
		return p.String() + ": "
	}
	return ""
}
