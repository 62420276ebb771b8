OPENQASM 3.0;
include "stdgates.inc";
// Classical arrays decide which qubits flip: a = {11, 2, 7, 4} after the assignments, so
// qubits 0, 2 and 3 (values above 3) end in |1>.
array[int[32], 4] a = {1, 2, 3, 4};
a[2] = 7;
a[0] += 10;
qubit[4] q;
for int i in [0:sizeof(a) - 1] {
    if (a[i] > 3) x q[i];
}
