// CUDA backend: whole candidate and output phases on the GPU, data resident for the phase, one host sync per phase.
//
// Candidate phase (A.6), FP32 SIMT, per epoch (all candidates batched):
//   cand_forward   Z = X·W (64×64 tiles, 4×4 per thread), epilogue: v = f(z), f′, δ = −f′·Σ_o Ec·A → Δ (P×Cp),
//                  per-block partial sums of Σv and Σ v·Ec (float, reduced over the block's P range)
//   cand_slopes    G = Xᵀ·Δ (64×64 tiles, split over P) → per-split partials
//   cand_quickprop one thread per weight: slope = Σ partials (float64), Quickprop in float64 (bit-identical rule)
//   cand_reduce    Σv and Σ v·Ec over the forward blocks' partials (float64), one thread per (o, c)
//   cand_adjust    one block: Σv, CC (float64), cor, scores, argmax (strict >, lowest index), patience, σ/SSE for
//                  the next epoch, the score trace, the stop flag
// The five kernels of a training epoch are captured once in a CUDA graph and the graph is launched maxEpochs
// times without any host synchronisation; every kernel first reads the device-side stop flag and returns when the
// patience test has ended the phase. The host reads back once, at the end.
//
// Output phase (A.5): out_forward (thread per pattern on the transposed cache: y, errors, statistics, E) →
// out_slopes (split over P) → out_stats (one block: history, SumErrors) → out_quickprop (only with error bits) →
// out_patience (one thread: the stopping rules), same graph scheme.
//
// Not fused yet (next step on a GPU machine): Δ goes through global memory between cand_forward and cand_slopes
// (≈2·4·P·C bytes per epoch; ≈200 MB on the large B3 shape, ≈70 µs of HBM3 time).
//
// Any CUDA error makes the call return false with the reason; the caller then runs the CPU path. A sticky error
// (context lost) disables the backend for the rest of the process.
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "device.h"

