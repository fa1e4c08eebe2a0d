// CPU kernels, avx512 copy: compiled with -mavx512f/dq/vl/bw -mfma. See kernels_impl.inl.
// GCC 12's AVX-512 headers trip -Wuninitialized on their own _mm256_undefined_* helpers (a known false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include "kernel.h"

namespace juniper {
namespace avx512 {
namespace {
constexpr const char* kIsaName = "avx512";
#include "vec_avx512.inl"
#include "kernels_impl.inl"
}  // namespace

const IsaKernels* kernels() { return &kTable; }
}  // namespace avx512
}  // namespace juniper
