OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit c;
float[64] global_angle = 0.5;
gate bad a {
    h q[0];
    rx(global_angle) a;
    c = measure a;
    reset a;
}
gate dup(x) x { h x; }
