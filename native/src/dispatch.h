// Instruction-set dispatch and the CPU phase drivers.
#pragma once
#include <string>

#include "kernel.h"

namespace juniper {

// The widest kernel set this CPU supports (or the one forced by setIsa / JUNIPER_NATIVE_ISA).
const IsaKernels* best_isa();
// A kernel set by name ("avx512", "avx2", "generic"), or nullptr when this CPU or build lacks it.
const IsaKernels* isa_by_name(const std::string& name);
// Forces a kernel set for every later call (tests run all paths on one machine); nullptr restores auto-detection.
void set_isa_override(const IsaKernels* isa);
// The kernel set for a candidate pool of C: the narrower vector when it needs no more instructions per pattern
// (C ≤ 8 on an AVX-512 machine runs on 8 lanes rather than half-empty 16-lane vectors).
const IsaKernels* cand_isa(int C);
// Names of the kernel sets this machine can run, widest first.
std::string supported_isas();

// CPU phase drivers (cpu_phase.cc). They throw std::runtime_error on failure (e.g. out of memory).
CandidateResult cpu_candidate_phase(const CandidateArgs& a);
OutputResult cpu_output_phase(const OutputArgs& a);
void cpu_fill_column(float* X, int64_t P, int K, int64_t ldx, const float* w, int act, int threads);

// Measured FMA peak: GFLOP/s over `seconds` with `threads` threads (0 = all) on kernel set `isa`.
double measure_peak_gflops(const IsaKernels* isa, int threads, double seconds);

}  // namespace juniper
