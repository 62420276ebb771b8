// Package qasm reads and writes OpenQASM 3 (and the OpenQASM 2 subset) for qpeft circuits.
//
// Parse and ParseFile read a program — gates and their modifiers, subroutines, classical
// integers, floats, angles and arrays, loops and branches computed while reading, includes
// (stdgates.inc and qelib1.inc built in) — and lower it to a *circuit.Circuit, reporting bad
// input as an ErrorList of file:line:col diagnostics and bounding the work by Limits. Print
// and Fprint write a circuit back as OpenQASM 3 through the printer of qasm/printer. The
// syntax tree lives in qasm/ast and the parser in qasm/parser; docs/qasm.md lists the
// supported language.
package qasm
