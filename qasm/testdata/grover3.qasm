OPENQASM 3.0;
include "stdgates.inc";

// Grover search on three qubits for the marked state 5 = |101>, two iterations.
gate oracle a, b, c {
    x b;
    h c;
    ccx a, b, c;
    h c;
    x b;
}
gate diffuse a, b, c {
    h a; h b; h c;
    x a; x b; x c;
    ctrl(2) @ z a, b, c;
    x a; x b; x c;
    h a; h b; h c;
}
qubit[3] q;
bit[3] c;
h q;
for int k in [1:2] {
    oracle q[0], q[1], q[2];
    diffuse q[0], q[1], q[2];
}
c = measure q;
