// CPU phase drivers: one call runs a whole candidate phase (A.6) or output phase (A.5). The per-epoch pattern passes
// run in the per-ISA kernels (kernels_impl.inl), split over the thread pool by pattern range with private partials;
// the reductions, Quickprop (A.4), adjust, argmax and the patience tests run here, in float64 with float32 storage,
// exactly as packages/cascor/src/engine/ts-kernels.ts does them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <thread>
#include <vector>

#include "dispatch.h"
#include "thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace juniper {
namespace {

// Flush-to-zero + denormals-are-zero for the duration of a kernel call on this thread, then the caller's mode again
// (Node's own thread must get its MXCSR back untouched). Subnormal floats have no numerical weight here, but each
// one costs a microcode assist of ≈100 cycles on Intel cores.
class FlushDenormals {
 public:
#if defined(__x86_64__) || defined(__i386__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#endif
};

int64_t round_up(int64_t a, int64_t b) { return (a + b - 1) / b * b; }

// Per-thread scratch memory for the phase drivers: one 64-byte-aligned block, kept between calls on the same thread
// (phases on one thread run one after another), so a two-spirals phase does no heap allocation at all. Blocks over
// kRetainMax are released when the phase ends.
class Scratch {
 public:
  static constexpr size_t kRetainMax = size_t{64} << 20;
  // Lays out buffers first (add), then maps them (get) after acquire().
  template <class T>
  size_t add(size_t n) {
    const size_t off = size_;
    size_ += ((n * sizeof(T) + 63) / 64) * 64;
    return off;
  }
  void acquire() {
    Block& b = block();
    if (size_ > b.cap) {
      std::free(b.p);
      b.p = nullptr;
      b.cap = 0;
      const size_t cap = std::max(size_, b.cap + b.cap / 2);
      b.p = static_cast<char*>(std::aligned_alloc(64, cap));
      if (!b.p) throw std::bad_alloc();
      b.cap = cap;
    }
    base_ = b.p;
  }
  ~Scratch() {
    Block& b = block();
    if (b.cap > kRetainMax) {
      std::free(b.p);
      b.p = nullptr;
      b.cap = 0;
    }
  }
  template <class T>
  T* get(size_t off, size_t n = 0, bool zero = false) {
    T* p = reinterpret_cast<T*>(base_ + off);
    if (zero && n) std::memset(p, 0, n * sizeof(T));
    return p;
  }

