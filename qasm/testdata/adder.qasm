OPENQASM 2.0;
include "qelib1.inc";

// Cuccaro ripple-carry adder: x = 5, y = 9, the sum 14 is measured from y and the carry.
gate maj p,q,r { cx r,q; cx r,p; ccx p,q,r; }
gate uma p,q,r { ccx p,q,r; cx r,p; cx p,q; }
qreg carry[1];
qreg x[4];
qreg y[4];
qreg high[1];
creg sum[5];
x x[0];
x x[2];
x y[0];
x y[3];
maj carry[0],y[0],x[0];
maj x[0],y[1],x[1];
maj x[1],y[2],x[2];
maj x[2],y[3],x[3];
cx x[3],high[0];
uma x[2],y[3],x[3];
uma x[1],y[2],x[2];
uma x[0],y[1],x[1];
uma carry[0],y[0],x[0];
measure y[0] -> sum[0];
measure y[1] -> sum[1];
measure y[2] -> sum[2];
measure y[3] -> sum[3];
measure high[0] -> sum[4];
