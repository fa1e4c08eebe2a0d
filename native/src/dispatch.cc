// Runtime choice of the CPU kernel set: AVX-512 (F/DQ/VL/BW), AVX2+FMA, or the portable copy.
#include "dispatch.h"

#include <atomic>
#include <cstdlib>

namespace juniper {
namespace {

std::atomic<const IsaKernels*> g_override{nullptr};

bool cpu_has_avx512() {
#if defined(JUNIPER_X86)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool cpu_has_avx2() {
#if defined(JUNIPER_X86)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

const IsaKernels* detect() {
  // JUNIPER_NATIVE_ISA=avx512|avx2|generic caps the choice (an unsupported name falls back to auto-detection).
  if (const char* env = std::getenv("JUNIPER_NATIVE_ISA")) {
    if (const IsaKernels* k = isa_by_name(env)) return k;
  }
#if defined(JUNIPER_X86)
  if (cpu_has_avx512()) return avx512::kernels();
  if (cpu_has_avx2()) return avx2::kernels();
#endif
  return generic::kernels();
}

}  // namespace

const IsaKernels* isa_by_name(const std::string& name) {
#if defined(JUNIPER_X86)
  if (name == "avx512") return cpu_has_avx512() ? avx512::kernels() : nullptr;
  if (name == "avx2") return cpu_has_avx2() ? avx2::kernels() : nullptr;
#endif
  if (name == "generic") return generic::kernels();
  return nullptr;
}

const IsaKernels* best_isa() {
  if (const IsaKernels* k = g_override.load(std::memory_order_acquire)) return k;
  static const IsaKernels* detected = detect();
  return detected;
}

void set_isa_override(const IsaKernels* isa) { g_override.store(isa, std::memory_order_release); }

const IsaKernels* cand_isa(int C) {
  if (const IsaKernels* k = g_override.load(std::memory_order_acquire)) return k;  // forced: exactly that set
  const IsaKernels* best = best_isa();
  if (C <= best->plane_max_c) return best;  // small pools: patterns across the lanes, widest vectors best
#if defined(JUNIPER_X86)
  if (best == avx512::kernels() && cpu_has_avx2()) {
    const int wide = (C + 15) / 16, narrow = (C + 7) / 8;
    if (narrow <= wide) return avx2::kernels();
  }
#endif
  (void)C;
  return best;
}

std::string supported_isas() {
  std::string s;
#if defined(JUNIPER_X86)
  if (cpu_has_avx512()) s += "avx512,";
  if (cpu_has_avx2()) s += "avx2,";
#endif
  s += "generic";
  return s;
}

}  // namespace juniper
