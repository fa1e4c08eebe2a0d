// 4 float lanes with GCC vector extensions: the portable path (SSE2 on x86-64, NEON elsewhere), no FMA.
// Included inside namespace juniper::generic by kernels_generic.cc only.
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));
typedef float v4f_u __attribute__((vector_size(16), aligned(4)));

struct Vec {
  using T = v4f;
  using M = v4i;
  static constexpr int W = 4;
  static constexpr int kForwardMR = 6, kForwardNR = 2;
  static constexpr int kSlopeMR = 6, kSlopeNR = 2;
  static constexpr int kOutChunk = 4;  // outputs per epilogue pass (1–4)
  static inline T load(const float* p) { return *reinterpret_cast<const v4f_u*>(p); }
  static inline void store(float* p, T v) { *reinterpret_cast<v4f_u*>(p) = v; }
  static inline T set1(float x) { return T{x, x, x, x}; }
  static inline T zero() { return T{0, 0, 0, 0}; }
  static inline T add(T a, T b) { return a + b; }
  static inline T sub(T a, T b) { return a - b; }
  static inline T mul(T a, T b) { return a * b; }
  static inline T fma(T a, T b, T c) { return a * b + c; }   // -ffp-contract=off: two roundings
  static inline T div(T a, T b) { return a / b; }
  static inline T fnma(T a, T b, T c) { return c - a * b; }
  static inline T max_keep_nan(T lo, T x) { return (x < lo) ? lo : x; }  // NaN < lo is false: keeps NaN
  static inline T min_keep_nan(T hi, T x) { return (x > hi) ? hi : x; }
  static inline T abs(T x) { return (x < 0) ? -x : x; }
  static inline M lt(T a, T b) { return a < b; }
  static inline M gt(T a, T b) { return a > b; }
  static inline T blend(M m, T a, T b) { return m ? b : a; }
  static inline T round(T x) {
    // Round half away from zero; ties never matter for the exp range reduction.
    v4i i = __builtin_convertvector(x + ((x < 0) ? set1(-0.5f) : set1(0.5f)), v4i);
    return __builtin_convertvector(i, v4f);
  }
  static inline T scale2(T p, T n) {
    const v4i e = (__builtin_convertvector(n, v4i) + 127) << 23;
    return p * (v4f)e;  // a cast between same-size vector types reinterprets the bits
  }
  static inline T recip(T d) { return set1(1.0f) / d; }
  static inline float hsum(T v) { return (v[0] + v[1]) + (v[2] + v[3]); }
  static inline T first_lanes(int n) {
    return T{n > 0 ? 1.0f : 0.0f, n > 1 ? 1.0f : 0.0f, n > 2 ? 1.0f : 0.0f, n > 3 ? 1.0f : 0.0f};
  }
  static inline void to_array(T v, float* out) { store(out, v); }
  static inline void hsum4(T a, T b, T c, T d, float* out) {
    out[0] = hsum(a);
    out[1] = hsum(b);
    out[2] = hsum(c);
    out[3] = hsum(d);
  }
};

// 1 double lane (Quickprop): the scalar rule.
struct VecD {
  using T = double;
  using M = bool;
  static constexpr int W = 1;
  static inline T load_f(const float* p) { return static_cast<double>(*p); }
  static inline void store_f(float* p, T v) { *p = static_cast<float>(v); }
  static inline T load(const double* p) { return *p; }
  static inline void store(double* p, T v) { *p = v; }
  static inline T set1(double x) { return x; }
  static inline T zero() { return 0.0; }
  static inline T add(T a, T b) { return a + b; }
  static inline T sub(T a, T b) { return a - b; }
  static inline T mul(T a, T b) { return a * b; }
  static inline T div(T a, T b) { return a / b; }
  static inline M lt(T a, T b) { return a < b; }
  static inline M le(T a, T b) { return a <= b; }
  static inline M gt(T a, T b) { return a > b; }
  static inline M ge(T a, T b) { return a >= b; }
  static inline T blend(M m, T a, T b) { return m ? b : a; }
};
