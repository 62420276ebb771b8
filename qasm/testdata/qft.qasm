OPENQASM 3.0;
include "stdgates.inc";

// Quantum Fourier transform (without the final swaps) of the basis state 5 on four qubits.
const int n = 4;
qubit[n] q;
x q[0];
x q[2];
for int i in [0:n - 1] {
    h q[i];
    for int j in [i + 1:n - 1] {
        cp(2 * pi / 2 ** (j - i + 1)) q[i], q[j];
    }
}
