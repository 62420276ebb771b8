OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
foo q[0];
cx q[0], q[0];
rx(undefined_angle) q[1];
c = measure q[0];
h q[7];
