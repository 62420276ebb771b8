OPENQASM 3.0;
qubit q;
rx q;
U(0.1, 0.2) q;
h(0.5) q;
