OPENQASM 3.0;
qubit[1000] q;
h q[0];