namespace juniper {
namespace {

constexpr int kTile = 64;     // patterns × candidates per block tile
constexpr int kBK = 16;       // reduction chunk
constexpr int kThreads = 256; // 16 × 16 threads, 4 × 4 outputs each
constexpr int kMaxO = 32;     // outputs handled by the GPU candidate/output kernels (CPU beyond)
constexpr int kMaxRed = (kTile * (kMaxO + 1) + kThreads - 1) / kThreads;

std::atomic<bool> g_broken{false};

struct CudaError {
  cudaError_t code;
  const char* what;
};

#define JN_CUDA(call)                                      \
  do {                                                     \
    const cudaError_t e_ = (call);                         \
    if (e_ != cudaSuccess) throw CudaError{e_, #call};     \
  } while (0)

// ---- device math -------------------------------------------------------------------------------------------------

__device__ __forceinline__ void act_dev(int act, float z, float& v, float& fp) {
  switch (act) {
    case kSymSigmoid:
      v = z < -15.0f ? -0.5f : z > 15.0f ? 0.5f : 1.0f / (1.0f + expf(-z)) - 0.5f;
      fp = 0.25f - v * v;
      break;
    case kSigmoid:
      v = z < -15.0f ? 0.0f : z > 15.0f ? 1.0f : 1.0f / (1.0f + expf(-z));
      fp = v * (1.0f - v);
      break;
    case kTanh:
      v = tanhf(z);
      fp = 1.0f - v * v;
      break;
    case kLinear:
      v = z;
      fp = 1.0f;
      break;
    default: {
      const float h = -z * z * 0.5f;
      v = h < -75.0f ? 0.0f : expf(h);
      fp = -z * v;
    }
  }
}

// Quickprop (A.4) in float64 on float32 storage: the same operations, in the same order, as the CPU and TS rules.
__device__ __forceinline__ void quickprop_dev(float& w, float& d, float& ps, double slope, double eps, double decay,
                                              double mu, double shrink) {
  const double wi = w;
  const double s = __dadd_rn(slope, __dmul_rn(decay, wi));
  const double di = d, pi = ps;
  double step;
  if (di < 0) {
    const double lin = s > 0 ? __dmul_rn(-eps, s) : 0.0;
    step = __dadd_rn(lin, s >= __dmul_rn(shrink, pi) ? __dmul_rn(mu, di) : __ddiv_rn(__dmul_rn(di, s), __dsub_rn(pi, s)));
  } else if (di > 0) {
    const double lin = s < 0 ? __dmul_rn(-eps, s) : 0.0;
    step = __dadd_rn(lin, s <= __dmul_rn(shrink, pi) ? __dmul_rn(mu, di) : __ddiv_rn(__dmul_rn(di, s), __dsub_rn(pi, s)));
  } else {
    step = __dmul_rn(-eps, s);
  }
  w = __double2float_rn(__dadd_rn(wi, step));
  d = __double2float_rn(step);
  ps = __double2float_rn(s);
}

// ---- candidate phase ---------------------------------------------------------------------------------------------

struct CandState {
  int stop;        // 1 once the patience rule ended the phase
  int i;           // 0-based training-epoch index of the next epoch
  int epochs;      // counted epochs (bootstrap included)
  int end;         // PhaseEnd
  int best;
  float bestScore;
  double last;
  long long quit;
};

struct CandDev {
  int P, K, O, C, Cp, act, textbook, maxEpochs, patience;
  double sse, eps, decay, mu, shrink, changeThreshold;
  const float* X;       // P×K
  const float* Ec;      // P×O centred errors
  const float* errMean; // O
  float* Wt;            // K×Cp weights (k-major), padding 0
  float* D;             // K×Cp deltas
  float* PS;            // K×Cp previous slopes
  float* A;             // O×Cp σ/SSE
  float* Delta;         // P×Cp
  float* part;          // gridF × (O+1) × Cp: partial Σ v·Ec (o < O) and Σv (o = O)
  int gridF;            // forward blocks along P
  double* sums;         // (O+1) × Cp: the partials reduced (float64)
  float* gpart;         // splits × K×Cp slope partials
  int splits;
  float* cor;           // C×O prevCor
  float* scores;        // C
  float* trace;         // C·(maxEpochs+1) or null
  CandState* st;
};

__global__ void __launch_bounds__(kThreads) cand_forward(CandDev d, int train) {
  if (d.st->stop) return;
  __shared__ __align__(16) float Xs[kBK][kTile + 4];
  __shared__ __align__(16) float Ws[kBK][kTile];
  __shared__ float Vs[kTile][kTile + 1];
  extern __shared__ float dyn[];
  float* Ecs = dyn;                 // kTile × O
  float* As = dyn + kTile * d.O;    // O × kTile
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int c0 = blockIdx.y * kTile;
  const int O = d.O, K = d.K, P = d.P, Cp = d.Cp;
  for (int e = tid; e < O * kTile; e += kThreads) As[e] = train ? d.A[(e / kTile) * Cp + c0 + e % kTile] : 0.0f;
  float red[kMaxRed];
#pragma unroll
  for (int r = 0; r < kMaxRed; ++r) red[r] = 0.0f;
  const int nred = kTile * (O + 1);

  for (int p0 = blockIdx.x * kTile; p0 < P; p0 += gridDim.x * kTile) {
    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
      for (int j = 0; j < 4; ++j) acc[i][j] = 0.0f;
    for (int k0 = 0; k0 < K; k0 += kBK) {
#pragma unroll
      for (int q = 0; q < (kBK * kTile) / kThreads; ++q) {
        const int e = tid + q * kThreads;
        const int kk = e % kBK, pp = e / kBK;
        const int p = p0 + pp, k = k0 + kk;
        Xs[kk][pp] = (p < P && k < K) ? d.X[static_cast<size_t>(p) * K + k] : 0.0f;
        const int cc = e % kTile, kr = e / kTile;
        Ws[kr][cc] = (k0 + kr < K) ? d.Wt[static_cast<size_t>(k0 + kr) * Cp + c0 + cc] : 0.0f;
      }
      __syncthreads();
#pragma unroll
      for (int kk = 0; kk < kBK; ++kk) {
        const float4 a = *reinterpret_cast<const float4*>(&Xs[kk][ty * 4]);
        const float4 b = *reinterpret_cast<const float4*>(&Ws[kk][tx * 4]);
        const float av[4] = {a.x, a.y, a.z, a.w}, bv[4] = {b.x, b.y, b.z, b.w};
#pragma unroll
        for (int i = 0; i < 4; ++i)
#pragma unroll
          for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
      }
      __syncthreads();
    }
    for (int e = tid; e < kTile * O; e += kThreads) {
      const int pp = e / O, o = e % O;
      Ecs[e] = (p0 + pp < P) ? d.Ec[static_cast<size_t>(p0 + pp) * O + o] : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int pp = ty * 4 + i, p = p0 + pp;
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const int cc = tx * 4 + j;
        float v, fp;
        act_dev(d.act, acc[i][j], v, fp);
        if (p >= P) {
          v = 0.0f;
          fp = 0.0f;
        }
        Vs[pp][cc] = v;
        if (train && p < P) {
          float s = 0.0f;
          for (int o = 0; o < O; ++o) s = fmaf(Ecs[pp * O + o], As[o * kTile + cc], s);
          d.Delta[static_cast<size_t>(p) * Cp + c0 + cc] = -fp * s;
        }
      }
    }
    __syncthreads();
#pragma unroll
    for (int r = 0; r < kMaxRed; ++r) {
      const int e = tid + r * kThreads;
      if (e < nred) {
        const int cc = e % kTile, o = e / kTile;
        float sum = 0.0f;
        if (o < O) {
#pragma unroll 4
          for (int pp = 0; pp < kTile; ++pp) sum = fmaf(Vs[pp][cc], Ecs[pp * O + o], sum);
        } else {
#pragma unroll 4
          for (int pp = 0; pp < kTile; ++pp) sum += Vs[pp][cc];
        }
        red[r] += sum;
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int r = 0; r < kMaxRed; ++r) {
    const int e = tid + r * kThreads;
    if (e < nred) {
      const int cc = e % kTile, o = e / kTile;
      d.part[(static_cast<size_t>(blockIdx.x) * (O + 1) + o) * Cp + c0 + cc] = red[r];
    }
  }
}

// G (K×Cp) partials: blockIdx.z = split of P.
__global__ void __launch_bounds__(kThreads) cand_slopes(CandDev d, int chunk) {
  if (d.st->stop) return;
  __shared__ __align__(16) float Xs[kBK][kTile];
  __shared__ __align__(16) float Ds[kBK][kTile];
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int k0 = blockIdx.x * kTile, c0 = blockIdx.y * kTile;
  const int K = d.K, Cp = d.Cp;
  const int pbeg = blockIdx.z * chunk, pend = min(d.P, pbeg + chunk);
  float acc[4][4];
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 4; ++j) acc[i][j] = 0.0f;
  for (int q0 = pbeg; q0 < pend; q0 += kBK) {
#pragma unroll
    for (int q = 0; q < (kBK * kTile) / kThreads; ++q) {
      const int e = tid + q * kThreads;
      const int col = e % kTile, pl = e / kTile;
      const int p = q0 + pl;
      Xs[pl][col] = (p < pend && k0 + col < K) ? d.X[static_cast<size_t>(p) * K + k0 + col] : 0.0f;
      Ds[pl][col] = (p < pend) ? d.Delta[static_cast<size_t>(p) * Cp + c0 + col] : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int pl = 0; pl < kBK; ++pl) {
      const float4 a = *reinterpret_cast<const float4*>(&Xs[pl][ty * 4]);
      const float4 b = *reinterpret_cast<const float4*>(&Ds[pl][tx * 4]);
      const float av[4] = {a.x, a.y, a.z, a.w}, bv[4] = {b.x, b.y, b.z, b.w};
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
    }
    __syncthreads();
  }
  float* out = d.gpart + static_cast<size_t>(blockIdx.z) * K * Cp;
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int k = k0 + ty * 4 + i;
    if (k < K)
#pragma unroll
      for (int j = 0; j < 4; ++j) out[static_cast<size_t>(k) * Cp + c0 + tx * 4 + j] = acc[i][j];
  }
}

__global__ void cand_quickprop(CandDev d) {
  if (d.st->stop) return;
  const size_t n = static_cast<size_t>(d.K) * d.Cp;
  for (size_t e = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; e < n;
       e += static_cast<size_t>(gridDim.x) * blockDim.x) {
    if (static_cast<int>(e % d.Cp) >= d.C) continue;
    double slope = 0.0;
    for (int s = 0; s < d.splits; ++s) slope += static_cast<double>(d.gpart[static_cast<size_t>(s) * n + e]);
    quickprop_dev(d.Wt[e], d.D[e], d.PS[e], slope, d.eps, d.decay, d.mu, d.shrink);
  }
}

// Σ over the forward blocks' partials, one thread per (o, c), in float64 and in block order.
__global__ void cand_reduce(CandDev d) {
  if (d.st->stop) return;
  const int n = (d.O + 1) * d.Cp;
  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < n; e += gridDim.x * blockDim.x) {
    double s = 0.0;
    for (int b = 0; b < d.gridF; ++b) s += static_cast<double>(d.part[static_cast<size_t>(b) * n + e]);
    d.sums[e] = s;
  }
}

// One block: adjust, argmax, trace, patience (training epochs), σ/SSE for the next epoch.
__global__ void __launch_bounds__(1024) cand_adjust(CandDev d, int bootstrap) {
  if (d.st->stop) return;
  __shared__ float bs[1024];
  __shared__ int bi[1024];
  const int tid = threadIdx.x, O = d.O, C = d.C, Cp = d.Cp;
  const int row = bootstrap ? 0 : d.st->i + 1;
  float my = 0.0f;
  int mi = 0x7fffffff;
  for (int c = tid; c < C; c += blockDim.x) {
    const double sumv = d.sums[static_cast<size_t>(O) * Cp + c];
    const double avg = sumv / static_cast<double>(d.P);
    const double centre = d.textbook ? static_cast<double>(d.P) * avg : avg;
    double score = 0.0;
    for (int o = 0; o < O; ++o) {
      double cc = d.sums[static_cast<size_t>(o) * Cp + c];
      cc += static_cast<double>(d.errMean[o]) * sumv;  // Σ v·E = Σ v·Ec + Ē·Σv
      const double cor = (cc - centre * static_cast<double>(d.errMean[o])) / d.sse;
      const float corf = static_cast<float>(cor);
      d.cor[static_cast<size_t>(c) * O + o] = corf;
      d.A[static_cast<size_t>(o) * Cp + c] = static_cast<float>((corf < 0.0f ? -1.0 : 1.0) / d.sse);
      score += fabs(cor);
    }
    const float sf = static_cast<float>(score);
    d.scores[c] = sf;
    if (d.trace) d.trace[static_cast<size_t>(row) * C + c] = sf;
    // Strict > against a running best that starts at 0: the candidates with score > 0, highest first, lowest index
    // among equals; none → index 0.
    if (sf > 0.0f && (sf > my || (sf == my && c < mi))) {
      my = sf;
      mi = c;
    }
  }
  bs[tid] = my;
  bi[tid] = mi;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w >>= 1) {
    if (tid < w) {
      const float s2 = bs[tid + w];
      const int i2 = bi[tid + w];
      if (s2 > bs[tid] || (s2 == bs[tid] && i2 < bi[tid])) {
        bs[tid] = s2;
        bi[tid] = i2;
      }
    }
    __syncthreads();
  }
  if (tid == 0) {
    CandState& st = *d.st;
    const int best = bi[0] == 0x7fffffff ? 0 : bi[0];
    st.best = best;
    st.bestScore = d.scores[best];
    st.epochs += 1;
    if (!bootstrap) {
      const int i = st.i;
      st.i = i + 1;
      if (d.patience != 0) {
        const double b = st.bestScore;
        if (i == 0) {
          st.last = b;
        } else if (fabs(b - st.last) > st.last * d.changeThreshold) {
          st.last = b;
          st.quit = static_cast<long long>(i) + d.patience;
        } else if (i >= st.quit) {
          st.end = kStagnant;
          st.stop = 1;
        }
      }
      if (!st.stop && st.i >= d.maxEpochs) st.stop = 1;  // the loop ran out: TIMEOUT (end stays kTimeout)
    }
  }
}

