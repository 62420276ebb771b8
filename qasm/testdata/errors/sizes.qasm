OPENQASM 3.0;
qubit[0] q;
bit[-1] c;
qubit[2.5] r;
input float[64] n;
qubit[n] s;
