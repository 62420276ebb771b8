OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
c = measure q;
if (c == 5) x q[0];
if (c == 1) x q[0]; else x q[1];
if (c[0] == 1 || c[1] == 1) x q[0];
if (c != 2) x q[1];
if (c) x q[1];
if (c[0] == 1) { c[0] = measure q[0]; x q[1]; }
