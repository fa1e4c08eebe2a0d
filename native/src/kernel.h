// Juniper native addon: the types shared by the N-API layer, the phase drivers and the per-ISA kernels.
//
// This header holds plain data only (no inline code): it is included by translation units compiled for different
// instruction sets, and any inline function here could be merged by the linker into an AVX-512 copy that the
// portable path would then call.
#pragma once
#include <cstddef>
#include <cstdint>

namespace juniper {

// Activation codes: the same numbers as `Activation` in packages/cascor/src/engine/kernel.ts.
enum Act : int { kSymSigmoid = 0, kSigmoid = 1, kTanh = 2, kLinear = 3, kGaussian = 4 };
// Phase end codes: `PhaseEnd` in kernel.ts.
enum End : int { kWin = 0, kStagnant = 1, kTimeout = 2 };

struct Settings {
  double epsilon;  // as configured; the phase scales it (÷P outputs, ÷(P·K) candidates)
  double mu;
  double decay;
  int patience;  // 0 = off
  double changeThreshold;
  int maxEpochs;
};

// Called by a phase driver after every epoch; the callee throttles (the async worker reports every few ms).
struct Progress {
  void (*fn)(void* ctx, int epoch, float bestScore);
  void* ctx;
};

struct CandidateArgs {
  int64_t P;
  int K, O, C;
  int64_t ldx;
  const float* X;        // P rows, stride ldx
  const float* E;        // P×O
  const float* errMean;  // O
  double sse;
  const float* weights0;  // C×K initial pool
  int act;
  Settings s;
  int threads;  // 0 = all cores
  bool textbook;
  float* scoreTrace;  // nullable: C·(maxEpochs+1)
  // Outputs, caller-allocated.
  float* weights;  // C×K
  float* cor;      // C×O
  float* scores;   // C
  Progress progress;
};

struct CandidateResult {
  int best;
  float bestScore;
  int epochs;
  int end;
};

struct OutputArgs {
  int64_t P;
  int K, O;
  int64_t ldx;
  const float* X;  // P rows, stride ldx
  const float* T;  // targets P×O
  float* W;        // O×K, in/out
  float* D;        // deltas O×K, in/out
  float* prevSlopes;  // O×K, in/out
  float* E;        // P×O out: errors of the last forward pass
  float* errSums;  // O out
  float* history;  // 2·(maxEpochs+1) out
  int act;
  double offset;     // SigmoidPrimeOffset
  double threshold;  // ScoreThreshold
  Settings s;
  int threads;
};

struct OutputResult {
  int epochs;
  int epochsRun;
  int end;
  int64_t errorBits;
  double trueError;
  double sse;
};

// The output kernel handles at most this many outputs per call; the driver runs larger O in groups.
constexpr int kOutMaxO = 32;

// ---- per-ISA kernels -------------------------------------------------------------------------------------------

// One candidate epoch over patterns [p0, p1) for the whole pool, candidates as vector lanes ("C-lanes").
struct CandEpochCtx {
  int64_t P;
  int K, O, Cp;  // Cp = C rounded up to the kernel's vector width
  int Oc;        // O padded for the epilogue: O when O ≤ 4, else a multiple of 4 (Ec, A and cc use Oc rows/columns)
  int64_t ldx;
  int act;
  int train;         // 0: bootstrap epoch (correlations only), 1: training epoch (δ and slopes too)
  const float* X;    // P rows, stride ldx
  // X packed once per phase in panels of IsaKernels::mr rows: rows [b·mr, b·mr + m) hold X[b·mr + i][k] at
  // b·mr·K + k·m + i (m = mr, or P − b·mr for the last panel). Tiles and chunks start at multiples of mr.
  const float* Xpk;
  const float* Ec;   // P×Oc centred errors E − Ē (padding columns 0)
  const float* Wp;   // packed weights: strip-major panels, strip s = K rows × its width (≤ IsaKernels::strip)
  const float* A;    // Oc×Cp: σ_co/SSE (padding rows 0)
  int Pt;            // patterns per tile
  // P-lanes path only (small pools, IsaKernels::cand_plane): Cp = C there.
  int C;
  int64_t Pp;        // P rounded up to 16
  const float* Xt;   // K×Pp transposed cache, padding 0
  const float* Ect;  // Oc×Pp transposed centred errors, padding 0
  const float* Wr;   // C×K weights, row-major
};
struct CandChunkOut {
  double* sumv;  // Cp: Σv (accumulated into)
  double* cc;    // Oc×Cp: Σ v·Ec (accumulated into)
  float* G;      // K×Cp slopes Σ δ·X (accumulated into)
  float* work;   // scratch: 3·Pt·Cp floats (C-lanes); C·Pt + 16·C·(1 + Oc + K) floats (P-lanes)
};

// One output epoch over patterns [p0, p1), patterns as vector lanes ("P-lanes") on the transposed cache.
struct OutEpochCtx {
  int64_t P, Pp;  // Pp = P rounded up to a multiple of 16
  int K, O, act;
  const float* Xt;  // K×Pp, padding 0
  const float* Tt;  // O×Pp targets, padding 0
  const float* W;   // O×K
  float offset, threshold;
  float* Et;  // O×Pp: errors out
  int Pt;     // patterns per tile (multiple of 16)
};
struct OutChunkOut {
  double trueErr, sse;
  int64_t bits;
  double* sumErr;  // O (accumulated into)
  double* G;       // O×K slopes Σ err·X (accumulated into)
};

struct IsaKernels {
  const char* name;
  int width;  // float lanes
  int strip;  // candidates per strip of the packed weights Wp (see CandEpochCtx)
  int mr;     // rows per panel of the packed cache Xpk
  void (*cand_chunk)(const CandEpochCtx& ctx, int64_t p0, int64_t p1, const CandChunkOut& out);
  // Small pools (C ≤ plane_max_c = W/2): patterns across the lanes on the transposed cache; p0, p1 multiples of 16.
  void (*cand_plane)(const CandEpochCtx& ctx, int64_t p0, int64_t p1, const CandChunkOut& out);
  int plane_max_c;
  void (*out_chunk)(const OutEpochCtx& ctx, int64_t p0, int64_t p1, OutChunkOut& out);
  // v = f(x) and fp = f'(from v, x) element-wise, with the kernels' own vector math (used by the accuracy tests).
  void (*activate)(const float* x, float* v, float* fp, int64_t n, int act);
  // Runs `iters` iterations of independent FMA chains; returns the flops done (for the peak measurement).
  double (*fma_loop)(int64_t iters);
  // Quickprop (A.4) over n weights in float64 on float32 storage, bit-identical to the scalar rule in cpu_phase.cc.
  void (*quickprop)(float* w, float* d, float* ps, double* slopes, int64_t n, double eps, double decay, double mu);
};

namespace generic {
const IsaKernels* kernels();
}
namespace avx2 {
const IsaKernels* kernels();
}
namespace avx512 {
const IsaKernels* kernels();
}

}  // namespace juniper