 private:
  struct Block {
    char* p = nullptr;
    size_t cap = 0;
    ~Block() { std::free(p); }
  };
  static Block& block() {
    static thread_local Block b;
    return b;
  }
  size_t size_ = 0;
  char* base_ = nullptr;
};

// Below this many multiply-adds per epoch (P·C·(K+O) for candidates, P·K·O for outputs) a phase runs on the calling
// thread only. A fork-join per epoch costs a few µs on an idle machine, but on a shared one the second core is often
// busy and the join waits for it: measured on the 2-vCPU CI class under load, epochs of 50–300 µs ran 1.3–1.6× slower
// on 2 threads. 5e6 (≈1 ms single-threaded) keeps two-spirals and the 400-pattern shapes on one thread and splits the
// medium and large ones (as the reference's D.5 measurements do). JUNIPER_NATIVE_PARALLEL_MIN overrides.
double parallel_min_work() {
  static const double v = [] {
    const char* e = std::getenv("JUNIPER_NATIVE_PARALLEL_MIN");
    if (e && *e) {
      char* end = nullptr;
      const double x = std::strtod(e, &end);
      if (end && *end == 0 && x >= 0) return x;
    }
    return 5e6;
  }();
  return v;
}

int thread_count(int requested) {
  const int pool = ThreadPool::instance().size();
  if (requested <= 0) return pool;
  return std::min(requested, pool);
}

// Contiguous, balanced pattern ranges, boundaries aligned to `align`.
std::vector<int64_t> split_range(int64_t n, int parts, int64_t align) {
  std::vector<int64_t> b(static_cast<size_t>(parts) + 1);
  for (int i = 0; i <= parts; ++i) {
    int64_t x = n * i / parts;
    x = std::min(n, round_up(x, align));
    b[static_cast<size_t>(i)] = x;
  }
  b[static_cast<size_t>(parts)] = n;
  return b;
}

// Scalar activation in float64, the same formulas as engine/math/activation.ts (used by fillColumn).
double activate_scalar(int act, double x) {
  switch (act) {
    case kSymSigmoid: return x < -15 ? -0.5 : x > 15 ? 0.5 : 1.0 / (1.0 + std::exp(-x)) - 0.5;
    case kSigmoid: return x < -15 ? 0.0 : x > 15 ? 1.0 : 1.0 / (1.0 + std::exp(-x));
    case kTanh: return std::tanh(x);
    case kLinear: return x;
    default: {
      const double h = (-x * x) / 2;
      return h < -75 ? 0.0 : std::exp(h);
    }
  }
}

// Xt (rows × Pp) = transpose of `rows` columns of X (P × ldx); padding stays 0. Blocked for the caches.
void transpose_into(const float* X, int64_t P, int64_t ldx, int rows, float* Xt, int64_t Pp, int threads) {
  constexpr int64_t B = 32;
  const int64_t blocks = (P + B - 1) / B;
  auto body = [&](int part) {
    const std::vector<int64_t> r = split_range(blocks, threads, 1);
    for (int64_t pb = r[static_cast<size_t>(part)]; pb < r[static_cast<size_t>(part) + 1]; ++pb) {
      const int64_t p0 = pb * B, p1 = std::min(P, p0 + B);
      for (int k0 = 0; k0 < rows; k0 += static_cast<int>(B)) {
        const int k1 = std::min<int>(rows, k0 + static_cast<int>(B));
        for (int64_t p = p0; p < p1; ++p)
          for (int k = k0; k < k1; ++k) Xt[static_cast<int64_t>(k) * Pp + p] = X[p * ldx + k];
      }
    }
  };
  ThreadPool::instance().for_each(threads, body);
}

}  // namespace

// ---- candidate phase (A.6) -----------------------------------------------------------------------------------------

