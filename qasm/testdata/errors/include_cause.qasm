OPENQASM 3.0;
// The included file fails to declare theta; the errors below follow from that, so the
// included file's error must be listed first.
include "zz_cause_vars.inc";
qubit[2] q;
rx(theta) q[0];
ry(theta / 2) q[1];
