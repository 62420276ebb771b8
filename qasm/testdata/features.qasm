OPENQASM 3.0;
include "stdgates.inc";

// Classical variables, aliases, slices, subroutines, while loops and annotations.
input angle[32] alpha;
const float[64] half = π / 2;
qubit[6] q;
bit[2] m;
let left = q[0:2];
let right = q[3:];
let ends = q[{0, 5}];
let both = left ++ right;
float[64] beta = 2 * alpha + tau / 4;
int count = 0;

def layer(float[64] a, qubit[3] r) {
    for int i in [0:2] {
        ry(a * (i + 1)) r[i];
    }
    cx r[0], r[2];
}

@reversible
h left;
layer(beta, right);
while (count < 3) {
    rz(half * count) q[-1];
    count += 1;
}
if (count == 3) {
    x ends;
} else {
    y ends;
}
box {
    cz both[1], both[4];
}
m[0] = measure q[0];
m[1] = measure q[5];
