OPENQASM 2.0;
include "qelib1.inc";

// The whole OpenQASM 2 expression language, nested parameterised gates, opaque, reset,
// barrier and conditions.
opaque magic(a) q;
gate twist(a,b) x,y {
  rz(a^2) x;
  cx x,y;
  ry(-b/2+a*3) y;
}
gate double(t) x,y {
  twist(t,t/2) x,y;
  twist(-t,sqrt(t)) y,x;
}
qreg q[3];
creg c[3];
u3(sin(pi/7),cos(0.3)*2,tan(0.2)) q[0];
u2(exp(0.5),ln(2.0)) q[1];
u1(-(1.5-2*0.25)^3) q[2];
double(0.4) q[0],q[2];
barrier q[0],q[1];
reset q[1];
h q;
measure q -> c;
if(c==5) x q[1];
