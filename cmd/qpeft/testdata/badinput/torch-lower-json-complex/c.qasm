OPENQASM 3.0;
include "stdgates.inc";
input float[64] t;
qubit[2] q;
rz(t) q[0];
cx q[0], q[1];
