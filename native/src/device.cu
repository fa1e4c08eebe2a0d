// CUDA backend (placeholder: detection only; phases decline and run on the CPU). Replaced by the full backend.
#include <cuda_runtime.h>

#include "device.h"

namespace juniper {

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
    return s;
  }();
  return status;
}

bool cuda_candidate_phase(const CandidateArgs&, CandidateResult&, std::string& why) {
  why = "CUDA phases not implemented";
  return false;
}
bool cuda_output_phase(const OutputArgs&, OutputResult&, std::string& why) {
  why = "CUDA phases not implemented";
  return false;
}
bool cuda_fill_column(float*, int64_t, int, int64_t, const float*, int, std::string& why) {
  why = "CUDA phases not implemented";
  return false;
}
bool cuda_wants_candidate(int64_t, int, int, int) { return false; }
bool cuda_wants_output(int64_t, int, int) { return false; }

}  // namespace juniper
