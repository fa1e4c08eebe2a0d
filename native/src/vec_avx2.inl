// 8 float lanes, AVX2 + FMA. Included inside namespace juniper::avx2 by kernels_avx2.cc only.
struct Vec {
  using T = __m256;
  using M = __m256;
  static constexpr int W = 8;
  static constexpr int kForwardMR = 6, kForwardNR = 2;  // 12 accumulators of 16 registers
  static constexpr int kSlopeMR = 6, kSlopeNR = 2;
  static constexpr int kOutChunk = 4;  // outputs per epilogue pass (1–4)
  static inline T load(const float* p) { return _mm256_loadu_ps(p); }
  static inline void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static inline T set1(float x) { return _mm256_set1_ps(x); }
  static inline T zero() { return _mm256_setzero_ps(); }
  static inline T add(T a, T b) { return _mm256_add_ps(a, b); }
  static inline T sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static inline T mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static inline T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static inline T div(T a, T b) { return _mm256_div_ps(a, b); }
  static inline T fnma(T a, T b, T c) { return _mm256_fnmadd_ps(a, b, c); }
  static inline T max_keep_nan(T lo, T x) { return _mm256_max_ps(lo, x); }
  static inline T min_keep_nan(T hi, T x) { return _mm256_min_ps(hi, x); }
  static inline T abs(T x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
  static inline M lt(T a, T b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static inline M gt(T a, T b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static inline T blend(M m, T a, T b) { return _mm256_blendv_ps(a, b, m); }
  static inline T round(T x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static inline T scale2(T p, T n) {
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
  }
  // 12-bit estimate plus one Newton step (≈2^-23 relative).
  static inline T recip(T d) {
    T y = _mm256_rcp_ps(d);
    return _mm256_mul_ps(y, _mm256_fnmadd_ps(d, y, _mm256_set1_ps(2.0f)));
  }
  static inline float hsum(T v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static inline T first_lanes(int n) {
    alignas(32) float m[8];
    for (int i = 0; i < 8; ++i) m[i] = i < n ? 1.0f : 0.0f;
    return _mm256_load_ps(m);
  }
  static inline void to_array(T v, float* out) { _mm256_storeu_ps(out, v); }
  static inline void hsum4(T a, T b, T c, T d, float* out) {
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
  }
};

// 4 double lanes (Quickprop).
struct VecD {
  using T = __m256d;
  using M = __m256d;
  static constexpr int W = 4;
  static inline T load_f(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
  static inline void store_f(float* p, T v) { _mm_storeu_ps(p, _mm256_cvtpd_ps(v)); }
  static inline T load(const double* p) { return _mm256_loadu_pd(p); }
  static inline void store(double* p, T v) { _mm256_storeu_pd(p, v); }
  static inline T set1(double x) { return _mm256_set1_pd(x); }
  static inline T zero() { return _mm256_setzero_pd(); }
  static inline T add(T a, T b) { return _mm256_add_pd(a, b); }
  static inline T sub(T a, T b) { return _mm256_sub_pd(a, b); }
  static inline T mul(T a, T b) { return _mm256_mul_pd(a, b); }
  static inline T div(T a, T b) { return _mm256_div_pd(a, b); }
  static inline M lt(T a, T b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
  static inline M le(T a, T b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
  static inline M gt(T a, T b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
  static inline M ge(T a, T b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
  static inline T blend(M m, T a, T b) { return _mm256_blendv_pd(a, b, m); }
};
