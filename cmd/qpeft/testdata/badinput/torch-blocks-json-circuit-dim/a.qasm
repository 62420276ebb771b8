OPENQASM 3.0;
include "stdgates.inc";
input array[float[64], 1] theta;
qubit[2] q;
ry(theta[0]) q[0];
