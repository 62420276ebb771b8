OPENQASM 2.0;
qreg q[1];
h q[0];
U(0,0,0) q[0];
