OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
qubit[2] q;
qubit[2] q;
rx(thetaa) q[0];
rx(theta) r[0];
float[64] pi = 3;
gate h a { x a; }
gate twice a { x a; }
gate twice a { y a; }
const float[64] k = theta * 2;
theta = 1;
