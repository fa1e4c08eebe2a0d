// The CUDA backend when the addon is built without nvcc: nothing is usable, every call declines.
#include "device.h"

namespace juniper {

const DeviceStatus& detect_device() {
  static const DeviceStatus status{};
  return status;
}

bool cuda_candidate_phase(const CandidateArgs&, CandidateResult&, std::string& why) {
  why = "built without CUDA";
  return false;
}
bool cuda_output_phase(const OutputArgs&, OutputResult&, std::string& why) {
  why = "built without CUDA";
  return false;
}
bool cuda_fill_column(float*, int64_t, int, int64_t, const float*, int, std::string& why) {
  why = "built without CUDA";
  return false;
}
bool cuda_wants_candidate(int64_t, int, int, int) { return false; }
bool cuda_wants_output(int64_t, int, int) { return false; }

}  // namespace juniper
