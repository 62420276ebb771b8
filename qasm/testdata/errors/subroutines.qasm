OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
def flip(qubit a) { x a; }
def spin(float[64] t, qubit[2] r) { rx(t) r[0]; }
flip(q);
spin(0.1, q[0]);
spin(q[0:1]);
def forever(qubit a) { forever(a); }
forever(q[0]);
