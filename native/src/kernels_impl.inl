// The CPU hot loops, written once against `Vec` (vec_*.inl) and compiled once per instruction set, each time inside
// its own namespace (juniper::generic, juniper::avx2, juniper::avx512). Everything here is `static`: no symbol is shared between
// the instruction-set copies. Do not include standard-library templates here for the same reason.
//
// Candidate epoch ("C-lanes", candidates across the vector lanes), per tile of Pt patterns:
//   1. forward GEMM   Z(Pt×Cp) = X_tile(Pt×K) · Wp(K×Cp)                register-blocked MR×(NR·W), packed W
//   2. epilogue       v = f(z), f′, Σv_c, CC_co += v·Ec_po, δ_pc = −f′·Σ_o Ec_po·A_co    in place over Z
//   3. slope GEMM     G(K×Cp) += X_tileᵀ(K×Pt) · Δ(Pt×Cp)                register-blocked MR×(NR·W)
// The P×C intermediates never leave the tile buffers (L1/L2). Accumulation: float32 within a tile, float64 across
// tiles (Σv, CC) / float32 per chunk then float64 across chunks (slopes).
//
// Layout: candidates come in strips of SW = kForwardNR·W lanes (the last strip may be narrower). Wp and the tile
// buffers are strip-major panels — strip s of Wp is K rows of its width, contiguous; strip s of a tile buffer is Pt
// rows of its width at offset Pt·s·SW — so a micro-kernel streams through contiguous memory. (With plain row-major
// Cp-wide rows, Cp = 256 gives a 1 KB stride that maps a strip onto a quarter of the L1 sets and thrashes it.)
//
// Output epoch ("P-lanes", patterns across the lanes, on the transposed cache Xt), per tile:
//   forward y = f(Σ_k Xt_kp·W_ok), errors and statistics, then slopes G_ok += Σ_p Et_op·Xt_kp as register-blocked
//   dot products, reduced to float64 per tile.

static constexpr int W = Vec::W;
using T = Vec::T;

// ---- vector math -------------------------------------------------------------------------------------------------

// e^x, Cody–Waite range reduction and a degree-5 minimax polynomial (Cephes expf coefficients): ≈1–2 ulp on
// [−87, 88.3]; inputs outside are clamped (the callers never need more: the sigmoids replace |x| > 15 by their
// limits), and the low clamp keeps every result a normal float — a subnormal would cost a microcode assist in the
// next add (≈100 cycles on Intel). NaN propagates.
static inline T vexp(T x) {
  x = Vec::min_keep_nan(Vec::set1(88.3f), Vec::max_keep_nan(Vec::set1(-87.0f), x));
  T n = Vec::round(Vec::mul(x, Vec::set1(1.44269504088896341f)));
  T r = Vec::fnma(n, Vec::set1(0.693359375f), x);
  r = Vec::fnma(n, Vec::set1(-2.12194440e-4f), r);
  T p = Vec::set1(1.9875691500e-4f);
  p = Vec::fma(p, r, Vec::set1(1.3981999507e-3f));
  p = Vec::fma(p, r, Vec::set1(8.3334519073e-3f));
  p = Vec::fma(p, r, Vec::set1(4.1665795894e-2f));
  p = Vec::fma(p, r, Vec::set1(1.6666665459e-1f));
  p = Vec::fma(p, r, Vec::set1(5.0000001201e-1f));
  T r2 = Vec::mul(r, r);
  p = Vec::fma(p, r2, Vec::add(r, Vec::set1(1.0f)));
  return Vec::scale2(p, n);
}

// 1/(1+e^−z), no clamp.
static inline T vlogistic(T z) {
  T e = vexp(Vec::sub(Vec::zero(), z));
  return Vec::recip(Vec::add(Vec::set1(1.0f), e));
}

// v = f(z) and f′ (reference A.2; no SigmoidPrimeOffset here).
template <int ACT>
static inline void vact(T z, T& v, T& fp) {
  if constexpr (ACT == kSymSigmoid) {
    T s = Vec::sub(vlogistic(z), Vec::set1(0.5f));
    s = Vec::blend(Vec::lt(z, Vec::set1(-15.0f)), s, Vec::set1(-0.5f));
    v = Vec::blend(Vec::gt(z, Vec::set1(15.0f)), s, Vec::set1(0.5f));
    fp = Vec::fnma(v, v, Vec::set1(0.25f));
  } else if constexpr (ACT == kSigmoid) {
    T s = vlogistic(z);
    s = Vec::blend(Vec::lt(z, Vec::set1(-15.0f)), s, Vec::zero());
    v = Vec::blend(Vec::gt(z, Vec::set1(15.0f)), s, Vec::set1(1.0f));
    fp = Vec::mul(v, Vec::sub(Vec::set1(1.0f), v));
  } else if constexpr (ACT == kTanh) {
    // tanh |z| = (1 − e)/(1 + e), e = e^{−2|z|} ∈ (0, 1]: 1 − e is exact (Sterbenz) and a true division keeps the
    // absolute error ≈1e-7 near 0; the sign is restored afterwards. Saturates to ±1 through the clamped exp.
    T a = Vec::abs(z);
    T e = vexp(Vec::mul(a, Vec::set1(-2.0f)));
    T t = Vec::div(Vec::sub(Vec::set1(1.0f), e), Vec::add(Vec::set1(1.0f), e));
    v = Vec::blend(Vec::lt(z, Vec::zero()), t, Vec::sub(Vec::zero(), t));
    fp = Vec::fnma(v, v, Vec::set1(1.0f));
  } else if constexpr (ACT == kLinear) {
    v = z;
    fp = Vec::set1(1.0f);
  } else {  // kGaussian: e^{−z²/2}, 0 when −z²/2 < −75; f′ = −z·v
    T h = Vec::mul(Vec::mul(z, z), Vec::set1(-0.5f));
    T g = vexp(h);
    v = Vec::blend(Vec::lt(h, Vec::set1(-75.0f)), g, Vec::zero());
    fp = Vec::sub(Vec::zero(), Vec::mul(z, v));
  }
}

