// CPU kernels, generic copy: the portable path (no ISA flags). See kernels_impl.inl.

#include "kernel.h"

namespace juniper {
namespace generic {
namespace {
constexpr const char* kIsaName = "generic";
#include "vec_generic.inl"
#include "kernels_impl.inl"
}  // namespace

const IsaKernels* kernels() { return &kTable; }
}  // namespace generic
}  // namespace juniper
