OPENQASM 3.0;
gate r(a) q { rz(a) q; r(a / 2) q; }
qubit q;
r(pi) q;