// ---- candidate epoch: forward GEMM ---------------------------------------------------------------------------------

// Z[i][j·W..] = Σ_k X[i][k]·Wp[k][j·W..] for MR rows and NR vectors. Xk: the rows' packed panel (K groups of MR
// consecutive floats: X[i][k] at k·MR + i). Wp/Z: strip start, row stride Cp.
template <int MR, int NR>
static inline void fwd_block(const float* Xk, int K, const float* Wp, int Cp, float* Z) {
  T acc[MR][NR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) acc[i][j] = Vec::zero();
  const float* wk = Wp;
  for (int k = 0; k < K; ++k, wk += Cp, Xk += MR) {
    T w[NR];
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) w[j] = Vec::load(wk + j * W);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      T x = Vec::set1(Xk[i]);
#pragma GCC unroll 4
      for (int j = 0; j < NR; ++j) acc[i][j] = Vec::fma(x, w[j], acc[i][j]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) Vec::store(Z + i * Cp + j * W, acc[i][j]);
}

// Xpk: the tile's rows packed in panels of kForwardMR (CandEpochCtx::Xpk); panel i0 starts at i0·K.
template <int NR>
static inline void fwd_rows(const float* Xpk, int K, const float* Wp, int Cp, float* Z, int n) {
  constexpr int MR = Vec::kForwardMR;
  int i = 0;
  for (; i + MR <= n; i += MR) fwd_block<MR, NR>(Xpk + static_cast<int64_t>(i) * K, K, Wp, Cp, Z + i * Cp);
  const float* Xr = Xpk + static_cast<int64_t>(i) * K;
  switch (n - i) {
    case 5: fwd_block<5, NR>(Xr, K, Wp, Cp, Z + i * Cp); break;
    case 4: fwd_block<4, NR>(Xr, K, Wp, Cp, Z + i * Cp); break;
    case 3: fwd_block<3, NR>(Xr, K, Wp, Cp, Z + i * Cp); break;
    case 2: fwd_block<2, NR>(Xr, K, Wp, Cp, Z + i * Cp); break;
    case 1: fwd_block<1, NR>(Xr, K, Wp, Cp, Z + i * Cp); break;
    default: break;
  }
}

static_assert(Vec::kForwardNR == Vec::kSlopeNR, "forward and slope kernels share the strip layout");
constexpr int SW = Vec::kForwardNR * W;  // strip width in floats

// Width (floats) of strip s of a pool of Cp lanes.
static inline int strip_width(int Cp, int s) { return Cp - s * SW < SW ? Cp - s * SW : SW; }

template <int NR>
static inline void fwd_strip(const float* Xpk, int K, const float* Wps, int ws, float* Zs, int n) {
  fwd_rows<NR>(Xpk, K, Wps, ws, Zs, n);
}

static void fwd_tile(const float* X, int K, const float* Wp, int Cp, int Pt, float* Z, int n) {
  for (int s = 0; s * SW < Cp; ++s) {
    const int ws = strip_width(Cp, s);
    const float* Wps = Wp + static_cast<int64_t>(K) * s * SW;
    float* Zs = Z + static_cast<int64_t>(Pt) * s * SW;
    switch (ws / W) {
      case 1: fwd_strip<1>(X, K, Wps, ws, Zs, n); break;
      case 2: fwd_strip<(Vec::kForwardNR >= 2 ? 2 : 1)>(X, K, Wps, ws, Zs, n); break;
      case 3: fwd_strip<(Vec::kForwardNR >= 3 ? 3 : 1)>(X, K, Wps, ws, Zs, n); break;
      default: fwd_strip<Vec::kForwardNR>(X, K, Wps, ws, Zs, n); break;
    }
  }
}

// ---- candidate epoch: slope GEMM -----------------------------------------------------------------------------------

// G[m][j·W..] += Σ_r X[r][m]·D[r][j·W..] for MR weight rows m and NR vectors, over n patterns.
template <int MR, int NR>
static inline void slope_block(const float* X, int64_t ldx, int n, const float* D, int ds, int Cp, float* G) {
  T acc[MR][NR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) acc[i][j] = Vec::zero();
  const float* xr = X;
  const float* dr = D;
  for (int r = 0; r < n; ++r, xr += ldx, dr += ds) {
    T d[NR];
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) d[j] = Vec::load(dr + j * W);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      T x = Vec::set1(xr[i]);
#pragma GCC unroll 4
      for (int j = 0; j < NR; ++j) acc[i][j] = Vec::fma(x, d[j], acc[i][j]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) {
      float* g = G + i * Cp + j * W;
      Vec::store(g, Vec::add(Vec::load(g), acc[i][j]));
    }
}

template <int NR>
static inline void slope_rows(const float* X, int64_t ldx, int K, int n, const float* D, int ds, int Cp, float* G) {
  constexpr int MR = Vec::kSlopeMR;
  int m = 0;
  for (; m + MR <= K; m += MR) slope_block<MR, NR>(X + m, ldx, n, D, ds, Cp, G + m * Cp);
  switch (K - m) {
    case 5: slope_block<5, NR>(X + m, ldx, n, D, ds, Cp, G + m * Cp); break;
    case 4: slope_block<4, NR>(X + m, ldx, n, D, ds, Cp, G + m * Cp); break;
    case 3: slope_block<3, NR>(X + m, ldx, n, D, ds, Cp, G + m * Cp); break;
    case 2: slope_block<2, NR>(X + m, ldx, n, D, ds, Cp, G + m * Cp); break;
    case 1: slope_block<1, NR>(X + m, ldx, n, D, ds, Cp, G + m * Cp); break;
    default: break;
  }
}

static void slope_tile(const float* X, int64_t ldx, int K, int n, const float* D, int Cp, int Pt, float* G) {
  for (int s = 0; s * SW < Cp; ++s) {
    const int ws = strip_width(Cp, s);
    const float* Ds = D + static_cast<int64_t>(Pt) * s * SW;
    float* Gs = G + s * SW;
    switch (ws / W) {
      case 1: slope_rows<1>(X, ldx, K, n, Ds, ws, Cp, Gs); break;
      case 2: slope_rows<(Vec::kSlopeNR >= 2 ? 2 : 1)>(X, ldx, K, n, Ds, ws, Cp, Gs); break;
      case 3: slope_rows<(Vec::kSlopeNR >= 3 ? 3 : 1)>(X, ldx, K, n, Ds, ws, Cp, Gs); break;
      default: slope_rows<Vec::kSlopeNR>(X, ldx, K, n, Ds, ws, Cp, Gs); break;
    }
  }
}

