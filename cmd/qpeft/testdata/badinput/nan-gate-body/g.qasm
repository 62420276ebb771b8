OPENQASM 3;
include "stdgates.inc";
input float t;
gate g(a) r { ry(ln(a)) r; }
qubit[1] q;
g(t) q[0];