// ---- output phase ------------------------------------------------------------------------------------------------

struct OutState {
  int stop, i, updated, run, end;
  long long quit;
  double last;
  long long bits;
  double trueErr, sse;
};

struct OutDev {
  int P, K, O, act, maxEpochs, patience;
  float offset, threshold;
  double eps, decay, mu, shrink, changeThreshold;
  const float* Xt;  // K×P
  const float* X;   // P×K
  const float* T;   // P×O
  float* W;         // O×K
  float* D;
  float* PS;
  float* E;         // P×O
  float* spart;     // gridF × (3 + O): bits, trueErr, sse, sumErr[o]
  int gridF;
  float* gpart;     // splits × O×K
  int splits, chunk;
  float* errSums;   // O
  float* history;   // 2·(maxEpochs+1)
  OutState* st;
};

__global__ void __launch_bounds__(kThreads) out_forward(OutDev d) {
  if (d.st->stop) return;
  extern __shared__ float sm[];
  float* Ws = sm;                       // O×K
  float* red = sm + d.O * d.K;          // kThreads × (3 + O)
  const int tid = threadIdx.x, O = d.O, K = d.K, P = d.P;
  for (int e = tid; e < O * K; e += kThreads) Ws[e] = d.W[e];
  __syncthreads();
  const int p = blockIdx.x * kThreads + tid;
  float acc[kMaxO];
#pragma unroll
  for (int o = 0; o < kMaxO; ++o) acc[o] = 0.0f;
  float bits = 0.0f, te = 0.0f, se = 0.0f;
  float sums[kMaxO];
#pragma unroll
  for (int o = 0; o < kMaxO; ++o) sums[o] = 0.0f;
  if (p < P) {
    for (int k = 0; k < K; ++k) {
      const float x = d.Xt[static_cast<size_t>(k) * P + p];
#pragma unroll
      for (int o = 0; o < kMaxO; ++o)
        if (o < O) acc[o] = fmaf(x, Ws[o * K + k], acc[o]);
    }
#pragma unroll
    for (int o = 0; o < kMaxO; ++o) {
      if (o < O) {
        float y, fp;
        act_dev(d.act, acc[o], y, fp);
        const float dif = y - d.T[static_cast<size_t>(p) * O + o];
        const float err = dif * (d.act == kLinear ? 1.0f : fp + d.offset);
        bits += fabsf(dif) > d.threshold ? 1.0f : 0.0f;
        te = fmaf(dif, dif, te);
        se = fmaf(err, err, se);
        sums[o] = err;
        d.E[static_cast<size_t>(p) * O + o] = err;
      }
    }
  }
  const int stride = 3 + O;
  red[tid * stride + 0] = bits;
  red[tid * stride + 1] = te;
  red[tid * stride + 2] = se;
  for (int o = 0; o < O; ++o) red[tid * stride + 3 + o] = sums[o];
  __syncthreads();
  for (int w = kThreads / 2; w > 0; w >>= 1) {
    if (tid < w)
      for (int q = 0; q < stride; ++q) red[tid * stride + q] += red[(tid + w) * stride + q];
    __syncthreads();
  }
  if (tid < stride) d.spart[static_cast<size_t>(blockIdx.x) * stride + tid] = red[tid];
}

