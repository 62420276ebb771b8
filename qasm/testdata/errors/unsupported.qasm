OPENQASM 3.0;
include "stdgates.inc";
defcalgrammar "openpulse";
cal { extern port d0; }
defcal x $0 { play(d0, gaussian(1.0, 160dt, 40dt)); }
extern get_angle(int[32]) -> float[64];
def parity(bit[2] b) -> bit { return b[0] ^ b[1]; }
qubit[2] q;
bit[2] c;
delay[100ns] q[0];
complex[float[64]] z = 1.0 + 2.0im;
duration d = 100ns;
input int[32] n;
pow(0.5) @ x q[0];
c[0] = measure q[0];
while (c[0] == 1) { x q[0]; c[0] = measure q[0]; }
switch (n) { case 0 { x q[0]; } }
box[200ns] { h q[1]; }
array[qubit, 3] arr;
measure q[1];