CandidateResult cpu_candidate_phase(const CandidateArgs& a) {
  FlushDenormals ftz;
  const IsaKernels* kk = cand_isa(a.C);
  const int64_t P = a.P;
  const int K = a.K, O = a.O, C = a.C;
  // Small pools run with patterns across the vector lanes (P-lanes), larger ones with candidates across them.
  const bool plane = C <= kk->plane_max_c;
  const int Cp = plane ? C : static_cast<int>(round_up(C, kk->width));
  const int SW = kk->strip;
  const int Oc = O <= 4 ? O : static_cast<int>(round_up(O, 4));
  const size_t CK = static_cast<size_t>(C) * K;
  const int64_t Pp = round_up(P, 16);

  const double work = static_cast<double>(P) * Cp * (K + O);
  int chunks = work < parallel_min_work() ? 1 : thread_count(a.threads);
  chunks = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(chunks, P / 64)));
  // Tile rows. C-lanes: three Pt×Cp float buffers of ≤ 128 kB each, so a tile's intermediates stay in L2.
  // P-lanes: the δ tile (C×Pt) ≤ 64 kB.
  const int MR = kk->mr;
  const int Pt = plane ? static_cast<int>(std::clamp<int64_t>(round_up(16384 / C, 16), 256, 4096))
                       : static_cast<int>(std::clamp<int64_t>(32768 / Cp, 24, 512) / MR * MR);
  const size_t work_floats = plane ? static_cast<size_t>(C) * Pt + static_cast<size_t>(C) * 16 * (1 + Oc + K)
                                   : static_cast<size_t>(3) * Pt * Cp;

  float* w = a.weights;  // the pool's weights, updated in place in the caller's output array
  std::memcpy(w, a.weights0, CK * sizeof(float));
  float* cor = a.cor;  // prevCor
  std::fill(cor, cor + static_cast<size_t>(C) * O, 0.0f);
  float* scores = a.scores;
  std::fill(scores, scores + C, 0.0f);

  Scratch mem;
  const size_t o_d = mem.add<float>(CK), o_ps = mem.add<float>(CK), o_sl = mem.add<double>(CK);
  const size_t o_sumv = mem.add<double>(static_cast<size_t>(C)), o_cc = mem.add<double>(static_cast<size_t>(C) * O);
  const size_t o_wp = mem.add<float>(static_cast<size_t>(K) * Cp), o_a = mem.add<float>(static_cast<size_t>(Oc) * Cp);
  const size_t o_ec = mem.add<float>(plane ? 0 : static_cast<size_t>(P) * Oc);
  const size_t o_xpk = mem.add<float>(plane ? 0 : static_cast<size_t>(P) * K);
  const size_t o_xt = mem.add<float>(plane ? static_cast<size_t>(K) * Pp : 0);
  const size_t o_ect = mem.add<float>(plane ? static_cast<size_t>(Oc) * Pp : 0);
  struct Part {
    double* sumv;
    double* cc;
    float* G;
    float* work;
  };
  std::vector<size_t> part_off;
  for (int i = 0; i < chunks; ++i) {
    part_off.push_back(mem.add<double>(static_cast<size_t>(Cp)));
    part_off.push_back(mem.add<double>(static_cast<size_t>(Oc) * Cp));
    part_off.push_back(mem.add<float>(static_cast<size_t>(K) * Cp));
    part_off.push_back(mem.add<float>(work_floats));
  }
  mem.acquire();
  float* d = mem.get<float>(o_d, CK, true);
  float* ps = mem.get<float>(o_ps, CK, true);
  double* slopes = mem.get<double>(o_sl, CK, true);
  double* sumv = mem.get<double>(o_sumv);
  double* cc = mem.get<double>(o_cc);
  float* Wp = mem.get<float>(o_wp, static_cast<size_t>(K) * Cp, true);
  float* A = mem.get<float>(o_a, static_cast<size_t>(Oc) * Cp, true);
  float* Ec = mem.get<float>(o_ec);
  std::vector<Part> parts;
  for (int i = 0; i < chunks; ++i) {
    const size_t* o = &part_off[static_cast<size_t>(i) * 4];
    parts.push_back(Part{mem.get<double>(o[0]), mem.get<double>(o[1]), mem.get<float>(o[2]), mem.get<float>(o[3])});
  }
  // Centred errors Ec = E − Ē: δ needs them, and CC = Σ v·Ec + Ē·Σv is recovered exactly in float64.
  auto centred = [&](int64_t p, int o) {
    return o < O ? static_cast<float>(static_cast<double>(a.E[p * O + o]) - static_cast<double>(a.errMean[o])) : 0.0f;
  };
  float* Xt = nullptr;
  float* Ect = nullptr;
  if (plane) {
    // Transposed cache and errors, padding columns 0, once per phase.
    Xt = mem.get<float>(o_xt);
    Ect = mem.get<float>(o_ect);
    for (int k = 0; k < K; ++k) std::fill(Xt + k * Pp + P, Xt + (k + 1) * Pp, 0.0f);
    transpose_into(a.X, P, a.ldx, K, Xt, Pp, static_cast<double>(P) * K < 1e6 ? 1 : thread_count(a.threads));
    for (int o = 0; o < Oc; ++o) {
      for (int64_t p = 0; p < P; ++p) Ect[o * Pp + p] = centred(p, o);
      std::fill(Ect + o * Pp + P, Ect + (o + 1) * Pp, 0.0f);
    }
  } else {
    for (int64_t p = 0; p < P; ++p)
      for (int o = 0; o < Oc; ++o) Ec[p * Oc + o] = centred(p, o);
  }
  float* Xpk = nullptr;
  if (!plane) {
    // The cache in panels of MR rows (see CandEpochCtx::Xpk), once per phase: the forward micro-kernel then
    // broadcasts from consecutive addresses.
    Xpk = mem.get<float>(o_xpk);
    const int64_t panels = (P + MR - 1) / MR;
    const int pt = static_cast<double>(P) * K < 1e6 ? 1 : thread_count(a.threads);
    const std::vector<int64_t> pr = split_range(panels, pt, 1);
    auto pack = [&](int part) {
      for (int64_t b = pr[static_cast<size_t>(part)]; b < pr[static_cast<size_t>(part) + 1]; ++b) {
        const int64_t r0 = b * MR;
        const int m = static_cast<int>(std::min<int64_t>(MR, P - r0));
        float* panel = Xpk + r0 * K;
        for (int k = 0; k < K; ++k)
          for (int i = 0; i < m; ++i) panel[k * m + i] = a.X[(r0 + i) * a.ldx + k];
      }
    };
    ThreadPool::instance().for_each(pt, pack);
  }
  const std::vector<int64_t> bounds = plane ? split_range(Pp, chunks, 16) : split_range(P, chunks, MR);

  CandEpochCtx ctx{};
  ctx.P = P;
  ctx.K = K;
  ctx.O = O;
  ctx.Oc = Oc;
  ctx.Cp = Cp;
  ctx.ldx = a.ldx;
  ctx.act = a.act;
  ctx.X = a.X;
  ctx.Xpk = Xpk;
  ctx.Ec = Ec;
  ctx.Wp = Wp;
  ctx.A = A;
  ctx.Pt = Pt;
  ctx.C = C;
  ctx.Pp = Pp;
  ctx.Xt = Xt;
  ctx.Ect = Ect;
  ctx.Wr = w;

  auto run_epoch = [&](bool train) {
    // Pack W (C×K) into strip-major panels: strip s holds candidates [s·SW, s·SW + ws) as K rows of ws floats.
    // (The P-lanes kernel reads W row-major, as it is.)
    for (int s0 = 0; s0 < (plane ? 0 : Cp); s0 += SW) {
      const int ws = std::min(SW, Cp - s0);
      float* panel = Wp + static_cast<size_t>(K) * s0;
      for (int c = s0; c < std::min(C, s0 + ws); ++c)
        for (int k = 0; k < K; ++k) panel[static_cast<size_t>(k) * ws + (c - s0)] = w[static_cast<size_t>(c) * K + k];
    }
    if (train) {
      // A_co = σ_co/SSE, σ from the previous epoch's correlation (the one-pass trick).
      for (int o = 0; o < O; ++o)
        for (int c = 0; c < C; ++c)
          A[static_cast<size_t>(o) * Cp + c] =
              static_cast<float>((cor[static_cast<size_t>(c) * O + o] < 0 ? -1.0 : 1.0) / a.sse);
    }
    ctx.train = train ? 1 : 0;
    auto body = [&](int i) {
      FlushDenormals chunk_ftz;
      Part& part = parts[static_cast<size_t>(i)];
      std::fill(part.sumv, part.sumv + Cp, 0.0);
      std::fill(part.cc, part.cc + static_cast<size_t>(Oc) * Cp, 0.0);
      if (train) std::fill(part.G, part.G + static_cast<size_t>(K) * Cp, 0.0f);
      CandChunkOut out{part.sumv, part.cc, part.G, part.work};
      (plane ? kk->cand_plane : kk->cand_chunk)(ctx, bounds[static_cast<size_t>(i)], bounds[static_cast<size_t>(i) + 1], out);
    };
    ThreadPool::instance().for_each(chunks, body);
    // Reduce the partials in chunk order (deterministic for a given thread count).
    std::fill(sumv, sumv + C, 0.0);
    std::fill(cc, cc + static_cast<size_t>(C) * O, 0.0);
    for (const Part& part : parts) {
      for (int c = 0; c < C; ++c) sumv[c] += part.sumv[c];
      for (int o = 0; o < O; ++o)
        for (int c = 0; c < C; ++c) cc[static_cast<size_t>(c) * O + o] += part.cc[static_cast<size_t>(o) * Cp + c];
      if (train)
        for (int k = 0; k < K; ++k)
          for (int c = 0; c < C; ++c)
            slopes[static_cast<size_t>(c) * K + k] += static_cast<double>(part.G[static_cast<size_t>(k) * Cp + c]);
    }
    for (int c = 0; c < C; ++c)
      for (int o = 0; o < O; ++o)
        cc[static_cast<size_t>(c) * O + o] += static_cast<double>(a.errMean[o]) * sumv[static_cast<size_t>(c)];
  };

  // Adjust: cor_co = (CC_co − avg_c·Ē_o)/SSE (textbook: P·avg_c), score_c = Σ_o |cor_co|, best by strict > from 0.
  auto adjust = [&]() -> int {
    int best = 0;
    float best_score = 0.0f;
    for (int c = 0; c < C; ++c) {
      const double avg = sumv[static_cast<size_t>(c)] / static_cast<double>(P);
      const double centre = a.textbook ? static_cast<double>(P) * avg : avg;
      double score = 0.0;
      for (int o = 0; o < O; ++o) {
        const size_t k = static_cast<size_t>(c) * O + o;
        const double cv = (cc[k] - centre * static_cast<double>(a.errMean[o])) / a.sse;
        cor[k] = static_cast<float>(cv);
        score += std::fabs(cv);
      }
      scores[c] = static_cast<float>(score);
      if (scores[c] > best_score) {
        best_score = scores[c];
        best = c;
      }
    }
    return best;
  };

  const double eps = a.s.epsilon / (static_cast<double>(P) * K);
  // Bootstrap epoch: correlations only, counted.
  run_epoch(false);
  int best = adjust();
  if (a.scoreTrace) std::memcpy(a.scoreTrace, scores, static_cast<size_t>(C) * sizeof(float));
  int epochs = 1;
  int end = kTimeout;
  if (a.progress.fn) a.progress.fn(a.progress.ctx, epochs, scores[best]);
  double last = 0.0;
  int64_t quit = a.s.maxEpochs;
  for (int i = 0; i < a.s.maxEpochs; ++i) {
    run_epoch(true);
    // Quickprop (A.4), vectorised in float64; bit-identical to the scalar rule of engine/math/quickprop.ts.
    kk->quickprop(w, d, ps, slopes, static_cast<int64_t>(CK), eps, a.s.decay, a.s.mu);
    best = adjust();
    if (a.scoreTrace)
      std::memcpy(a.scoreTrace + static_cast<size_t>(i + 1) * C, scores, static_cast<size_t>(C) * sizeof(float));
    ++epochs;
    if (a.progress.fn) a.progress.fn(a.progress.ctx, epochs, scores[best]);
    // Patience (A.6), checked after each training epoch.
    if (a.s.patience == 0) continue;
    const double bs = scores[best];
    if (i == 0) {
      last = bs;
      continue;
    }
    if (std::fabs(bs - last) > last * a.s.changeThreshold) {
      last = bs;
      quit = static_cast<int64_t>(i) + a.s.patience;
      continue;
    }
    if (i >= quit) {
      end = kStagnant;
      break;
    }
  }
  return CandidateResult{best, scores[best], epochs, end};
}