// ---- candidate epoch: epilogue ---------------------------------------------------------------------------------------

static inline void add_to_double(double* dst, T v) {
  float tmp[W];
  Vec::to_array(v, tmp);
  for (int l = 0; l < W; ++l) dst[l] += static_cast<double>(tmp[l]);
}

// First (or only) pass over outputs [0, NO): activation, Σv, CC, and the start of s = Σ_o Ec·A.
// MODE 0: bootstrap (no δ). MODE 1: training, all outputs in this pass: Z ← δ. MODE 2: training, more passes
// follow: Z ← v, F ← f′, S ← s.
// Vector j's column in a strip-major tile buffer: its offset and its strip's row stride.
static inline void strip_pos(int Cp, int Pt, int j, int64_t& off, int& stride) {
  const int s = j / SW;
  stride = strip_width(Cp, s);
  off = static_cast<int64_t>(Pt) * s * SW + (j - s * SW);
}

// σ/SSE coefficients of NO outputs for lanes j: in registers for small NO, re-read from L1 beyond (registers hold
// the NO correlation accumulators first).
template <int NO>
struct ACoef {
  static constexpr bool kHeld = NO <= 8;
  T a[kHeld ? NO : 1];
  const float* row;
  int Cp;
  inline void init(const float* A, int Cp_, int j, bool zero) {
    row = A + j;
    Cp = Cp_;
    if constexpr (kHeld) {
#pragma GCC unroll 8
      for (int o = 0; o < NO; ++o) a[o] = zero ? Vec::zero() : Vec::load(A + o * Cp_ + j);
    }
  }
  inline T get(int o) const {
    if constexpr (kHeld) return a[o];
    else return Vec::load(row + o * Cp);
  }
};

template <int ACT, int NO, int MODE>
static void epi_first(const CandEpochCtx& c, int64_t t0, int n, float* Z, float* F, float* S, const CandChunkOut& out) {
  const int Cp = c.Cp, Oc = c.Oc;
  for (int j = 0; j < Cp; j += W) {
    int64_t off;
    int ld;
    strip_pos(Cp, c.Pt, j, off, ld);
    T cc[NO];
#pragma GCC unroll 16
    for (int o = 0; o < NO; ++o) cc[o] = Vec::zero();
    ACoef<NO> a;
    a.init(c.A, Cp, j, MODE == 0);
    T sv = Vec::zero();
    const float* ec = c.Ec + t0 * Oc;
    for (int r = 0; r < n; ++r, ec += Oc) {
      const int64_t at = off + static_cast<int64_t>(r) * ld;
      float* zp = Z + at;
      T v, fp;
      vact<ACT>(Vec::load(zp), v, fp);
      sv = Vec::add(sv, v);
      T s = Vec::zero();
#pragma GCC unroll 16
      for (int o = 0; o < NO; ++o) {
        T e = Vec::set1(ec[o]);
        cc[o] = Vec::fma(v, e, cc[o]);
        if (MODE != 0) s = Vec::fma(e, a.get(o), s);
      }
      if (MODE == 1) {
        Vec::store(zp, Vec::sub(Vec::zero(), Vec::mul(fp, s)));
      } else if (MODE == 2) {
        Vec::store(zp, v);
        Vec::store(F + at, fp);
        Vec::store(S + at, s);
      }
    }
    add_to_double(out.sumv + j, sv);
#pragma GCC unroll 16
    for (int o = 0; o < NO; ++o) add_to_double(out.cc + o * Cp + j, cc[o]);
  }
}

// Further passes over outputs [o0, o0+NO) (Oc > kOutChunk). Z holds v. LAST (training): Z ← δ = −F·S.
// MODE 0: bootstrap (CC only).
template <int NO, int MODE, int LAST>
static void epi_next(const CandEpochCtx& c, int64_t t0, int n, int o0, float* Z, const float* F, float* S,
                     const CandChunkOut& out) {
  const int Cp = c.Cp, Oc = c.Oc;
  for (int j = 0; j < Cp; j += W) {
    int64_t off;
    int ld;
    strip_pos(Cp, c.Pt, j, off, ld);
    T cc[NO];
#pragma GCC unroll 16
    for (int o = 0; o < NO; ++o) cc[o] = Vec::zero();
    ACoef<NO> a;
    a.init(c.A + static_cast<int64_t>(o0) * Cp, Cp, j, MODE == 0);
    const float* ec = c.Ec + t0 * Oc + o0;
    for (int r = 0; r < n; ++r, ec += Oc) {
      const int64_t at = off + static_cast<int64_t>(r) * ld;
      float* zp = Z + at;
      T v = Vec::load(zp);
      T s = MODE == 0 ? Vec::zero() : Vec::load(S + at);
#pragma GCC unroll 16
      for (int o = 0; o < NO; ++o) {
        T e = Vec::set1(ec[o]);
        cc[o] = Vec::fma(v, e, cc[o]);
        if (MODE != 0) s = Vec::fma(e, a.get(o), s);
      }
      if (MODE != 0) {
        if (LAST) Vec::store(zp, Vec::sub(Vec::zero(), Vec::mul(Vec::load(F + at), s)));
        else Vec::store(S + at, s);
      }
    }
#pragma GCC unroll 16
    for (int o = 0; o < NO; ++o) add_to_double(out.cc + (o0 + o) * Cp + j, cc[o]);
  }
}

