OPENQASM 3;
include "stdgates.inc";
qubit[1] q;
rx(exp(1000)) q[0];
