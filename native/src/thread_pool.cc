#include "thread_pool.h"

#include <sched.h>

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define JN_PAUSE() _mm_pause()
#else
#define JN_PAUSE() std::this_thread::yield()
#endif

namespace juniper {

int usable_cores() {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

ThreadPool& ThreadPool::instance() {
  // Never destroyed: workers may still sleep in wait() at process exit, which is harmless, whereas joining them
  // from a static destructor could hang an exiting Node process.
  static ThreadPool* pool = new ThreadPool(usable_cores() - 1);
  return *pool;
}

ThreadPool::ThreadPool(int workers) {
  if (workers > 255) workers = 255;
  for (int i = 0; i < workers; ++i) {
    try {
      workers_.emplace_back([this] { worker_loop(); });
    } catch (...) {
      break;  // fewer workers is fine
    }
  }
  for (auto& t : workers_) t.detach();
}

bool ThreadPool::claim(uint32_t gen, int& part) {
  uint64_t t = ticket_.load(std::memory_order_acquire);
  for (;;) {
    if (static_cast<uint32_t>(t >> 32) != gen) return false;
    const int parts = static_cast<int>((t >> 16) & 0xFFFF), next = static_cast<int>(t & 0xFFFF);
    if (next >= parts) return false;
    if (ticket_.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      part = next;
      return true;
    }
  }
}

void ThreadPool::drain(uint32_t gen) {
  int part;
  while (claim(gen, part)) {
    fn_.load(std::memory_order_relaxed)(ctx_.load(std::memory_order_relaxed), part);
    done_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::worker_loop() {
  uint32_t seen = 0;
  const auto current = [this] { return static_cast<uint32_t>(ticket_.load(std::memory_order_acquire) >> 32); };
  for (;;) {
    // Spin for a short while (a phase issues one job per epoch, microseconds apart), then sleep.
    uint32_t g = current();
    if (g == seen) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
      int spins = 0;
      while ((g = current()) == seen) {
        JN_PAUSE();
        if (++spins == 256) {
          spins = 0;
          if (std::chrono::steady_clock::now() > until) break;
        }
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lock(sleep_mu_);
        sleepers_.fetch_add(1, std::memory_order_acq_rel);
        wake_.wait(lock, [&] { return current() != seen; });
        sleepers_.fetch_sub(1, std::memory_order_acq_rel);
        g = current();
      }
    }
    seen = g;
    drain(g);
  }
}

void ThreadPool::run(int parts, void (*fn)(void*, int), void* ctx) {
  if (parts <= 0) return;
  std::unique_lock<std::mutex> job(job_mu_, std::try_to_lock);
  if (parts == 1 || parts > 0xFFFF || workers_.empty() || !job.owns_lock()) {
    for (int i = 0; i < parts; ++i) fn(ctx, i);
    return;
  }
  const uint32_t gen = ++last_gen_ == 0 ? ++last_gen_ : last_gen_;  // 0 is the workers' initial "seen"
  fn_.store(fn, std::memory_order_relaxed);
  ctx_.store(ctx, std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  {
    // Publish under the sleep mutex so that a worker about to sleep cannot miss the new generation.
    std::lock_guard<std::mutex> lock(sleep_mu_);
    ticket_.store((static_cast<uint64_t>(gen) << 32) | (static_cast<uint64_t>(parts) << 16),
                  std::memory_order_release);
  }
  if (sleepers_.load(std::memory_order_acquire) > 0) wake_.notify_all();
  drain(gen);
  int spins = 0;
  while (done_.load(std::memory_order_acquire) < parts) {
    JN_PAUSE();
    if (++spins > 2048) std::this_thread::yield();
  }
}

}  // namespace juniper