template <int ACT, int MODE>
static void epi_first_n(int no, const CandEpochCtx& c, int64_t t0, int n, float* Z, float* F, float* S,
                        const CandChunkOut& out) {
  switch (no) {
    case 1: epi_first<ACT, 1, MODE>(c, t0, n, Z, F, S, out); break;
    case 2: epi_first<ACT, 2, MODE>(c, t0, n, Z, F, S, out); break;
    case 3: epi_first<ACT, 3, MODE>(c, t0, n, Z, F, S, out); break;
    case 4: epi_first<ACT, 4, MODE>(c, t0, n, Z, F, S, out); break;
    default:
      // Beyond 4 the outputs are padded to a multiple of 4 (CandEpochCtx::Oc).
      if constexpr (Vec::kOutChunk >= 16) {
        switch (no) {
          case 8: epi_first<ACT, 8, MODE>(c, t0, n, Z, F, S, out); break;
          case 12: epi_first<ACT, 12, MODE>(c, t0, n, Z, F, S, out); break;
          default: epi_first<ACT, 16, MODE>(c, t0, n, Z, F, S, out); break;
        }
      }
      break;
  }
}

template <int MODE, int LAST>
static void epi_next_n(int no, const CandEpochCtx& c, int64_t t0, int n, int o0, float* Z, const float* F, float* S,
                       const CandChunkOut& out) {
  switch (no) {
    case 1: epi_next<1, MODE, LAST>(c, t0, n, o0, Z, F, S, out); break;
    case 2: epi_next<2, MODE, LAST>(c, t0, n, o0, Z, F, S, out); break;
    case 3: epi_next<3, MODE, LAST>(c, t0, n, o0, Z, F, S, out); break;
    case 4: epi_next<4, MODE, LAST>(c, t0, n, o0, Z, F, S, out); break;
    default:
      if constexpr (Vec::kOutChunk >= 16) {
        switch (no) {
          case 8: epi_next<8, MODE, LAST>(c, t0, n, o0, Z, F, S, out); break;
          case 12: epi_next<12, MODE, LAST>(c, t0, n, o0, Z, F, S, out); break;
          default: epi_next<16, MODE, LAST>(c, t0, n, o0, Z, F, S, out); break;
        }
      }
      break;
  }
}

template <int ACT>
static void epilogue(const CandEpochCtx& c, int64_t t0, int n, float* Z, float* F, float* S, const CandChunkOut& out) {
  constexpr int OC = Vec::kOutChunk;
  const int O = c.Oc;
  if (O <= OC) {
    if (c.train) epi_first_n<ACT, 1>(O, c, t0, n, Z, F, S, out);
    else epi_first_n<ACT, 0>(O, c, t0, n, Z, F, S, out);
    return;
  }
  // More outputs than one pass holds: v and f′ are kept in the tile buffers between passes.
  if (c.train) epi_first_n<ACT, 2>(OC, c, t0, n, Z, F, S, out);
  else {
    // Bootstrap: Z must hold v for the next passes: reuse MODE 2 storage (S/F written, unused).
    epi_first_n<ACT, 2>(OC, c, t0, n, Z, F, S, out);
  }
  for (int o0 = OC; o0 < O; o0 += OC) {
    const int no = O - o0 < OC ? O - o0 : OC;
    const bool last = o0 + no >= O;
    if (!c.train) epi_next_n<0, 0>(no, c, t0, n, o0, Z, F, S, out);
    else if (last) epi_next_n<1, 1>(no, c, t0, n, o0, Z, F, S, out);
    else epi_next_n<1, 0>(no, c, t0, n, o0, Z, F, S, out);
  }
}

static void cand_chunk(const CandEpochCtx& c, int64_t p0, int64_t p1, const CandChunkOut& out) {
  const int Cp = c.Cp;
  float* Z = out.work;
  float* F = Z + static_cast<int64_t>(c.Pt) * Cp;
  float* S = F + static_cast<int64_t>(c.Pt) * Cp;
  for (int64_t t0 = p0; t0 < p1; t0 += c.Pt) {
    const int n = static_cast<int>(p1 - t0 < c.Pt ? p1 - t0 : c.Pt);
    const float* Xt = c.X + t0 * c.ldx;
    fwd_tile(c.Xpk + t0 * c.K, c.K, c.Wp, Cp, c.Pt, Z, n);
    switch (c.act) {
      case kSymSigmoid: epilogue<kSymSigmoid>(c, t0, n, Z, F, S, out); break;
      case kSigmoid: epilogue<kSigmoid>(c, t0, n, Z, F, S, out); break;
      case kTanh: epilogue<kTanh>(c, t0, n, Z, F, S, out); break;
      case kLinear: epilogue<kLinear>(c, t0, n, Z, F, S, out); break;
      default: epilogue<kGaussian>(c, t0, n, Z, F, S, out); break;
    }
    if (c.train) slope_tile(Xt, c.ldx, c.K, n, Z, Cp, c.Pt, out.G);
  }
}

// ---- candidate epoch, small pools (P-lanes) ------------------------------------------------------------------------
//
// With C ≤ 16 the candidate lanes of a vector would be mostly padding; patterns go across the lanes instead, on the
// transposed cache Xt (K×Pp) and errors Ect (Oc×Pp):
//   forward   Z[c][p..p+W) = Σ_k Xt[k][p..]·w[c][k] for NP pattern vectors × NC candidates (broadcast weights)
//   epilogue  v, f′ (tail lanes masked to 0), Σv and Σ v·Ec into per-lane partials, δ → the tile buffer Dt (C×Pt)
//   slopes    Gv[c][k][lane] += Σ_p Dt[c][p]·Xt[k][p], register-blocked dot products, reduced once per chunk.

constexpr int kPlaneNC = Vec::kForwardNR >= 4 ? 8 : 4;  // candidates per forward block (2·NC accumulators)

