OPENQASM 3.0;
include "stdgates.inc";
qubit[20] q;
gate layer a { h a; x a; z a; }
for int i in [0:99999] {
    layer q;
}
