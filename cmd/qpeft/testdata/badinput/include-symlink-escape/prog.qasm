OPENQASM 3.0;
include "lib/gates.inc";
qubit[1] q;
