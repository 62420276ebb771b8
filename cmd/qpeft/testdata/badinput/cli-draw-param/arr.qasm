OPENQASM 3.0;
include "stdgates.inc";
input array[float[64], 2] theta;
qubit[2] q;
ry(theta[0]) q[0];
ry(theta[1]) q[1];
cz q[0], q[1];
