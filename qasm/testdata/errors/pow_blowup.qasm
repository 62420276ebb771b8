OPENQASM 3.0;
include "stdgates.inc";
qubit q;
pow(1000000000) @ x q;
