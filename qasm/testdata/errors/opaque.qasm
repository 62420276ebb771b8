OPENQASM 2.0;
include "qelib1.inc";
opaque magic(a) q;
qreg r[1];
magic(0.5) r[0];
