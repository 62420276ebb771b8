OPENQASM 3.0;
include "stdgates.inc";

// The Bell state (|00> + |11>)/sqrt(2), not measured.
qubit[2] q;
h q[0];
cx q[0], q[1];