// ---- output phase (A.5) --------------------------------------------------------------------------------------------

OutputResult cpu_output_phase(const OutputArgs& a) {
  FlushDenormals ftz;
  const IsaKernels* kk = best_isa();
  const int64_t P = a.P;
  const int K = a.K, O = a.O;
  const int64_t Pp = round_up(P, 16);
  const size_t OK = static_cast<size_t>(O) * K;
  OutputResult res{0, 0, kTimeout, 0, 0.0, 0.0};
  const int maxEpochs = a.s.maxEpochs;
  if (maxEpochs <= 0) return res;

  const double work = static_cast<double>(P) * K * O;
  int chunks = work < parallel_min_work() ? 1 : thread_count(a.threads);
  chunks = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(chunks, Pp / 256)));
  const int pack_threads = static_cast<double>(P) * K < 1e6 ? 1 : thread_count(a.threads);

  Scratch mem;
  const size_t o_xt = mem.add<float>(static_cast<size_t>(K) * Pp), o_tt = mem.add<float>(static_cast<size_t>(O) * Pp);
  const size_t o_et = mem.add<float>(static_cast<size_t>(O) * Pp), o_sl = mem.add<double>(OK);
  const size_t o_se = mem.add<double>(static_cast<size_t>(O));
  std::vector<size_t> part_off;
  for (int i = 0; i < chunks; ++i) {
    part_off.push_back(mem.add<double>(static_cast<size_t>(O)));
    part_off.push_back(mem.add<double>(OK));
  }
  mem.acquire();
  float* Xt = mem.get<float>(o_xt);
  float* Tt = mem.get<float>(o_tt);
  float* Et = mem.get<float>(o_et);
  double* slopes = mem.get<double>(o_sl, OK, true);
  double* sumErr = mem.get<double>(o_se);
  // Padding columns p ∈ [P, Pp) of the transposed cache and targets are 0.
  for (int k = 0; k < K; ++k) std::fill(Xt + k * Pp + P, Xt + (k + 1) * Pp, 0.0f);
  for (int o = 0; o < O; ++o) {
    std::fill(Tt + o * Pp + P, Tt + (o + 1) * Pp, 0.0f);
    std::fill(Et + o * Pp + P, Et + (o + 1) * Pp, 0.0f);
  }
  transpose_into(a.X, P, a.ldx, K, Xt, Pp, pack_threads);
  transpose_into(a.T, P, O, O, Tt, Pp, 1);
  const int Pt = static_cast<int>(std::clamp<int64_t>((131072 / K) / 16 * 16, 256, 4096));

  struct Part {
    double* sumErr;
    double* G;
    double trueErr = 0, sse = 0;
    int64_t bits = 0;
  };
  std::vector<Part> parts;
  for (int i = 0; i < chunks; ++i)
    parts.push_back(Part{mem.get<double>(part_off[2 * static_cast<size_t>(i)]),
                         mem.get<double>(part_off[2 * static_cast<size_t>(i) + 1])});
  const std::vector<int64_t> bounds = split_range(Pp, chunks, 16);

  OutEpochCtx base{};
  base.P = P;
  base.Pp = Pp;
  base.K = K;
  base.act = a.act;
  base.Xt = Xt;
  base.offset = static_cast<float>(a.offset);
  base.threshold = static_cast<float>(a.threshold);
  base.Pt = Pt;

  const double eps = a.s.epsilon / static_cast<double>(P);
  double last = 0.0;
  int64_t quit = a.s.patience;
  int updated = 0, run = 0, end = kTimeout;
  for (int i = 0; i < maxEpochs; ++i) {
    auto body = [&](int c) {
      FlushDenormals chunk_ftz;
      Part& part = parts[static_cast<size_t>(c)];
      std::fill(part.sumErr, part.sumErr + O, 0.0);
      std::fill(part.G, part.G + OK, 0.0);
      OutChunkOut out{0.0, 0.0, 0, nullptr, nullptr};
      for (int g0 = 0; g0 < O; g0 += kOutMaxO) {
        OutEpochCtx ctx = base;
        ctx.O = std::min(kOutMaxO, O - g0);
        ctx.W = a.W + static_cast<size_t>(g0) * K;
        ctx.Tt = Tt + g0 * Pp;
        ctx.Et = Et + g0 * Pp;
        out.sumErr = part.sumErr + g0;
        out.G = part.G + static_cast<size_t>(g0) * K;
        kk->out_chunk(ctx, bounds[static_cast<size_t>(c)], bounds[static_cast<size_t>(c) + 1], out);
      }
      part.trueErr = out.trueErr;
      part.sse = out.sse;
      part.bits = out.bits;
    };
    ThreadPool::instance().for_each(chunks, body);
    double trueErr = 0, sse = 0;
    int64_t bits = 0;
    std::fill(sumErr, sumErr + O, 0.0);
    for (const Part& part : parts) {
      trueErr += part.trueErr;
      sse += part.sse;
      bits += part.bits;
      for (int o = 0; o < O; ++o) sumErr[o] += part.sumErr[o];
      for (size_t j = 0; j < OK; ++j) slopes[j] += part.G[j];
    }
    // Stale errors (A.5): E, SumErrors and SSE are this forward pass's, taken before the update below.
    for (int o = 0; o < O; ++o) a.errSums[o] = static_cast<float>(sumErr[o]);
    a.history[2 * static_cast<size_t>(i)] = static_cast<float>(trueErr);
    a.history[2 * static_cast<size_t>(i) + 1] = static_cast<float>(bits);
    ++run;
    res.errorBits = bits;
    res.trueError = trueErr;
    res.sse = sse;
    if (bits > 0) {
      kk->quickprop(a.W, a.D, a.prevSlopes, slopes, static_cast<int64_t>(OK), eps, a.s.decay, a.s.mu);
      ++updated;
    } else {
      std::fill(slopes, slopes + OK, 0.0);
    }
    // Stopping rules (A.5), in order; `updated` plays the role of the global Epoch relative to the phase start.
    if (bits == 0) {
      end = kWin;
      break;
    }
    if (a.s.patience == 0) continue;
    if (i == 0) {
      last = trueErr;
      continue;
    }
    if (std::fabs(trueErr - last) > last * a.s.changeThreshold) {
      last = trueErr;
      quit = static_cast<int64_t>(updated) + a.s.patience;
      continue;
    }
    if (updated >= quit) {
      end = kStagnant;
      break;
    }
  }
  // Errors of the last forward pass, back to P×O.
  for (int64_t p = 0; p < P; ++p)
    for (int o = 0; o < O; ++o) a.E[p * O + o] = Et[o * Pp + p];
  res.epochs = updated;
  res.epochsRun = run;
  res.end = end;
  return res;
}