template <int ACT, int NC, int NP, bool TRAIN>
static inline void plane_block(const CandEpochCtx& c, int c0, int64_t p, int64_t tp, T valid, bool tail, float* Dt,
                               float* Sv, float* CCv) {
  const int K = c.K, Oc = c.Oc;
  const int64_t Pp = c.Pp;
  T acc[NP][NC];
#pragma GCC unroll 2
  for (int q = 0; q < NP; ++q)
#pragma GCC unroll 8
    for (int j = 0; j < NC; ++j) acc[q][j] = Vec::zero();
  const float* xk = c.Xt + p;
  const float* wr = c.Wr + static_cast<int64_t>(c0) * K;
  for (int k = 0; k < K; ++k, xk += Pp) {
    T x[NP];
#pragma GCC unroll 2
    for (int q = 0; q < NP; ++q) x[q] = Vec::load(xk + q * W);
#pragma GCC unroll 8
    for (int j = 0; j < NC; ++j) {
      const T w = Vec::set1(wr[j * K + k]);
#pragma GCC unroll 2
      for (int q = 0; q < NP; ++q) acc[q][j] = Vec::fma(x[q], w, acc[q][j]);
    }
  }
#pragma GCC unroll 2
  for (int q = 0; q < NP; ++q) {
    const int64_t pq = p + q * W;
#pragma GCC unroll 8
    for (int j = 0; j < NC; ++j) {
      const int cg = c0 + j;
      T v, fp;
      vact<ACT>(acc[q][j], v, fp);
      if (tail && q == NP - 1) {
        v = Vec::mul(v, valid);
        fp = Vec::mul(fp, valid);
      }
      float* sv = Sv + cg * W;
      Vec::store(sv, Vec::add(Vec::load(sv), v));
      T s = Vec::zero();
      float* ccv = CCv + static_cast<int64_t>(cg) * Oc * W;
      for (int o = 0; o < Oc; ++o) {
        const T e = Vec::load(c.Ect + o * Pp + pq);
        Vec::store(ccv + o * W, Vec::fma(v, e, Vec::load(ccv + o * W)));
        if (TRAIN) s = Vec::fma(e, Vec::set1(c.A[o * c.Cp + cg]), s);
      }
      if (TRAIN) Vec::store(Dt + static_cast<int64_t>(cg) * c.Pt + tp + q * W, Vec::sub(Vec::zero(), Vec::mul(fp, s)));
    }
  }
}

template <int ACT, int NC, bool TRAIN>
static void plane_rows(const CandEpochCtx& c, int c0, int64_t t0, int64_t t1, int64_t tail_start, T valid, float* Dt,
                       float* Sv, float* CCv) {
  for (int64_t p = t0; p < t1;) {
    if (t1 - p >= 2 * W) {
      plane_block<ACT, NC, 2, TRAIN>(c, c0, p, p - t0, valid, p + W == tail_start, Dt, Sv, CCv);
      p += 2 * W;
    } else {
      plane_block<ACT, NC, 1, TRAIN>(c, c0, p, p - t0, valid, p == tail_start, Dt, Sv, CCv);
      p += W;
    }
  }
}

template <int ACT, bool TRAIN>
static void plane_forward(const CandEpochCtx& c, int64_t t0, int64_t t1, int64_t tail_start, T valid, float* Dt,
                          float* Sv, float* CCv) {
  constexpr int NC = kPlaneNC;
  int c0 = 0;
  for (; c0 + NC <= c.C; c0 += NC) plane_rows<ACT, NC, TRAIN>(c, c0, t0, t1, tail_start, valid, Dt, Sv, CCv);
  switch (c.C - c0) {
    case 7: if constexpr (NC > 7) plane_rows<ACT, 7, TRAIN>(c, c0, t0, t1, tail_start, valid, Dt, Sv, CCv); break;
    case 6: if constexpr (NC > 6) plane_rows<ACT, 6, TRAIN>(c, c0, t0, t1, tail_start, valid, Dt, Sv, CCv); break;
    case 5: if constexpr (NC > 5) plane_rows<ACT, 5, TRAIN>(c, c0, t0, t1, tail_start, valid, Dt, Sv, CCv); break;
    case 4: if constexpr (NC > 4) plane_rows<ACT, 4, TRAIN>(c, c0, t0, t1, tail_start, valid, Dt, Sv, CCv); break;
    case 3: plane_rows<ACT, 3, TRAIN>(c, c0, t0, t1, tail_start, valid, Dt, Sv, CCv); break;
    case 2: plane_rows<ACT, 2, TRAIN>(c, c0, t0, t1, tail_start, valid, Dt, Sv, CCv); break;
    case 1: plane_rows<ACT, 1, TRAIN>(c, c0, t0, t1, tail_start, valid, Dt, Sv, CCv); break;
    default: break;
  }
}

// Gv[c][k][lanes] += Σ_p Dt[c][p]·Xt[k][p] for NCB candidates from c0 and NKB weights from k0 over the tile.
template <int NCB, int NKB>
static inline void plane_dots(const CandEpochCtx& c, int c0, int k0, int64_t t0, int64_t n, const float* Dt, float* Gv) {
  T acc[NCB][NKB];
#pragma GCC unroll 4
  for (int i = 0; i < NCB; ++i)
#pragma GCC unroll 8
    for (int kk = 0; kk < NKB; ++kk) acc[i][kk] = Vec::zero();
  const int64_t Pp = c.Pp;
  for (int64_t tp = 0; tp < n; tp += W) {
    T d[NCB];
#pragma GCC unroll 4
    for (int i = 0; i < NCB; ++i) d[i] = Vec::load(Dt + static_cast<int64_t>(c0 + i) * c.Pt + tp);
#pragma GCC unroll 8
    for (int kk = 0; kk < NKB; ++kk) {
      const T x = Vec::load(c.Xt + static_cast<int64_t>(k0 + kk) * Pp + t0 + tp);
#pragma GCC unroll 4
      for (int i = 0; i < NCB; ++i) acc[i][kk] = Vec::fma(d[i], x, acc[i][kk]);
    }
  }
#pragma GCC unroll 4
  for (int i = 0; i < NCB; ++i)
#pragma GCC unroll 8
    for (int kk = 0; kk < NKB; ++kk) {
      float* g = Gv + (static_cast<int64_t>(c0 + i) * c.K + k0 + kk) * W;
      Vec::store(g, Vec::add(Vec::load(g), acc[i][kk]));
    }
}

