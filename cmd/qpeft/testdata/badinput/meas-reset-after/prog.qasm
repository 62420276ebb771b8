OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
h q[1];
measure q[1] -> c[1];
reset q[1];
