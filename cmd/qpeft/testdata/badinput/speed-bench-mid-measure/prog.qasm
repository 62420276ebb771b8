OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit b;
h q[0];
b = measure q[0];
x q[0];
