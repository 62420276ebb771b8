OPENQASM 3.0;
include "stdgates.inc";

// The ripple-carry adder with loops: x = 11, y = 6, sum 17.
const int n = 4;
const int xv = 11;
const int yv = 6;
gate maj p, q, r { cx r, q; cx r, p; ccx p, q, r; }
gate uma p, q, r { ccx p, q, r; cx r, p; cx p, q; }
qubit carry;
qubit[n] x;
qubit[n] y;
qubit high;
bit[n + 1] sum;
for int i in [0:n - 1] {
    if (((xv >> i) & 1) == 1) x x[i];
    if (((yv >> i) & 1) == 1) x y[i];
}
maj carry, y[0], x[0];
for int i in [1:n - 1] {
    maj x[i - 1], y[i], x[i];
}
cx x[n - 1], high;
for int i in [n - 1:-1:1] {
    uma x[i - 1], y[i], x[i];
}
uma carry, y[0], x[0];
let out = y ++ high;
sum = measure out;
