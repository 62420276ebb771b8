OPENQASM 3;
include "stdgates.inc";
input float t;
qubit[2] q;
h q[0];
rx(1/t) q[1];