template <int NCB>
static void plane_dots_k(const CandEpochCtx& c, int c0, int64_t t0, int64_t n, const float* Dt, float* Gv) {
  constexpr int NKB = Vec::kForwardNR >= 4 ? 6 : 3;
  int k = 0;
  for (; k + NKB <= c.K; k += NKB) plane_dots<NCB, NKB>(c, c0, k, t0, n, Dt, Gv);
  for (; k + 2 <= c.K; k += 2) plane_dots<NCB, 2>(c, c0, k, t0, n, Dt, Gv);
  for (; k < c.K; ++k) plane_dots<NCB, 1>(c, c0, k, t0, n, Dt, Gv);
}

static void plane_slopes(const CandEpochCtx& c, int64_t t0, int64_t n, const float* Dt, float* Gv) {
  int c0 = 0;
  for (; c0 + 4 <= c.C; c0 += 4) plane_dots_k<4>(c, c0, t0, n, Dt, Gv);
  switch (c.C - c0) {
    case 3: plane_dots_k<3>(c, c0, t0, n, Dt, Gv); break;
    case 2: plane_dots_k<2>(c, c0, t0, n, Dt, Gv); break;
    case 1: plane_dots_k<1>(c, c0, t0, n, Dt, Gv); break;
    default: break;
  }
}

template <int ACT>
static void cand_plane_act(const CandEpochCtx& c, int64_t p0, int64_t p1, const CandChunkOut& out) {
  const int C = c.C, K = c.K, Oc = c.Oc;
  float* Dt = out.work;                                      // C × Pt
  float* Sv = Dt + static_cast<int64_t>(C) * c.Pt;           // C × W
  float* CCv = Sv + static_cast<int64_t>(C) * W;             // C × Oc × W
  float* Gv = CCv + static_cast<int64_t>(C) * Oc * W;        // C × K × W
  const int64_t nv = static_cast<int64_t>(C) * (1 + Oc + (c.train ? K : 0)) * W;
  for (int64_t i = 0; i < nv; ++i) Sv[i] = 0.0f;
  // Only the vector holding pattern P−1 can be partial: the range ends at P rounded up to W.
  const int64_t pend = (c.P + W - 1) / W * W;
  if (p1 > pend) p1 = pend;
  const int64_t tail_start = c.P % W ? c.P / W * W : -1;
  const T valid = Vec::first_lanes(static_cast<int>(c.P % W));
  for (int64_t t0 = p0; t0 < p1; t0 += c.Pt) {
    const int64_t t1 = p1 - t0 < c.Pt ? p1 : t0 + c.Pt;
    if (c.train) {
      plane_forward<ACT, true>(c, t0, t1, tail_start, valid, Dt, Sv, CCv);
      plane_slopes(c, t0, t1 - t0, Dt, Gv);
    } else {
      plane_forward<ACT, false>(c, t0, t1, tail_start, valid, Dt, Sv, CCv);
    }
  }
  // Lane sums, four vectors at a time.
  const auto sums = [](const float* v, int64_t n, float* out) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
      Vec::hsum4(Vec::load(v + i * W), Vec::load(v + (i + 1) * W), Vec::load(v + (i + 2) * W), Vec::load(v + (i + 3) * W), out + i);
    for (; i < n; ++i) out[i] = Vec::hsum(Vec::load(v + i * W));
  };
  float red[256];
  for (int j = 0; j < C; ++j) {
    out.sumv[j] += static_cast<double>(Vec::hsum(Vec::load(Sv + j * W)));
    for (int o0 = 0; o0 < Oc; o0 += 256) {
      const int no = Oc - o0 < 256 ? Oc - o0 : 256;
      sums(CCv + (static_cast<int64_t>(j) * Oc + o0) * W, no, red);
      for (int o = 0; o < no; ++o) out.cc[(o0 + o) * c.Cp + j] += static_cast<double>(red[o]);
    }
    if (c.train)
      for (int k0 = 0; k0 < K; k0 += 256) {
        const int nk = K - k0 < 256 ? K - k0 : 256;
        sums(Gv + (static_cast<int64_t>(j) * K + k0) * W, nk, red);
        for (int k = 0; k < nk; ++k) out.G[(k0 + k) * c.Cp + j] += red[k];
      }
  }
}

static void cand_plane(const CandEpochCtx& c, int64_t p0, int64_t p1, const CandChunkOut& out) {
  switch (c.act) {
    case kSymSigmoid: cand_plane_act<kSymSigmoid>(c, p0, p1, out); break;
    case kSigmoid: cand_plane_act<kSigmoid>(c, p0, p1, out); break;
    case kTanh: cand_plane_act<kTanh>(c, p0, p1, out); break;
    case kLinear: cand_plane_act<kLinear>(c, p0, p1, out); break;
    default: cand_plane_act<kGaussian>(c, p0, p1, out); break;
  }
}

// ---- output epoch (P-lanes) ------------------------------------------------------------------------------------------

// Forward + errors for NO outputs starting at o0, NP pattern vectors at p (absolute, multiple of W).
template <int ACT, int NO, int NP>
static inline void out_fwd_block(const OutEpochCtx& c, int o0, int64_t p, T valid_last, bool has_tail, T& te, T& se,
                                 T& bits, T* sum_err) {
  const int64_t Pp = c.Pp;
  T acc[NO][NP];
#pragma GCC unroll 4
  for (int o = 0; o < NO; ++o)
#pragma GCC unroll 4
    for (int q = 0; q < NP; ++q) acc[o][q] = Vec::zero();
  const float* xk = c.Xt + p;
  for (int k = 0; k < c.K; ++k, xk += Pp) {
    T x[NP];
#pragma GCC unroll 4
    for (int q = 0; q < NP; ++q) x[q] = Vec::load(xk + q * W);
#pragma GCC unroll 4
    for (int o = 0; o < NO; ++o) {
      T w = Vec::set1(c.W[(o0 + o) * c.K + k]);
#pragma GCC unroll 4
      for (int q = 0; q < NP; ++q) acc[o][q] = Vec::fma(x[q], w, acc[o][q]);
    }
  }
  const T off = Vec::set1(c.offset), thr = Vec::set1(c.threshold), one = Vec::set1(1.0f);
#pragma GCC unroll 4
  for (int o = 0; o < NO; ++o)
#pragma GCC unroll 4
    for (int q = 0; q < NP; ++q) {
      T y, fp;
      vact<ACT>(acc[o][q], y, fp);
      const int64_t at = static_cast<int64_t>(o0 + o) * Pp + p + q * W;
      T dif = Vec::sub(y, Vec::load(c.Tt + at));
      if (has_tail && q == NP - 1) dif = Vec::mul(dif, valid_last);  // padding lanes contribute nothing
      T prime = ACT == kLinear ? one : Vec::add(fp, off);
      T err = Vec::mul(dif, prime);
      bits = Vec::add(bits, Vec::blend(Vec::gt(Vec::abs(dif), thr), Vec::zero(), one));
      te = Vec::fma(dif, dif, te);
      se = Vec::fma(err, err, se);
      sum_err[o0 + o] = Vec::add(sum_err[o0 + o], err);
      Vec::store(c.Et + at, err);
    }
}

