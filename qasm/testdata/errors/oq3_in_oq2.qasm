OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
qubit[2] r;
for i in [0:1] { h q[i]; }
ctrl @ x q[0], q[1];
