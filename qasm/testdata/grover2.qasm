OPENQASM 2.0;
include "qelib1.inc";

// Grover search on two qubits: one iteration finds the marked state |11> with certainty.
qreg q[2];
creg c[2];
h q;
// oracle: phase flip on |11>
cz q[0],q[1];
// diffusion
h q;
x q;
cz q[0],q[1];
x q;
h q;
measure q -> c;