// G[o][k] += Σ_p Et[o][p]·Xt[k][p] for NO outputs from o0 and NK weights from k0, over pattern vectors [pa, pb).
template <int NO, int NK>
static inline void out_dots(const OutEpochCtx& c, int o0, int k0, int64_t pa, int64_t pb, double* G) {
  T acc[NO][NK];
#pragma GCC unroll 4
  for (int o = 0; o < NO; ++o)
#pragma GCC unroll 12
    for (int k = 0; k < NK; ++k) acc[o][k] = Vec::zero();
  const int64_t Pp = c.Pp;
  for (int64_t p = pa; p < pb; p += W) {
    T e[NO];
#pragma GCC unroll 4
    for (int o = 0; o < NO; ++o) e[o] = Vec::load(c.Et + (o0 + o) * Pp + p);
#pragma GCC unroll 12
    for (int k = 0; k < NK; ++k) {
      T x = Vec::load(c.Xt + (k0 + k) * Pp + p);
#pragma GCC unroll 4
      for (int o = 0; o < NO; ++o) acc[o][k] = Vec::fma(e[o], x, acc[o][k]);
    }
  }
#pragma GCC unroll 4
  for (int o = 0; o < NO; ++o)
#pragma GCC unroll 12
    for (int k = 0; k < NK; ++k) G[(o0 + o) * c.K + k0 + k] += static_cast<double>(Vec::hsum(acc[o][k]));
}

template <int NO, int NK>
static void out_dots_rows(const OutEpochCtx& c, int o0, int64_t pa, int64_t pb, double* G) {
  int k = 0;
  for (; k + NK <= c.K; k += NK) out_dots<NO, NK>(c, o0, k, pa, pb, G);
  for (; k + 2 <= c.K; k += 2) out_dots<NO, 2>(c, o0, k, pa, pb, G);
  for (; k < c.K; ++k) out_dots<NO, 1>(c, o0, k, pa, pb, G);
}

static void out_slopes(const OutEpochCtx& c, int64_t pa, int64_t pb, double* G) {
  constexpr bool wide = Vec::kForwardNR >= 4;  // 32 registers
  int o = 0;
  if (wide) {
    for (; o + 4 <= c.O; o += 4) out_dots_rows<4, 6>(c, o, pa, pb, G);
    for (; o + 2 <= c.O; o += 2) out_dots_rows<2, 10>(c, o, pa, pb, G);
    for (; o < c.O; ++o) out_dots_rows<1, 16>(c, o, pa, pb, G);
  } else {
    for (; o + 3 <= c.O; o += 3) out_dots_rows<3, 3>(c, o, pa, pb, G);
    for (; o + 2 <= c.O; o += 2) out_dots_rows<2, 5>(c, o, pa, pb, G);
    for (; o < c.O; ++o) out_dots_rows<1, 10>(c, o, pa, pb, G);
  }
}

template <int ACT>
static void out_chunk_act(const OutEpochCtx& c, int64_t p0, int64_t p1, OutChunkOut& out) {
  constexpr int NP = 2;
  T sum_err[kOutMaxO];
  const int O = c.O;
  for (int o = 0; o < O; ++o) sum_err[o] = Vec::zero();
  // Only the vector that holds pattern P−1 can be partial: the range ends at P rounded up to W.
  const int64_t pend = (c.P + W - 1) / W * W;
  if (p1 > pend) p1 = pend;
  const int64_t tail_start = c.P % W ? c.P / W * W : -1;
  const T valid = Vec::first_lanes(static_cast<int>(c.P % W));
  for (int64_t t0 = p0; t0 < p1; t0 += c.Pt) {
    const int64_t t1 = p1 - t0 < c.Pt ? p1 : t0 + c.Pt;
    T te = Vec::zero(), se = Vec::zero(), bits = Vec::zero();
    for (int64_t p = t0; p < t1;) {
      const int np = t1 - p >= NP * W ? NP : 1;
      const bool tail = p + (np - 1) * W == tail_start;
      int o = 0;
      if (np == NP) {
        for (; o + 4 <= O; o += 4) out_fwd_block<ACT, 4, NP>(c, o, p, valid, tail, te, se, bits, sum_err);
        for (; o < O; ++o) out_fwd_block<ACT, 1, NP>(c, o, p, valid, tail, te, se, bits, sum_err);
      } else {
        for (; o + 4 <= O; o += 4) out_fwd_block<ACT, 4, 1>(c, o, p, valid, tail, te, se, bits, sum_err);
        for (; o < O; ++o) out_fwd_block<ACT, 1, 1>(c, o, p, valid, tail, te, se, bits, sum_err);
      }
      p += np * W;
    }
    out_slopes(c, t0, t1, out.G);
    out.trueErr += static_cast<double>(Vec::hsum(te));
    out.sse += static_cast<double>(Vec::hsum(se));
    out.bits += static_cast<int64_t>(Vec::hsum(bits));
    for (int o = 0; o < O; ++o) {
      out.sumErr[o] += static_cast<double>(Vec::hsum(sum_err[o]));
      sum_err[o] = Vec::zero();
    }
  }
}