// ---- install (A.7 step 4) ------------------------------------------------------------------------------------------

void cpu_fill_column(float* X, int64_t P, int K, int64_t ldx, const float* w, int act, int threads) {
  // float64 dot products and activation, the operation order of the TS kernel, so that both backends install the
  // same cache column.
  const int parts = static_cast<double>(P) * K < 2e5 ? 1 : thread_count(threads);
  const std::vector<int64_t> r = split_range(P, parts, 1);
  auto body = [&](int part) {
    for (int64_t p = r[static_cast<size_t>(part)]; p < r[static_cast<size_t>(part) + 1]; ++p) {
      float* row = X + p * ldx;
      double z = 0.0;
      for (int i = 0; i < K; ++i) z += static_cast<double>(row[i]) * static_cast<double>(w[i]);
      row[K] = static_cast<float>(activate_scalar(act, z));
    }
  };
  ThreadPool::instance().for_each(parts, body);
}

// ---- FMA peak ------------------------------------------------------------------------------------------------------

double measure_peak_gflops(const IsaKernels* isa, int threads, double seconds) {
  if (threads <= 0) threads = usable_cores();
  // Dedicated threads (not the pool): every thread must run for the same wall-clock window.
  std::vector<double> flops(static_cast<size_t>(threads), 0.0);
  std::atomic<bool> go{false};
  auto worker = [&](int t) {
    while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
    const auto start = std::chrono::steady_clock::now();
    const auto until = start + std::chrono::duration<double>(seconds);
    double f = 0.0;
    while (std::chrono::steady_clock::now() < until) f += isa->fma_loop(1 << 16);
    flops[static_cast<size_t>(t)] = f;
  };
  // Warm-up (frequency ramp, page-in).
  isa->fma_loop(1 << 20);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  const auto t0 = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  worker(0);
  for (auto& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double total = 0.0;
  for (double f : flops) total += f;
  return total / elapsed / 1e9;
}

}  // namespace juniper
