OPENQASM 3.0;
qubit[3000] a;
qubit[3000] b;
