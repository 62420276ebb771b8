OPENQASM 3.0;
include "zvars.inc";
qubit q;
rx(theta) q;
