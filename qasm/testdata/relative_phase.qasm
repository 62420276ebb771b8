OPENQASM 2.0;
include "qelib1.inc";

// The relative-phase Toffolis of qelib1.inc.
qreg q[4];
h q;
rccx q[0],q[1],q[2];
rc3x q[0],q[1],q[2],q[3];
