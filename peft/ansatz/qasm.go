package ansatz

import (
	"fmt"

	"github.com/qpeft/qpeft/circuit"
	"github.com/qpeft/qpeft/qasm"
)

// QASM returns c as an OpenQASM 3 program (package qasm's printer): the form users read,
// edit and load back with [ParseQASM].
func QASM(c *circuit.Circuit) (string, error) {
	b, err := qasm.Print(c, qasm.PrintOptions{})
	if err != nil {
		return "", fmt.Errorf("ansatz: %w", err)
	}
	return string(b), nil
}

// ParseQASM reads an ansatz from OpenQASM 2 or 3 text (its inputs become the angles, in
// declaration order) and checks it with [Check]. filename is used in error positions.
func ParseQASM(filename string, src []byte) (*circuit.Circuit, error) {
	return ParseQASMConfig(&qasm.Config{}, filename, src)
}

// ParseQASMConfig is [ParseQASM] with a reader configuration: limits and where includes may
// come from (an adapter's circuits set cfg.BaseDir to the adapter directory).
func ParseQASMConfig(cfg *qasm.Config, filename string, src []byte) (*circuit.Circuit, error) {
	p, err := cfg.Parse(filename, src)
	if err != nil {
		return nil, err
	}
	c := p.Circuit
	if err := Check(c); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadQASM reads and checks the ansatz in an OpenQASM file.
func LoadQASM(path string) (*circuit.Circuit, error) {
	c, err := qasm.ParseFile(path)
	if err != nil {
		return nil, err
	}
	if err := Check(c); err != nil {
		return nil, err
	}
	return c, nil
}
