OPENQASM 3.0;
include "include_cycle_b.inc";
