OPENQASM 3.0;
qubit[2] q;
cnot q[0], q[1];
phaseshift(0.1) q[0];
