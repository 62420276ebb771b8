OPENQASM 3.0;
include "/dev/stdin";
qubit[1] q;
ry(0.5) q[0];
