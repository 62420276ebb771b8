OPENQASM 3.0;
include "stdgates.inc";

// A user gate with a global phase inside, under every modifier.
gate rot(a, b) t {
    rz(a) t;
    ry(b) t;
    gphase(a / 2);
}
gate pair(a) s, t {
    rot(a, 2 * a) s;
    cx s, t;
}
qubit[3] q;
ctrl @ rot(0.3, 0.4) q[0], q[1];
inv @ rot(0.5, -0.2) q[2];
pow(3) @ rot(0.1, 0.2) q[1];
negctrl @ rot(0.7, 0.1) q[2], q[0];
ctrl @ inv @ rot(0.2, 0.9) q[1], q[2];
pow(-2) @ rot(0.6, 0.3) q[0];
ctrl(2) @ rot(1.1, 0.3) q[0], q[1], q[2];
inv @ pair(0.25) q[2], q[0];
ctrl @ pair(0.35) q[1], q[2], q[0];
