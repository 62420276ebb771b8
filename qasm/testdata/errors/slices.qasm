OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
h q[2:1];
h q[0:6];
h q[{0, 9}];
h q[0:0:3];
