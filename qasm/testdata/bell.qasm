OPENQASM 2.0;
include "qelib1.inc";

// A Bell pair, measured: outcomes 00 and 11, each with probability 1/2.
qreg q[2];
creg c[2];
h q[0];
cx q[0],q[1];
measure q -> c;
