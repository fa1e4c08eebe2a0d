// CPU kernels, avx2 copy: compiled with -mavx2 -mfma. See kernels_impl.inl.
#include <immintrin.h>
#include "kernel.h"

namespace juniper {
namespace avx2 {
namespace {
constexpr const char* kIsaName = "avx2";
#include "vec_avx2.inl"
#include "kernels_impl.inl"
}  // namespace

const IsaKernels* kernels() { return &kTable; }
}  // namespace avx2
}  // namespace juniper