// At most kOutMaxO outputs per call: the driver runs larger O as several groups (pointers offset per group).
static void out_chunk(const OutEpochCtx& c, int64_t p0, int64_t p1, OutChunkOut& out) {
  switch (c.act) {
    case kSymSigmoid: out_chunk_act<kSymSigmoid>(c, p0, p1, out); break;
    case kSigmoid: out_chunk_act<kSigmoid>(c, p0, p1, out); break;
    case kTanh: out_chunk_act<kTanh>(c, p0, p1, out); break;
    case kLinear: out_chunk_act<kLinear>(c, p0, p1, out); break;
    default: out_chunk_act<kGaussian>(c, p0, p1, out); break;
  }
}

// ---- element-wise activation (tests) and the FMA peak loop ---------------------------------------------------------

template <int ACT>
static void activate_act(const float* x, float* v, float* fp, int64_t n) {
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    T a, b;
    vact<ACT>(Vec::load(x + i), a, b);
    Vec::store(v + i, a);
    Vec::store(fp + i, b);
  }
  if (i < n) {
    float xin[W], va[W], fa[W];
    for (int l = 0; l < W; ++l) xin[l] = i + l < n ? x[i + l] : 0.0f;
    T a, b;
    vact<ACT>(Vec::load(xin), a, b);
    Vec::to_array(a, va);
    Vec::to_array(b, fa);
    for (int l = 0; i + l < n; ++l) {
      v[i + l] = va[l];
      fp[i + l] = fa[l];
    }
  }
}

static void activate(const float* x, float* v, float* fp, int64_t n, int act) {
  switch (act) {
    case kSymSigmoid: activate_act<kSymSigmoid>(x, v, fp, n); break;
    case kSigmoid: activate_act<kSigmoid>(x, v, fp, n); break;
    case kTanh: activate_act<kTanh>(x, v, fp, n); break;
    case kLinear: activate_act<kLinear>(x, v, fp, n); break;
    default: activate_act<kGaussian>(x, v, fp, n); break;
  }
}

// 12 independent FMA chains (enough to cover latency × throughput on current cores). Values stay bounded.
static double fma_loop(int64_t iters) {
  constexpr int NC = 12;
  T acc[NC];
  for (int i = 0; i < NC; ++i) acc[i] = Vec::set1(0.001f * static_cast<float>(i));
  const T a = Vec::set1(0.999999f), b = Vec::set1(1e-7f);
  for (int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < NC; ++i) acc[i] = Vec::fma(acc[i], a, b);
  }
  T s = Vec::zero();
  for (int i = 0; i < NC; ++i) s = Vec::add(s, acc[i]);
  volatile float sink = Vec::hsum(s);
  (void)sink;
  return static_cast<double>(iters) * NC * W * 2.0;
}

// ---- Quickprop (A.4) -------------------------------------------------------------------------------------------------

// One step for VecD::W weights, branch-free; every lane computes the same float64 operations in the same order as
// the scalar rule (s = slope + decay·w; d < 0: [s > 0 ? −ε·s : 0] + [s ≥ shrink·p ? μ·d : d·s/(p − s)];
// d > 0: mirrored; otherwise −ε·s), so the result is bit-identical. Unused lanes of the division may divide by 0.
static inline void qp_lanes(float* w, float* d, float* ps, double* slopes, VecD::T eps, VecD::T neps, VecD::T decay,
                            VecD::T mu, VecD::T shrink) {
  using D = VecD;
  const D::T wi = D::load_f(w);
  const D::T s = D::add(D::load(slopes), D::mul(decay, wi));
  const D::T di = D::load_f(d), pi = D::load_f(ps);
  const D::T zero = D::zero();
  const D::T grad = D::mul(neps, s);                                    // −ε·s
  const D::T quad = D::div(D::mul(di, s), D::sub(pi, s));               // d·s/(p − s)
  const D::T mud = D::mul(mu, di);                                      // μ·d
  const D::T sp = D::mul(shrink, pi);                                   // shrink·p
  const D::T neg = D::add(D::blend(D::gt(s, zero), zero, grad), D::blend(D::ge(s, sp), quad, mud));
  const D::T pos = D::add(D::blend(D::lt(s, zero), zero, grad), D::blend(D::le(s, sp), quad, mud));
  const D::T step = D::blend(D::lt(di, zero), D::blend(D::gt(di, zero), grad, pos), neg);
  D::store_f(w, D::add(wi, step));
  D::store_f(d, step);
  D::store_f(ps, s);
  D::store(slopes, zero);
  (void)eps;
}

static void quickprop(float* w, float* d, float* ps, double* slopes, int64_t n, double eps, double decay, double mu) {
  using D = VecD;
  const double shrink = mu / (1.0 + mu);
  const D::T veps = D::set1(eps), vneps = D::set1(-eps), vdecay = D::set1(decay), vmu = D::set1(mu),
             vshrink = D::set1(shrink);
  int64_t i = 0;
  for (; i + D::W <= n; i += D::W) qp_lanes(w + i, d + i, ps + i, slopes + i, veps, vneps, vdecay, vmu, vshrink);
  if (i < n) {
    // Tail through a padded copy (same lanes arithmetic).
    float wt[D::W] = {}, dt[D::W] = {}, pt[D::W] = {};
    double st[D::W] = {};
    const int r = static_cast<int>(n - i);
    for (int l = 0; l < r; ++l) {
      wt[l] = w[i + l];
      dt[l] = d[i + l];
      pt[l] = ps[i + l];
      st[l] = slopes[i + l];
    }
    qp_lanes(wt, dt, pt, st, veps, vneps, vdecay, vmu, vshrink);
    for (int l = 0; l < r; ++l) {
      w[i + l] = wt[l];
      d[i + l] = dt[l];
      ps[i + l] = pt[l];
      slopes[i + l] = 0.0;
    }
  }
}

// Pools that would fill at most half a vector of candidate lanes use the P-lanes kernel (measured: C = 8 on AVX-512
// runs ≈15–20 % faster there; with a full vector of candidates the C-lanes kernel is ahead).
static const IsaKernels kTable = {kIsaName, W, SW, Vec::kForwardMR, cand_chunk, cand_plane, W / 2, out_chunk, activate,
                                  fma_loop, quickprop};
