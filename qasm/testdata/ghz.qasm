OPENQASM 3.0;
include "stdgates.inc";

// A five-qubit GHZ state built with a loop.
const int n = 5;
qubit[n] q;
h q[0];
for int i in [0:n - 2] {
    cx q[i], q[i + 1];
}
