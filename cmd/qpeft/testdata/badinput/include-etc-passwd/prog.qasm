OPENQASM 2.0;
include "qelib1.inc";
include "../../../../../../../../../../../../etc/passwd";
qreg q[1];
