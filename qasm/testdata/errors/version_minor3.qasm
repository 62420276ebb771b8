OPENQASM 3.7;
qubit q;
x q;
