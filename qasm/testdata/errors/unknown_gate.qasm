OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
rzx(0.1) q[0],q[1];
