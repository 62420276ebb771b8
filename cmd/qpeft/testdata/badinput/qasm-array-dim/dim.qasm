OPENQASM 3.0;
qubit q;
def f(const array[int[32], #dim = 2] a, qubit b) { x b; }
float[64] d = durationof({ x q; });
