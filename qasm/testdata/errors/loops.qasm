OPENQASM 3.0;
include "stdgates.inc";
qubit q;
bit c;
break;
for int i in [0:0:3] { x q; }
for int i in [0:] { x q; }
for int i in q { x q; }
for int i in c { x q; }
