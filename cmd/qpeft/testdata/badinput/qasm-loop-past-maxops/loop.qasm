OPENQASM 3.0;
qubit[2] q;
for int i in [0:999999] {
    h q[0];
    cx q[0], q[1];
}
