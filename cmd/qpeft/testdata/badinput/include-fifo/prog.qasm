OPENQASM 3.0;
include "gates.inc";
qubit[1] q;
