OPENQASM 2.0;
include "qelib1.inc";

// The extended qelib1.inc gates that programs exported by Qiskit use.
qreg q[5];
u(0.1,0.2,0.3) q[0];
p(0.4) q[1];
sx q[2];
sxdg q[3];
u0(1) q[4];
cu(0.5,0.6,0.7,0.8) q[0],q[1];
cp(0.9) q[1],q[2];
cu3(1.0,1.1,1.2) q[2],q[3];
csx q[3],q[4];
rxx(1.3) q[0],q[2];
rzz(1.4) q[1],q[3];
c3x q[0],q[1],q[2],q[3];
c3sqrtx q[1],q[2],q[3],q[4];
c4x q[4],q[3],q[2],q[1],q[0];
crx(1.5) q[0],q[4];
cry(1.6) q[4],q[0];
crz(1.7) q[2],q[0];
cswap q[0],q[1],q[2];
swap q[3],q[4];
U(1.8,1.9,2.0) q[1];
CX q[1],q[0];