// Slopes O×K over a P chunk: thread t owns pairs (o, k) = t, t + 256, …; at each pattern the block reads one row of X.
__global__ void __launch_bounds__(kThreads) out_slopes(OutDev d) {
  if (d.st->stop) return;
  constexpr int kMaxPairs = 32;
  const int tid = threadIdx.x, O = d.O, K = d.K;
  const int pairs = O * K;
  float acc[kMaxPairs];
  int po[kMaxPairs], pk[kMaxPairs];
#pragma unroll
  for (int q = 0; q < kMaxPairs; ++q) {
    acc[q] = 0.0f;
    const int e = tid + q * kThreads;
    po[q] = e < pairs ? e / K : 0;
    pk[q] = e < pairs ? e % K : 0;
  }
  const int npairs = (pairs - tid + kThreads - 1) / kThreads;  // pairs owned by this thread
  const int pbeg = blockIdx.x * d.chunk, pend = min(d.P, pbeg + d.chunk);
  for (int p = pbeg; p < pend; ++p) {
    const float* xr = d.X + static_cast<size_t>(p) * K;
    const float* er = d.E + static_cast<size_t>(p) * O;
#pragma unroll
    for (int q = 0; q < kMaxPairs; ++q)
      if (q < npairs) acc[q] = fmaf(er[po[q]], xr[pk[q]], acc[q]);
  }
  float* out = d.gpart + static_cast<size_t>(blockIdx.x) * pairs;
#pragma unroll
  for (int q = 0; q < kMaxPairs; ++q) {
    const int e = tid + q * kThreads;
    if (e < pairs) out[e] = acc[q];
  }
}

// One block: the epoch's statistics from the forward blocks' partials, history, SumErrors; decides the update.
__global__ void __launch_bounds__(256) out_stats(OutDev d) {
  if (d.st->stop) return;
  const int tid = threadIdx.x, O = d.O, stride = 3 + O;
  __shared__ double tot[3 + kMaxO];
  for (int q = tid; q < stride; q += blockDim.x) {
    double s = 0.0;
    for (int b = 0; b < d.gridF; ++b) s += static_cast<double>(d.spart[static_cast<size_t>(b) * stride + q]);
    tot[q] = s;
  }
  __syncthreads();
  if (tid == 0) {
    OutState& st = *d.st;
    const int i = st.i;
    const long long bits = static_cast<long long>(tot[0] + 0.5);
    st.bits = bits;
    st.trueErr = tot[1];
    st.sse = tot[2];
    d.history[2 * static_cast<size_t>(i)] = static_cast<float>(tot[1]);
    d.history[2 * static_cast<size_t>(i) + 1] = static_cast<float>(bits);
  }
  if (tid < O) d.errSums[tid] = static_cast<float>(tot[3 + tid]);
}

