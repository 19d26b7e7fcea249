// The thread pool behind parallel=True / ember.prange (ember/parallel.h): ember's own, built on
// std::thread, atomics and a futex; no TBB or OpenMP.
//
// Design
//   * Lazy: the pool object and its workers are made by the first region that can use them
//     (n >= 2 and a team of >= 2 threads).  Workers 1..team-1 are started as regions ask for
//     them and then live until the process ends; the calling thread is always member 0.
//   * Handing out a region: the caller (holding region_mutex) makes the epoch odd, waits until
//     no worker is still inside the previous region (active == 0), rewrites the region, makes
//     the epoch even again and makes the wake-up syscall only if a team member sleeps.  A
//     worker that sees a new even epoch counts itself in `active` and then re-reads the epoch:
//     if it changed, the region it saw is being rewritten and it backs out.  Both sides use
//     seq_cst, so either the caller sees the worker counted or the worker sees the odd epoch
//     (Dekker's pattern).  Workers only touch the region while counted, so it can live in the
//     pool and be reused, and a late worker finding a finished region just finds no chunks.
//   * Chunks: [0, n) is cut into `chunks` near-equal pieces (chunk c's bounds follow from c, so
//     chunk c always gets slot c), with team chunks for small loops and 4 per thread once every
//     chunk gets >= 16 iterations, never more than n or max_chunks.  Threads take chunks from
//     one atomic counter (dynamic scheduling), so a slow thread takes fewer of them.
//   * Spin, then sleep: an idle worker spins ~100 us on the epoch and then sleeps on it (futex).
//     Regions issued back to back, as a prange inside a Python-level loop does, thus find the
//     workers awake (an empty region costs about a microsecond, a futex wake-up tens), while an
//     idle process stops using the CPU almost at once.  A worker left out of a region (team
//     smaller than the pool) sleeps at once instead.  The caller likewise spins for the tail of
//     the last chunks before sleeping on the done counter.
//   * Errors: the first chunk to fail sets `failed` and keeps its ember_error; chunks claimed
//     after that are counted done without running.  The caller still waits for the chunks that
//     were running, since they may touch its slots and environment.
//   * Nesting: a call made while the thread runs a chunk (t_in_region, on the caller and on the
//     workers) runs serially inline, as one chunk.  It cannot wait for the pool it is part of.
//   * Concurrent callers: one region at a time.  A caller that finds region_mutex taken (another
//     application thread's region is running) does not wait: it runs its loop serially on its
//     own thread, which can neither deadlock nor leave it waiting behind a long region.
//   * fork: the child keeps only the forking thread, so an atfork child handler drops the
//     inherited pool (leaked: destroying its std::threads would abort) and the next region in
//     the child starts a new one.  The parent's pool is not touched.
#include "ThreadPool.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <exception>

namespace ember_pool {
namespace {

// 0 until the first use reads the environment.  g_num_threads == 0 means "the maximum".
std::atomic<int64_t> g_max_threads{0};
std::atomic<int64_t> g_num_threads{0};
std::atomic<pool *> g_pool{nullptr};
std::atomic<bool> g_atfork_registered{false};

// Constant-initialized, so reading them costs no TLS guard.
thread_local int64_t t_thread_id = 0;
thread_local bool t_in_region = false;

int64_t read_max_threads() {
  if (const char *s = std::getenv("EMBER_NUM_THREADS")) {
    char *end = nullptr;
    errno = 0;
    long long v = std::strtoll(s, &end, 10);
    while (end && (*end == ' ' || *end == '\n' || *end == '\t')) ++end;
    // A malformed value is ignored rather than fatal: the runtime has no way to raise here.
    if (end != s && end && *end == '\0' && errno == 0 && v >= 1)
      return std::min<int64_t>(v, kThreadLimit);
  }
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0) return std::min<int64_t>(count, kThreadLimit);
  }
#endif
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? std::min<int64_t>(hw, kThreadLimit) : 1;
}

int64_t max_threads() {
  int64_t m = g_max_threads.load(std::memory_order_acquire);
  if (m != 0) return m;
  // Racing first users read the same environment; the first store wins.
  int64_t expected = 0;
  m = read_max_threads();
  if (!g_max_threads.compare_exchange_strong(expected, m)) m = expected;
  return m;
}

