OPENQASM 3.0;
bit[2] b;
#pragma braket verbatim
box {
    rx(pi/2) $0;
    cz $0, $1;
    rx(-pi/2) $1;
    cz $0, $1;
}
b[0] = measure $0;
b[1] = measure $1;
