OPENQASM 3;
bit[2] b;
qubit[2] q;
h q[0];
cx q[0], q[1];
#pragma braket result probability
b[0] = measure q[0];
b[1] = measure q[1];
