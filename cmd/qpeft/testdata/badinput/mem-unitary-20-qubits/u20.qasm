OPENQASM 3.0;
qubit[20] q;
h q[0];
rz(0.5) q[1];
