// The addon's persistent thread pool: workers live for the whole process and wait (spin briefly, then sleep) for
// fork-join jobs. One job at a time: a second concurrent caller (another phase on another thread) runs its job's
// parts itself, serially, so results never depend on who ran which part.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace juniper {

class ThreadPool {
 public:
  // The process-wide pool: (usable cores − 1) workers plus the calling thread.
  static ThreadPool& instance();
  // Threads a job can use: workers + the caller.
  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // Runs fn(ctx, part) for part in [0, parts); blocks until all parts are done. The caller runs parts too.
  void run(int parts, void (*fn)(void* ctx, int part), void* ctx);

  template <class F>
  void for_each(int parts, F& f) {
    run(parts, [](void* c, int i) { (*static_cast<F*>(c))(i); }, &f);
  }

 private:
  explicit ThreadPool(int workers);
  void worker_loop();
  bool claim(uint32_t gen, int& part);
  void drain(uint32_t gen);  // claims and runs parts of job `gen` until none is left

  std::vector<std::thread> workers_;
  std::mutex job_mu_;  // held by the caller for the duration of a job
  std::mutex sleep_mu_;
  std::condition_variable wake_;
  std::atomic<int> sleepers_{0};
  uint32_t last_gen_ = 0;  // under job_mu_
  // The current job. The ticket packs generation (32 bits) | parts (16) | next part (16): a part can only be
  // claimed by a thread that names the current generation, so a worker that wakes late never touches a newer job.
  std::atomic<uint64_t> ticket_{0};
  std::atomic<void (*)(void*, int)> fn_{nullptr};
  std::atomic<void*> ctx_{nullptr};
  std::atomic<int> done_{0};
};

// Usable cores (the affinity mask when available).
int usable_cores();

}  // namespace juniper
