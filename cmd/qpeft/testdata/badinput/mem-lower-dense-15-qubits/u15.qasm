OPENQASM 3.0;
qubit[15] q;
ry(0.3) q[0];
cz q[0], q[14];
