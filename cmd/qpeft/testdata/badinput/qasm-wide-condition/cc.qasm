OPENQASM 2.0;
// A condition on a 151-bit register (as QASMBench's cc_n151), with a value above 2^64.
include "qelib1.inc";
qreg q[2];
creg c[151];
x q[0];
measure q[0] -> c[0];
measure q[0] -> c[150];
if(c==1427247692705959881058285969449495136382746625) x q[1];
measure q[1] -> c[1];