void after_fork_in_child() { g_pool.store(nullptr, std::memory_order_relaxed); }

pool *get_pool() {
  pool *p = g_pool.load(std::memory_order_acquire);
  if (p) return p;
  if (!g_atfork_registered.exchange(true)) pthread_atfork(nullptr, nullptr, after_fork_in_child);
  auto *fresh = new pool();
  if (g_pool.compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) return fresh;
  delete fresh;  // another thread made one first; no thread has started on ours
  return p;
}

int64_t run_serial(int64_t n, ember_chunk_fn fn, void *env, void *slots, ember_error *err) {
  bool outer = t_in_region;
  t_in_region = true;
  int32_t rc = fn(0, n, env, slots, err);
  t_in_region = outer;
  return rc == EMBER_OK ? 1 : -1;
}

}  // namespace

uint32_t pool::wait_for_region(int64_t id, uint32_t seen, std::chrono::microseconds spin) {
  for (;;) {
    uint32_t v = seen;
    auto opened = [&] {
      v = epoch_.load(std::memory_order_acquire);
      return v != seen && (v & 1) == 0;
    };
    if (spin_until(opened, spin)) return v;
    // Announce the sleep before the futex re-checks the epoch: the caller stores the epoch and
    // then reads the sleepers, so one of the two sees the other.
    uint64_t bit = id < 64 ? uint64_t{1} << id : 0;
    if (bit)
      sleeping_low_.fetch_or(bit, std::memory_order_seq_cst);
    else
      sleeping_high_.fetch_add(1, std::memory_order_seq_cst);
    if (epoch_.load(std::memory_order_seq_cst) == v) futex_wait(&epoch_, v);
    if (bit)
      sleeping_low_.fetch_and(~bit, std::memory_order_relaxed);
    else
      sleeping_high_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void pool::work(region &r) {
  for (;;) {
    int64_t c = r.next.fetch_add(1, std::memory_order_relaxed);
    if (c >= r.chunks) return;
    if (!r.failed.load(std::memory_order_relaxed)) {
      int64_t lo = c * r.base + std::min(c, r.extra);
      int64_t hi = lo + r.base + (c < r.extra ? 1 : 0);
      char *slot = r.slots ? r.slots + c * r.slot_size : nullptr;
      ember_error e{};
      if (r.fn(lo, hi, r.env, slot, &e) != EMBER_OK &&
          !r.failed.exchange(true, std::memory_order_relaxed))
        r.err = e;  // published to the caller by the release in done.fetch_add
    }
    uint32_t finished = r.done.fetch_add(1, std::memory_order_seq_cst) + 1;
    if (finished == static_cast<uint32_t>(r.chunks) &&
        r.caller_sleeps.load(std::memory_order_seq_cst))
      futex_wake(&r.done, 1);
  }
}

void pool::worker_main(int64_t id, uint32_t seen) {
  t_thread_id = id;
  bool spin = true;
  for (;;) {
    uint32_t e = wait_for_region(id, seen, spin ? kSpin : std::chrono::microseconds{0});
    seen = e;
    active_.fetch_add(1, std::memory_order_seq_cst);
    if (epoch_.load(std::memory_order_seq_cst) == e) {
      // A worker left out of a region (a small loop, or fewer threads set) sleeps at once rather
      // than spin: the next region most likely leaves it out too, and spinning would take a
      // core from the threads that do work.
      spin = id < region_.team;
      if (spin) {
        t_in_region = true;
        work(region_);
        t_in_region = false;
      }
    }
    active_.fetch_sub(1, std::memory_order_release);
  }
}

int64_t pool::ensure_workers(int64_t team) {
  size_t want = static_cast<size_t>(team - 1);
  if (workers_.size() >= want) return team;
  // Workers block every signal, so that the process's signals (SIGINT for Python) keep going to
  // the application's threads; a new thread inherits the creating thread's mask.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  // We hold region_mutex outside run(), so the epoch is even and a new worker waits for the
  // next one.
  uint32_t seen = epoch_.load(std::memory_order_relaxed);
  try {
    while (workers_.size() < want) {
      int64_t id = static_cast<int64_t>(workers_.size()) + 1;
      workers_.emplace_back([this, id, seen] { worker_main(id, seen); });
    }
  } catch (const std::exception &) {
    // Out of threads or memory: run with the workers there are.
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return std::min<int64_t>(team, static_cast<int64_t>(workers_.size()) + 1);
}

int64_t pool::run(int64_t n, ember_chunk_fn fn, void *env, void *slots, int64_t slot_size,
                  int64_t chunks, int64_t team, ember_error *err) {
  region &r = region_;
  uint32_t e = epoch_.load(std::memory_order_relaxed);
  epoch_.store(e + 1, std::memory_order_seq_cst);
  // Workers still inside the last region are only finding it empty; they leave within a few
  // hundred nanoseconds unless preempted, hence the yield after a while.
  for (int i = 0; active_.load(std::memory_order_seq_cst) != 0; ++i) {
    if (i < 1000)
      cpu_relax();
    else
      std::this_thread::yield();
  }
  r.fn = fn;
  r.env = env;
  r.slots = static_cast<char *>(slots);
  r.slot_size = slot_size;
  r.chunks = chunks;
  r.base = n / chunks;
  r.extra = n % chunks;
  r.team = team;
  r.err = ember_error{};
  r.next.store(0, std::memory_order_relaxed);
  r.done.store(0, std::memory_order_relaxed);
  r.caller_sleeps.store(0, std::memory_order_relaxed);
  r.failed.store(false, std::memory_order_relaxed);
  epoch_.store(e + 2, std::memory_order_seq_cst);
  uint64_t team_bits = team >= 64 ? ~uint64_t{1} : (uint64_t{1} << team) - 2;  // ids 1..team-1
  if ((sleeping_low_.load(std::memory_order_seq_cst) & team_bits) != 0 ||
      (team > 64 && sleeping_high_.load(std::memory_order_seq_cst) != 0))
    futex_wake(&epoch_, INT_MAX);

  t_in_region = true;
  work(r);
  auto all_done = [&] { return r.done.load(std::memory_order_acquire) == chunks; };
  if (!spin_until(all_done, kCallerSpin)) {
    r.caller_sleeps.store(1, std::memory_order_seq_cst);
    for (uint32_t d; (d = r.done.load(std::memory_order_seq_cst)) != chunks;)
      futex_wait(&r.done, d);
  }
  t_in_region = false;
  if (r.failed.load(std::memory_order_relaxed)) {
    *err = r.err;
    return -1;
  }
  return chunks;
}

}  // namespace ember_pool

extern "C" {

using namespace ember_pool;

int64_t ember_parallel_for(int64_t n, ember_chunk_fn fn, void *env, void *slots, int64_t slot_size,
                           int64_t max_chunks, ember_error *err) {
  if (n <= 0) return 0;
  int64_t cap = std::max<int64_t>(max_chunks, 1);
  int64_t team = t_in_region ? 1 : std::min(ember_get_num_threads(), n);
  if (team >= 2 && cap >= 2) {
    pool *p = get_pool();
    std::unique_lock<std::mutex> lock(p->region_mutex, std::try_to_lock);
    if (lock.owns_lock()) {
      team = p->ensure_workers(team);
      if (team >= 2) {
        int64_t per_thread = n >= team * kChunksPerThread * kMinChunkIters ? kChunksPerThread : 1;
        int64_t chunks = std::min({n, cap, team * per_thread});
        return p->run(n, fn, env, slots, slot_size, chunks, std::min(team, chunks), err);
      }
    }
  }
  return run_serial(n, fn, env, slots, err);
}

int64_t ember_get_num_threads(void) {
  int64_t n = g_num_threads.load(std::memory_order_relaxed);
  return n != 0 ? n : max_threads();
}

int64_t ember_max_threads(void) { return max_threads(); }

int32_t ember_set_num_threads(int64_t n) {
  if (n < 1 || n > max_threads()) return -1;
  g_num_threads.store(n, std::memory_order_relaxed);
  return 0;
}

int64_t ember_get_thread_id(void) { return t_thread_id; }

}  // extern "C"
