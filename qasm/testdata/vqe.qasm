OPENQASM 3.0;
include "stdgates.inc";

// The Quantum-PEFT Pauli ansatz: RY on every qubit, then L layers of CZ on even pairs and
// odd pairs, each pair followed by RY on both of its qubits. P(16, 2) = 16 angles.
const int n = 4;
const int layers = 2;
input array[float[64], 16] theta;
qubit[n] q;
int k = 0;
for int i in [0:n - 1] {
    ry(theta[k]) q[i];
    k += 1;
}
for int l in [1:layers] {
    for int i in [0:2:n - 2] {
        cz q[i], q[i + 1];
        ry(theta[k]) q[i];
        ry(theta[k + 1]) q[i + 1];
        k += 2;
    }
    for int i in [1:2:n - 2] {
        cz q[i], q[i + 1];
        ry(theta[k]) q[i];
        ry(theta[k + 1]) q[i + 1];
        k += 2;
    }
}
