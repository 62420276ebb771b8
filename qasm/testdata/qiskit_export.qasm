OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
input float[64] phi;
gate rzz_140213(_gate_p_0) _gate_q_0, _gate_q_1 {
  cx _gate_q_0, _gate_q_1;
  rz(_gate_p_0) _gate_q_1;
  cx _gate_q_0, _gate_q_1;
}
gate sxdg_1 _gate_q_0 {
  s _gate_q_0;
  h _gate_q_0;
  s _gate_q_0;
}
gate xx_plus_yy(_gate_p_0, _gate_p_1) _gate_q_0, _gate_q_1 {
  rz(_gate_p_1) _gate_q_0;
  sdg _gate_q_1;
  sx _gate_q_1;
  s _gate_q_1;
  s _gate_q_0;
  cx _gate_q_1, _gate_q_0;
  ry((-0.5)*_gate_p_0) _gate_q_1;
  ry((-0.5)*_gate_p_0) _gate_q_0;
  cx _gate_q_1, _gate_q_0;
  sdg _gate_q_0;
  sdg _gate_q_1;
  sxdg_1 _gate_q_1;
  s _gate_q_1;
  rz(-_gate_p_1) _gate_q_0;
}
bit[3] c;
qubit[3] q;
h q[0];
rzz_140213(theta) q[0], q[1];
ry(phi/2) q[2];
xx_plus_yy(theta, phi) q[1], q[2];
barrier q[0], q[1], q[2];
c[0] = measure q[0];
c[1] = measure q[1];
c[2] = measure q[2];
