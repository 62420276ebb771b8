OPENQASM 2.0;
include "qelib1.inc";
qreg a[2];
qreg b[3];
creg c[2];
cx a,b;
measure b -> c;
cx a[0],a[0];
