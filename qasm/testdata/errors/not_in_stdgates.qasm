OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
rzz(0.3) q[0], q[1];
ecr q[0], q[1];