// Quickprop on the O×K output weights (only when the epoch had error bits), slopes reduced over the P splits.
__global__ void out_quickprop(OutDev d) {
  if (d.st->stop || d.st->bits == 0) return;
  const int n = d.O * d.K;
  for (int e = blockIdx.x * blockDim.x + threadIdx.x; e < n; e += gridDim.x * blockDim.x) {
    double slope = 0.0;
    for (int s = 0; s < d.splits; ++s) slope += static_cast<double>(d.gpart[static_cast<size_t>(s) * n + e]);
    quickprop_dev(d.W[e], d.D[e], d.PS[e], slope, d.eps, d.decay, d.mu, d.shrink);
  }
}

// One thread: counters and the stopping rules of A.5, in order.
__global__ void out_patience(OutDev d) {
  OutState& st = *d.st;
  if (st.stop) return;
  const int i = st.i;
  const bool update = st.bits > 0;
  st.run += 1;
  if (update) st.updated += 1;
  st.i = i + 1;
  if (!update) {
    st.end = kWin;
    st.stop = 1;
  } else if (d.patience != 0) {
    if (i == 0) {
      st.last = st.trueErr;
    } else if (fabs(st.trueErr - st.last) > st.last * d.changeThreshold) {
      st.last = st.trueErr;
      st.quit = static_cast<long long>(st.updated) + d.patience;
    } else if (st.updated >= st.quit) {
      st.end = kStagnant;
      st.stop = 1;
    }
  }
  if (!st.stop && st.i >= d.maxEpochs) st.stop = 1;
}

// Xt (K×P) = Xᵀ; grid.x runs over P (up to 2³¹ blocks), grid.y over K.
__global__ void transpose_kernel(const float* X, int P, int K, float* Xt) {
  __shared__ float t[32][33];
  const int p0 = blockIdx.x * 32, k0 = blockIdx.y * 32;
  for (int j = threadIdx.y; j < 32; j += blockDim.y) {
    const int p = p0 + j, k = k0 + threadIdx.x;
    t[j][threadIdx.x] = (p < P && k < K) ? X[static_cast<size_t>(p) * K + k] : 0.0f;
  }
  __syncthreads();
  for (int j = threadIdx.y; j < 32; j += blockDim.y) {
    const int k = k0 + j, p = p0 + threadIdx.x;
    if (k < K && p < P) Xt[static_cast<size_t>(k) * P + p] = t[threadIdx.x][j];
  }
}

// ---- host side -----------------------------------------------------------------------------------------------------

struct DeviceProps {
  int sms = 0;
};

const DeviceProps& props() {
  static const DeviceProps p = [] {
    DeviceProps r;
    if (cudaDeviceGetAttribute(&r.sms, cudaDevAttrMultiProcessorCount, 0) != cudaSuccess) {
      r.sms = 1;
      cudaGetLastError();
    }
    return r;
  }();
  return p;
}

// Stream-ordered allocations, all freed (asynchronously) when the scope ends.
class DevMem {
 public:
  explicit DevMem(cudaStream_t s) : s_(s) {}
  ~DevMem() {
    for (void* p : ptrs_) cudaFreeAsync(p, s_);
  }
  template <class T>
  T* alloc(size_t n) {
    void* p = nullptr;
    JN_CUDA(cudaMallocAsync(&p, std::max<size_t>(1, n) * sizeof(T), s_));
    ptrs_.push_back(p);
    return static_cast<T*>(p);
  }

 private:
  cudaStream_t s_;
  std::vector<void*> ptrs_;
};

cudaStream_t thread_stream() {
  static thread_local cudaStream_t s = nullptr;
  if (!s) JN_CUDA(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  return s;
}

// Runs `maxEpochs` launches of a captured one-epoch graph. Falls back to plain launches if capture is unsupported.
template <class Enqueue>
void run_epochs(cudaStream_t s, int epochs, Enqueue&& enqueue) {
  if (epochs <= 0) return;
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  bool captured = cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal) == cudaSuccess;
  if (captured) {
    enqueue();
    captured = cudaStreamEndCapture(s, &graph) == cudaSuccess && graph &&
               cudaGraphInstantiate(&exec, graph, 0) == cudaSuccess;
  }
  if (!captured) {
    cudaGetLastError();
    if (exec) cudaGraphExecDestroy(exec);
    if (graph) cudaGraphDestroy(graph);
    for (int e = 0; e < epochs; ++e) {
      enqueue();
      JN_CUDA(cudaGetLastError());
    }
    return;
  }
  cudaError_t err = cudaSuccess;
  for (int e = 0; e < epochs && err == cudaSuccess; ++e) err = cudaGraphLaunch(exec, s);
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  JN_CUDA(err);
}

int64_t env_int(const char* name, int64_t dflt) {
  const char* v = std::getenv(name);
  if (!v || !*v) return dflt;
  char* end = nullptr;
  const long long x = std::strtoll(v, &end, 10);
  return end && *end == 0 ? x : dflt;
}

std::string describe(const CudaError& e) {
  return std::string(e.what) + ": " + cudaGetErrorName(e.code) + " (" + cudaGetErrorString(e.code) + ")";
}

// After an error: clear it; a sticky error (the context is unusable) disables the backend for this process.
void after_error(const CudaError& e) {
  cudaGetLastError();
  if (cudaDeviceSynchronize() != cudaSuccess) {
    cudaGetLastError();
    g_broken.store(true);
  }
  (void)e;
}

}  // namespace

