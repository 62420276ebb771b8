OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
cx q[0];
ccx q[0], q[1];
ctrl @ h q[0];
