// The CUDA backend's interface, free of CUDA headers so that the N-API layer compiles without a toolkit.
// device.cu implements it when nvcc is found; device_stub.cc otherwise.
#pragma once
#include <string>

#include "kernel.h"

namespace juniper {

struct DeviceStatus {
  bool compiled = false;  // built with the CUDA backend
  int count = 0;          // cudaGetDeviceCount (0 on any error)
  int error = 0;          // cudaError_t of the detection (35: no driver, 100: no device)
  std::string name;       // device 0
  int sm = 0;             // compute capability, e.g. 90
  bool usable() const { return compiled && count > 0 && error == 0; }
};

// Computed once per process.
const DeviceStatus& detect_device();

// Each returns false (with a reason) on any CUDA failure; the caller then runs the CPU path.
bool cuda_candidate_phase(const CandidateArgs& a, CandidateResult& r, std::string& why);
bool cuda_output_phase(const OutputArgs& a, OutputResult& r, std::string& why);
bool cuda_fill_column(float* X, int64_t P, int K, int64_t ldx, const float* w, int act, std::string& why);

// True when a candidate phase of this shape is worth the GPU; tiny pools (two-spirals with C ≤ 32 and similar)
// are dispatched to the CPU (reference D.4 rule 4).
bool cuda_wants_candidate(int64_t P, int K, int O, int C);
bool cuda_wants_output(int64_t P, int K, int O);

}  // namespace juniper