const DeviceStatus& detect_device() {
  static const DeviceStatus status = [] {
    DeviceStatus s;
    s.compiled = true;
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
      s.error = static_cast<int>(e);
      s.count = 0;
      cudaGetLastError();
      return s;
    }
    s.count = count;
    if (count > 0) {
      cudaDeviceProp p;
      if (cudaGetDeviceProperties(&p, 0) == cudaSuccess) {
        s.name = p.name;
        s.sm = p.major * 10 + p.minor;
        // The addon carries sm_90 SASS and compute_90 PTX: older GPUs cannot run it (no kernel image).
        if (p.major < 9) s.error = static_cast<int>(cudaErrorNoKernelImageForDevice);
      } else {
        s.error = static_cast<int>(cudaGetLastError());
      }
    }
    return s;
  }();
  return status;
}

// Reference D.4 rule 4: a launch-bound GPU epoch loses to the CPU on small shapes. The reference puts the crossover
// at P·C·(K+O) ≈ 1.5e5 for one graph launch per epoch; this backend's epoch is a graph of five kernels (≈10 µs floor),
// and two-spirals pools with C ≤ 32 (P·C·(K+O) ≤ 194·32·30 ≈ 1.9e5) must stay on the CPU, so the default is 4e5.
// JUNIPER_CUDA_MIN_WORK overrides (0 = always the GPU); native/gpu/run-gpu-checks.sh measures the crossover.
bool cuda_wants_candidate(int64_t P, int K, int O, int C) {
  if (g_broken.load() || O > kMaxO) return false;
  const int64_t min_work = env_int("JUNIPER_CUDA_MIN_WORK", 400000);
  return P * static_cast<int64_t>(C) * (K + O) >= min_work;
}

bool cuda_wants_output(int64_t P, int K, int O) {
  if (g_broken.load() || O > kMaxO || static_cast<int64_t>(O) * K > 8192) return false;
  const int64_t min_work = env_int("JUNIPER_CUDA_MIN_OUTPUT_WORK", 1000000);
  return P * static_cast<int64_t>(K) * O >= min_work;
}

