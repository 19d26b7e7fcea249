// Private to runtime/ThreadPool.cpp: the waiting primitives and the shared state of the pool
// behind ember/parallel.h.  Nothing outside the runtime includes this file.
//
// The waiting primitive is a Linux futex on a 32-bit atomic: waking a thread that spins costs
// one cache-line transfer, waking a sleeping one a syscall, and the waker only makes that
// syscall when someone has announced it sleeps (a counter or flag written before the sleeper's
// last check, with seq_cst on both sides so that one of them always sees the other).
#ifndef EMBER_RUNTIME_THREADPOOL_H
#define EMBER_RUNTIME_THREADPOOL_H

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "ember/parallel.h"

namespace ember_pool {

// How long an idle thread spins before sleeping.  Back-to-back regions (a prange inside a
// Python loop) then find the workers awake, which keeps an empty region around a microsecond;
// a thread left idle stops using the CPU after this long.
constexpr std::chrono::microseconds kSpin{100};
// The caller, done with its chunks, spins this long for the other threads' last chunks before
// sleeping: the tail of a dynamically scheduled loop is short, and a futex wake-up costs tens
// of microseconds.
constexpr std::chrono::microseconds kCallerSpin{200};
// Dynamic scheduling hands out this many chunks per thread when there is enough work, so that a
// thread slowed by an uneven loop body or by the OS gives its share to the others.
constexpr int64_t kChunksPerThread = 4;
// ...but only once every chunk gets at least this many iterations: more chunks than threads
// only pay when iterations are many.
constexpr int64_t kMinChunkIters = 16;
// EMBER_NUM_THREADS above this is taken as this (the chunk counter is 32 bits, and thousands of
// threads are a typo rather than a plan).
constexpr int64_t kThreadLimit = 1024;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  std::this_thread::yield();
#endif
}

// Blocks while *word == expected (or returns at once when it differs, or spuriously).
inline void futex_wait(std::atomic<uint32_t> *word, uint32_t expected) {
#if defined(__linux__)
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(word), FUTEX_WAIT_PRIVATE, expected, nullptr,
          nullptr, 0);
#else
  if (word->load() == expected) std::this_thread::sleep_for(std::chrono::microseconds(50));
#endif
}

inline void futex_wake(std::atomic<uint32_t> *word, int count) {
#if defined(__linux__)
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(word), FUTEX_WAKE_PRIVATE, count, nullptr,
          nullptr, 0);
#else
  (void)word;
  (void)count;
#endif
}

// Spins until pred() holds or `budget` has passed; returns pred().  The clock is read every 64
// rounds only, since reading it costs more than a pause.
template <typename Pred>
bool spin_until(Pred pred, std::chrono::microseconds budget) {
  auto deadline = std::chrono::steady_clock::now() + budget;
  for (uint32_t i = 1;; ++i) {
    if (pred()) return true;
    cpu_relax();
    if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return pred();
  }
}

// One parallel region, as the workers see it.  Written by the caller only while the epoch is odd
// and no worker is inside (active == 0), so the plain fields need no atomics.
struct alignas(64) region {
  ember_chunk_fn fn = nullptr;
  void *env = nullptr;
  char *slots = nullptr;
  int64_t slot_size = 0;
  int64_t chunks = 0;
  int64_t base = 0;  // chunk c covers base iterations, plus one when c < extra
  int64_t extra = 0;
  int64_t team = 0;   // threads taking part: the caller (id 0) and workers 1..team-1
  ember_error err{};  // the first failure, written by whoever set `failed`
  // Each on its own line: every thread writes `next`, and `done` is what the caller polls.
  alignas(64) std::atomic<int64_t> next{0};
  alignas(64) std::atomic<uint32_t> done{0};
  std::atomic<uint32_t> caller_sleeps{0};
  std::atomic<bool> failed{false};
};

// The pool.  It lives on the heap and is never destroyed: its workers run until the process
// ends, and a forked child drops its copy (whose threads do not exist there) for a new one.
class pool {
 public:
  // Runs a region of `team` >= 2 threads; the caller holds region_mutex.
  int64_t run(int64_t n, ember_chunk_fn fn, void *env, void *slots, int64_t slot_size,
              int64_t chunks, int64_t team, ember_error *err);
  // Starts workers so that ids 1..team-1 exist; returns the team it could make.
  int64_t ensure_workers(int64_t team);

  std::mutex region_mutex;  // one region at a time; a second caller runs its loop serially

 private:
  void worker_main(int64_t id, uint32_t seen);
  void work(region &r);
  uint32_t wait_for_region(int64_t id, uint32_t seen, std::chrono::microseconds spin);

  region region_;
  // Even: region_ is open (or finished); odd: the caller is rewriting it.  Workers wait on it.
  alignas(64) std::atomic<uint32_t> epoch_{0};
  // Who sleeps on the epoch: bit id for workers 1..63, a count for the others.  The caller
  // makes the wake-up syscall only when a sleeper is in its team.
  std::atomic<uint64_t> sleeping_low_{0};
  std::atomic<uint32_t> sleeping_high_{0};
  // Workers inside region_ (they may only read it while counted here).
  alignas(64) std::atomic<uint32_t> active_{0};
  std::vector<std::thread> workers_;  // changed only under region_mutex
};

}  // namespace ember_pool

#endif  // EMBER_RUNTIME_THREADPOOL_H
