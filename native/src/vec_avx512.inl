// 16 float lanes, AVX-512F (+DQ/VL/BW). Included inside namespace juniper::avx512 by kernels_avx512.cc only.
struct Vec {
  using T = __m512;
  using M = __mmask16;
  static constexpr int W = 16;
  static constexpr int kForwardMR = 6, kForwardNR = 4;  // 24 accumulators of 32 registers
  static constexpr int kSlopeMR = 6, kSlopeNR = 4;
  static constexpr int kOutChunk = 16;                   // outputs per epilogue pass (1–4, 8, 12, 16)
  static inline T load(const float* p) { return _mm512_loadu_ps(p); }
  static inline void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static inline T set1(float x) { return _mm512_set1_ps(x); }
  static inline T zero() { return _mm512_setzero_ps(); }
  static inline T add(T a, T b) { return _mm512_add_ps(a, b); }
  static inline T sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static inline T mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static inline T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }    // a·b + c
  static inline T div(T a, T b) { return _mm512_div_ps(a, b); }
  static inline T fnma(T a, T b, T c) { return _mm512_fnmadd_ps(a, b, c); }  // c − a·b
  // max/min that return x when x is NaN (the instruction returns its second operand on NaN).
  static inline T max_keep_nan(T lo, T x) { return _mm512_max_ps(lo, x); }
  static inline T min_keep_nan(T hi, T x) { return _mm512_min_ps(hi, x); }
  static inline T abs(T x) { return _mm512_abs_ps(x); }
  static inline M lt(T a, T b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static inline M gt(T a, T b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static inline T blend(M m, T a, T b) { return _mm512_mask_blend_ps(m, a, b); }  // m ? b : a
  static inline T round(T x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static inline T scale2(T p, T n) { return _mm512_scalef_ps(p, n); }  // p·2^n, n integral
  // 1/d: 14-bit estimate plus one Newton step (≈2^-28 relative).
  static inline T recip(T d) {
    T y = _mm512_rcp14_ps(d);
    return _mm512_mul_ps(y, _mm512_fnmadd_ps(d, y, _mm512_set1_ps(2.0f)));
  }
  static inline float hsum(T v) { return _mm512_reduce_add_ps(v); }
  // Lane mask of the first n lanes (n in 0..W) as a 0/1 float vector.
  static inline T first_lanes(int n) {
    M m = static_cast<M>(n >= 16 ? 0xFFFF : ((1u << n) - 1u));
    return _mm512_maskz_mov_ps(m, _mm512_set1_ps(1.0f));
  }
  static inline void to_array(T v, float* out) { _mm512_storeu_ps(out, v); }
  // out[i] = Σ lanes of v_i, four vectors at once (halves folded, then a hadd tree).
  static inline void hsum4(T a, T b, T c, T d, float* out) {
    const auto fold = [](T v) {
      return _mm256_add_ps(_mm512_castps512_ps256(v), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
    };
    const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(fold(a), fold(b)), _mm256_hadd_ps(fold(c), fold(d)));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
  }
};

// 8 double lanes (Quickprop).
struct VecD {
  using T = __m512d;
  using M = __mmask8;
  static constexpr int W = 8;
  static inline T load_f(const float* p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
  static inline void store_f(float* p, T v) { _mm256_storeu_ps(p, _mm512_cvtpd_ps(v)); }
  static inline T load(const double* p) { return _mm512_loadu_pd(p); }
  static inline void store(double* p, T v) { _mm512_storeu_pd(p, v); }
  static inline T set1(double x) { return _mm512_set1_pd(x); }
  static inline T zero() { return _mm512_setzero_pd(); }
  static inline T add(T a, T b) { return _mm512_add_pd(a, b); }
  static inline T sub(T a, T b) { return _mm512_sub_pd(a, b); }
  static inline T mul(T a, T b) { return _mm512_mul_pd(a, b); }
  static inline T div(T a, T b) { return _mm512_div_pd(a, b); }
  static inline M lt(T a, T b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
  static inline M le(T a, T b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
  static inline M gt(T a, T b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
  static inline M ge(T a, T b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
  static inline T blend(M m, T a, T b) { return _mm512_mask_blend_pd(m, a, b); }  // m ? b : a
};