bool cuda_candidate_phase(const CandidateArgs& a, CandidateResult& r, std::string& why) {
  if (g_broken.load()) {
    why = "CUDA disabled after an earlier device error";
    return false;
  }
  if (a.O > kMaxO || a.P > (int64_t{1} << 30) || a.K > (1 << 20)) {
    why = "shape outside the CUDA kernels' limits";
    return false;
  }
  try {
    JN_CUDA(cudaSetDevice(0));
    cudaStream_t s = thread_stream();
    DevMem mem(s);
    const int P = static_cast<int>(a.P), K = a.K, O = a.O, C = a.C;
    const int Cp = (C + kTile - 1) / kTile * kTile;
    const size_t KC = static_cast<size_t>(K) * Cp;
    const int sms = props().sms;
    const int ctiles = Cp / kTile;
    const int gridF = std::max(1, std::min((P + kTile - 1) / kTile, std::max(1, 4 * sms / ctiles)));
    const int ktiles = (K + kTile - 1) / kTile;
    int splits = std::max(1, std::min((P + kBK - 1) / kBK, std::max(1, 4 * sms / (ktiles * ctiles))));
    const int chunk = ((P + splits - 1) / splits + kBK - 1) / kBK * kBK;
    splits = (P + chunk - 1) / chunk;

    // Host staging: X compact (P×K), Ec, W in k-major layout.
    std::vector<float> Ec(static_cast<size_t>(P) * O), Wt(KC, 0.0f);
    for (int p = 0; p < P; ++p)
      for (int o = 0; o < O; ++o)
        Ec[static_cast<size_t>(p) * O + o] =
            static_cast<float>(static_cast<double>(a.E[static_cast<size_t>(p) * O + o]) - static_cast<double>(a.errMean[o]));
    for (int c = 0; c < C; ++c)
      for (int k = 0; k < K; ++k) Wt[static_cast<size_t>(k) * Cp + c] = a.weights0[static_cast<size_t>(c) * K + k];

    CandDev d{};
    d.P = P; d.K = K; d.O = O; d.C = C; d.Cp = Cp; d.act = a.act; d.textbook = a.textbook ? 1 : 0;
    d.maxEpochs = a.s.maxEpochs; d.patience = a.s.patience;
    d.sse = a.sse; d.eps = a.s.epsilon / (static_cast<double>(a.P) * K); d.decay = a.s.decay; d.mu = a.s.mu;
    d.shrink = a.s.mu / (1.0 + a.s.mu); d.changeThreshold = a.s.changeThreshold;
    float* X = mem.alloc<float>(static_cast<size_t>(P) * K);
    JN_CUDA(cudaMemcpy2DAsync(X, K * sizeof(float), a.X, a.ldx * sizeof(float), K * sizeof(float), P,
                              cudaMemcpyHostToDevice, s));
    d.X = X;
    float* dEc = mem.alloc<float>(Ec.size());
    JN_CUDA(cudaMemcpyAsync(dEc, Ec.data(), Ec.size() * sizeof(float), cudaMemcpyHostToDevice, s));
    d.Ec = dEc;
    float* em = mem.alloc<float>(O);
    JN_CUDA(cudaMemcpyAsync(em, a.errMean, O * sizeof(float), cudaMemcpyHostToDevice, s));
    d.errMean = em;
    d.Wt = mem.alloc<float>(KC);
    JN_CUDA(cudaMemcpyAsync(d.Wt, Wt.data(), KC * sizeof(float), cudaMemcpyHostToDevice, s));
    d.D = mem.alloc<float>(KC);
    d.PS = mem.alloc<float>(KC);
    JN_CUDA(cudaMemsetAsync(d.D, 0, KC * sizeof(float), s));
    JN_CUDA(cudaMemsetAsync(d.PS, 0, KC * sizeof(float), s));
    d.A = mem.alloc<float>(static_cast<size_t>(O) * Cp);
    JN_CUDA(cudaMemsetAsync(d.A, 0, static_cast<size_t>(O) * Cp * sizeof(float), s));
    d.Delta = mem.alloc<float>(static_cast<size_t>(P) * Cp);
    d.gridF = gridF;
    d.part = mem.alloc<float>(static_cast<size_t>(gridF) * (O + 1) * Cp);
    d.sums = mem.alloc<double>(static_cast<size_t>(O + 1) * Cp);
    d.splits = splits;
    d.gpart = mem.alloc<float>(static_cast<size_t>(splits) * KC);
    d.cor = mem.alloc<float>(static_cast<size_t>(C) * O);
    d.scores = mem.alloc<float>(C);
    d.trace = a.scoreTrace ? mem.alloc<float>(static_cast<size_t>(C) * (a.s.maxEpochs + 1)) : nullptr;
    d.st = mem.alloc<CandState>(1);
    CandState init{};
    init.end = kTimeout;
    init.quit = a.s.maxEpochs;
    JN_CUDA(cudaMemcpyAsync(d.st, &init, sizeof init, cudaMemcpyHostToDevice, s));

    const dim3 gF(gridF, ctiles), gS(ktiles, ctiles, splits);
    const size_t dynF = 2 * static_cast<size_t>(kTile) * O * sizeof(float);
    const int qpBlocks = static_cast<int>(std::min<size_t>((KC + 255) / 256, 65535));
    const int redBlocks = static_cast<int>((static_cast<size_t>(O + 1) * Cp + 255) / 256);
    // Bootstrap epoch.
    cand_forward<<<gF, kThreads, dynF, s>>>(d, 0);
    cand_reduce<<<redBlocks, 256, 0, s>>>(d);
    cand_adjust<<<1, 1024, 0, s>>>(d, 1);
    JN_CUDA(cudaGetLastError());
    run_epochs(s, a.s.maxEpochs, [&] {
      cand_forward<<<gF, kThreads, dynF, s>>>(d, 1);
      cand_slopes<<<gS, kThreads, 0, s>>>(d, chunk);
      cand_quickprop<<<qpBlocks, 256, 0, s>>>(d);
      cand_reduce<<<redBlocks, 256, 0, s>>>(d);
      cand_adjust<<<1, 1024, 0, s>>>(d, 0);
    });
    // Read back once, into host temporaries: the caller's arrays change only after the whole phase succeeded (on
    // a failure the CPU path reruns the phase from the same inputs).
    CandState st{};
    std::vector<float> cor(static_cast<size_t>(C) * O), scores(C), trace;
    JN_CUDA(cudaMemcpyAsync(Wt.data(), d.Wt, KC * sizeof(float), cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaMemcpyAsync(cor.data(), d.cor, cor.size() * sizeof(float), cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaMemcpyAsync(scores.data(), d.scores, C * sizeof(float), cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaMemcpyAsync(&st, d.st, sizeof st, cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaStreamSynchronize(s));
    if (a.scoreTrace) {
      // Rows after the last epoch run stay untouched on the host: copy only the rows written.
      trace.resize(static_cast<size_t>(C) * st.epochs);
      JN_CUDA(cudaMemcpyAsync(trace.data(), d.trace, trace.size() * sizeof(float), cudaMemcpyDeviceToHost, s));
      JN_CUDA(cudaStreamSynchronize(s));
      std::memcpy(a.scoreTrace, trace.data(), trace.size() * sizeof(float));
    }
    std::memcpy(a.cor, cor.data(), cor.size() * sizeof(float));
    std::memcpy(a.scores, scores.data(), scores.size() * sizeof(float));
    for (int c = 0; c < C; ++c)
      for (int k = 0; k < K; ++k) a.weights[static_cast<size_t>(c) * K + k] = Wt[static_cast<size_t>(k) * Cp + c];
    r.best = st.best;
    r.bestScore = st.bestScore;
    r.epochs = st.epochs;
    r.end = st.end;
    if (a.progress.fn) a.progress.fn(a.progress.ctx, r.epochs, r.bestScore);
    return true;
  } catch (const CudaError& e) {
    why = describe(e);
    after_error(e);
    return false;
  } catch (const std::exception& e) {
    why = e.what();
    return false;
  }
}

bool cuda_output_phase(const OutputArgs& a, OutputResult& r, std::string& why) {
  if (g_broken.load()) {
    why = "CUDA disabled after an earlier device error";
    return false;
  }
  if (a.O > kMaxO || static_cast<int64_t>(a.O) * a.K > 8192 || a.P > (int64_t{1} << 30) || a.K > 65535 * 32) {
    why = "shape outside the CUDA kernels' limits";
    return false;
  }
  r = OutputResult{0, 0, kTimeout, 0, 0.0, 0.0};
  if (a.s.maxEpochs <= 0) return true;
  try {
    JN_CUDA(cudaSetDevice(0));
    cudaStream_t s = thread_stream();
    DevMem mem(s);
    const int P = static_cast<int>(a.P), K = a.K, O = a.O;
    const size_t OK = static_cast<size_t>(O) * K;
    const int sms = props().sms;
    OutDev d{};
    d.P = P; d.K = K; d.O = O; d.act = a.act; d.maxEpochs = a.s.maxEpochs; d.patience = a.s.patience;
    d.offset = static_cast<float>(a.offset); d.threshold = static_cast<float>(a.threshold);
    d.eps = a.s.epsilon / static_cast<double>(a.P); d.decay = a.s.decay; d.mu = a.s.mu;
    d.shrink = a.s.mu / (1.0 + a.s.mu); d.changeThreshold = a.s.changeThreshold;
    float* X = mem.alloc<float>(static_cast<size_t>(P) * K);
    JN_CUDA(cudaMemcpy2DAsync(X, K * sizeof(float), a.X, a.ldx * sizeof(float), K * sizeof(float), P,
                              cudaMemcpyHostToDevice, s));
    d.X = X;
    float* Xt = mem.alloc<float>(static_cast<size_t>(P) * K);
    transpose_kernel<<<dim3((P + 31) / 32, (K + 31) / 32), dim3(32, 8), 0, s>>>(X, P, K, Xt);
    JN_CUDA(cudaGetLastError());
    d.Xt = Xt;
    float* T = mem.alloc<float>(static_cast<size_t>(P) * O);
    JN_CUDA(cudaMemcpyAsync(T, a.T, static_cast<size_t>(P) * O * sizeof(float), cudaMemcpyHostToDevice, s));
    d.T = T;
    d.W = mem.alloc<float>(OK);
    d.D = mem.alloc<float>(OK);
    d.PS = mem.alloc<float>(OK);
    JN_CUDA(cudaMemcpyAsync(d.W, a.W, OK * sizeof(float), cudaMemcpyHostToDevice, s));
    JN_CUDA(cudaMemcpyAsync(d.D, a.D, OK * sizeof(float), cudaMemcpyHostToDevice, s));
    JN_CUDA(cudaMemcpyAsync(d.PS, a.prevSlopes, OK * sizeof(float), cudaMemcpyHostToDevice, s));
    d.E = mem.alloc<float>(static_cast<size_t>(P) * O);
    d.gridF = (P + kThreads - 1) / kThreads;
    d.spart = mem.alloc<float>(static_cast<size_t>(d.gridF) * (3 + O));
    int splits = std::max(1, std::min(P / 64 + 1, 2 * sms));
    d.chunk = (P + splits - 1) / splits;
    d.splits = (P + d.chunk - 1) / d.chunk;
    d.gpart = mem.alloc<float>(static_cast<size_t>(d.splits) * OK);
    d.errSums = mem.alloc<float>(O);
    d.history = mem.alloc<float>(2 * (static_cast<size_t>(a.s.maxEpochs) + 1));
    d.st = mem.alloc<OutState>(1);
    OutState init{};
    init.end = kTimeout;
    init.quit = a.s.patience;
    JN_CUDA(cudaMemcpyAsync(d.st, &init, sizeof init, cudaMemcpyHostToDevice, s));
    const size_t dynF = (OK + static_cast<size_t>(kThreads) * (3 + O)) * sizeof(float);
    if (dynF > 48 * 1024) JN_CUDA(cudaFuncSetAttribute(out_forward, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                                       static_cast<int>(dynF)));
    const int qpBlocks = static_cast<int>((OK + 255) / 256);
    run_epochs(s, a.s.maxEpochs, [&] {
      out_forward<<<d.gridF, kThreads, dynF, s>>>(d);
      out_slopes<<<d.splits, kThreads, 0, s>>>(d);
      out_stats<<<1, 256, 0, s>>>(d);
      out_quickprop<<<qpBlocks, 256, 0, s>>>(d);
      out_patience<<<1, 1, 0, s>>>(d);
    });
    // Read back once, into temporaries (the caller's state changes only when the whole phase succeeded).
    OutState st{};
    std::vector<float> W(OK), D(OK), PS(OK), E(static_cast<size_t>(P) * O), sums(O), hist;
    JN_CUDA(cudaMemcpyAsync(&st, d.st, sizeof st, cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaMemcpyAsync(W.data(), d.W, OK * sizeof(float), cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaMemcpyAsync(D.data(), d.D, OK * sizeof(float), cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaMemcpyAsync(PS.data(), d.PS, OK * sizeof(float), cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaMemcpyAsync(E.data(), d.E, E.size() * sizeof(float), cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaMemcpyAsync(sums.data(), d.errSums, O * sizeof(float), cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaStreamSynchronize(s));
    hist.resize(2 * static_cast<size_t>(st.run));
    JN_CUDA(cudaMemcpyAsync(hist.data(), d.history, hist.size() * sizeof(float), cudaMemcpyDeviceToHost, s));
    JN_CUDA(cudaStreamSynchronize(s));
    std::memcpy(a.W, W.data(), OK * sizeof(float));
    std::memcpy(a.D, D.data(), OK * sizeof(float));
    std::memcpy(a.prevSlopes, PS.data(), OK * sizeof(float));
    std::memcpy(a.E, E.data(), E.size() * sizeof(float));
    std::memcpy(a.errSums, sums.data(), O * sizeof(float));
    std::memcpy(a.history, hist.data(), hist.size() * sizeof(float));
    r.epochs = st.updated;
    r.epochsRun = st.run;
    r.end = st.end;
    r.errorBits = st.bits;
    r.trueError = st.trueErr;
    r.sse = st.sse;
    return true;
  } catch (const CudaError& e) {
    why = describe(e);
    after_error(e);
    return false;
  } catch (const std::exception& e) {
    why = e.what();
    return false;
  }
}

// The cache lives on the host between phases (the Kernels contract passes X to every call): one column of P·K
// multiply-adds is cheaper on the CPU than the upload, so fillColumn always declines.
bool cuda_fill_column(float*, int64_t, int, int64_t, const float*, int, std::string& why) {
  why = "fillColumn runs on the CPU (X lives on the host)";
  return false;
}

}  // namespace juniper
