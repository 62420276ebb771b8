// Package sim runs quantum circuits (package circuit) on a classical computer.
//
// # Batches and kernels
//
// The storage is one layout for everything: a batch of B state vectors of n qubits is an
// N x B row-major matrix, N = 2^n, amplitude i of column b at Data[i*B+b]. Batch holds
// complex128 amplitudes, RealBatch float64 ones. B = 1 is a single state vector; B = K is the
// first K columns of a circuit's unitary (start from the identity columns, SetIdentity, and
// apply every gate — no 2^n x 2^n matrix is ever built per gate); B = 2^n is the full unitary.
//
// The Apply methods (Apply1, ApplyMatrix, ApplyDiag, ApplyControlled, ApplyOp, and the
// adjoint/transpose/derivative forms the backward pass needs) dispatch to specialised
// kernels — 2x2 on one qubit, controlled 2x2, diagonal (entries equal to 1 skipped),
// transposition (x, cx, swap, ccx, cswap) and dense 2^k x 2^k — and split the work between
// goroutines above ParallelThreshold elements. Results never depend on the number of
// goroutines. A matrix with real entries applied to a complex batch runs the float64 kernels
// on the interleaved re/im view, halving the arithmetic.
//
// Qubit order is little-endian, as in OpenQASM and Qiskit: qubit k is bit k of the row
// index, and bit j of a gate matrix's index is the gate's j-th qubit argument.
//
// # Simulation
//
// Run executes a circuit: gates (ctrl @ modifiers and gphase included), barriers, mid-circuit
// measurement with collapse and renormalisation, reset, and operations conditioned on
// classical bits, with a seeded math/rand/v2 PCG source (NewRNG), so the same seed gives the
// same outcomes and shots. Counts keys are Qiskit-style bit strings (highest classical bit
// leftmost). A State keeps float64 amplitudes while every gate applied has real entries
// (RY/CZ ansätze: half the memory traffic) and switches to complex128 at the first complex
// gate. Statevector, Unitary, Columns and RealColumns cover circuits of gates only;
// State.Expectation evaluates Pauli strings in Qiskit label order (rightmost character on
// qubit 0).
//
// # Performance
//
// Gate by gate, each gate is one pass over the amplitudes, and on states larger than the
// caches every pass runs at memory bandwidth. Run, Statevector, Columns, RealColumns,
// Unitary and ApplyCircuit instead hand every run of unconditioned gates to a cache-blocked
// executor (blocked.go): the gates are grouped into sweeps whose qubits fit a chunk of the
// state that stays in the L2 cache, each sweep gathers a chunk, applies all its gates and
// scatters it back, and gates are fused into blocks on up to 2 qubits (package
// circuit/fuse) where a measured cost model (costmodel.go) says the block's kernel is
// cheaper than the gates it replaces. A cheap diagonal gate (CZ, CP, CCZ) whose qubits do not
// all fit joins a sweep anyway when one of them is local: each chunk applies the part of
// its diagonal that the chunk's outer bits select (outerdiag.go), so the QFT on 24 qubits
// is 4 passes instead of 17. The Pauli ansatz (L = 4) on 24 qubits is 4 passes over memory
// for 300 gates. Blocking (the package variable) tunes or disables it; Plan reports a
// circuit's schedule and Schedule.Bound its own lower bound. Large state vectors are made
// with huge-page advice and their pages written on all threads before the first sweep
// (bigalloc.go): otherwise the first sweep's read-then-write of each page takes a
// copy-on-write fault whose TLB flush interrupts the other CPUs.
//
// The inner loops are assembly on amd64, chosen by CPU feature (golang.org/x/sys/cpu) with
// the portable Go loops as the fallback (and on other architectures and purego builds):
// AVX2 loops for 2x2 pairs, scaling, diagonals and swaps (simd_amd64.s, simd32_amd64.s),
// and dense 4x4 loops for every layout of the two qubits, in AVX2 + FMA and AVX-512F forms
// (dense4.go, dense4_amd64.s: one assembler macro per shape, instantiated per element family
// and width).
//
// # Precision and FMA
//
// The double-precision 2x2, scaling, diagonal and swap loops use separate multiplies and
// adds and are bit-identical to the portable Go loops (TestSIMD*BitIdentical, TestMulRun).
// The dense 4x4 loops use fused multiply-adds in both precisions (twice the throughput of
// separate operations on the fused blocks that dominate random circuits); they are checked
// against the definition and itsubaki/q with tolerances (1e-13 per amplitude in double,
// TestDense4SIMD, TestFusedDense4MatchesItsubaki). So a double-precision run whose schedule
// fuses 4x4 blocks can differ in the last bits between a CPU with AVX-512, one with AVX2
// only, one without FMA, and a purego build (about 1e-16 per amplitude); on one machine it
// is deterministic and does not depend on the number of threads. Single precision uses FMA
// throughout.
//
// # Precision
//
// Options.Precision Single runs in float32 (real circuits) and complex64: half the memory
// and memory traffic, about 7 significant digits; its SIMD loops use FMA (simd32_amd64.s,
// dense4_amd64.s) and are checked against itsubaki/q and the double-precision run with
// tolerances. The
// largest state this allows is 2^31 amplitudes in 16 GiB. Fidelity compares the two runs.
// BenchmarkCircuits (the Pauli ansatz, random-layered circuits and the QFT, n = 12..26,
// itsubaki/q beside), BenchmarkSweep (one sweep against the memory floor), BenchmarkBlocking,
// BenchmarkChunkCost (the cost model's figures) and BenchmarkBandwidth measure it;
// interop/bench's BenchmarkInterleaved runs qsim, Aer or lightning alternately with it;
// docs/benchmarks.md has the figures beside Qiskit Aer, qsim and PennyLane lightning:
//
//	go test ./sim -run '^$' -bench 'Circuits|Sweep|Bandwidth' -benchtime 1x
//
// # Memory
//
// Run, Statevector, Columns, Unitary and their real forms first predict the whole peak
// memory of the work (RunFootprint, ColumnsFootprint: the state or matrix, the executor's
// scratch, the counts of sampled shots, the per-shot copy of the state, and ProcessBaseline
// for the process) and check it against MemoryLimit (by default three quarters of physical
// memory; QPEFT_MEMORY_LIMIT overrides it) before allocating anything: a request above it is
// a *MemoryError naming the estimate, its parts and the limit in GiB, instead of an
// out-of-memory crash. Every single allocation of a state, batch or unitary is checked too.
//
// # Sampling
//
// Shots of a circuit whose measurements all come after its last gate are drawn from the
// multinomial distribution of the outcomes (State.SampleCounts, Binomial): time and memory
// do not grow with the number of shots, up to MaxShots = 2^62.
package sim
