// The thread pool behind parallel=True / ember.prange (runtime/include/ember/parallel.h):
// reductions through per-chunk slots are exact, every index runs once, errors stop the loop and
// propagate, nested regions run inline, thread ids stay in range, fork and concurrent callers
// work; and a microbenchmark prints the cost of an empty region and a 2-thread speed-up.
//
// EMBER_NUM_THREADS is set to 4 (unless already set) before the pool's first use, so that teams
// larger than this machine's CPU count are exercised too.
#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ember/parallel.h"

namespace {

const bool g_env_set_here = [] {
  bool set = std::getenv("EMBER_NUM_THREADS") == nullptr;
  if (set) setenv("EMBER_NUM_THREADS", "4", 0);
  return set;
}();

struct sum_slot {
  int64_t sum;
  int64_t calls;
};

int32_t sum_chunk(int64_t lo, int64_t hi, void *env, void *slot, ember_error *err) {
  auto *s = static_cast<sum_slot *>(slot);
  for (int64_t i = lo; i < hi; ++i) s->sum += i;
  ++s->calls;
  return EMBER_OK;
}

// Sums [0, n) on `threads` threads and checks the result, the chunk count and that each slot
// in [0, used) was used exactly once and no slot after it at all.
void check_sum(int64_t n, int64_t threads, int64_t max_chunks) {
  ASSERT_EQ(ember_set_num_threads(threads), 0);
  std::vector<sum_slot> slots(static_cast<size_t>(max_chunks), sum_slot{0, 0});
  ember_error err{};
  int64_t used =
      ember_parallel_for(n, sum_chunk, nullptr, slots.data(), sizeof(sum_slot), max_chunks, &err);
  if (n <= 0) {
    EXPECT_EQ(used, 0);
    return;
  }
  ASSERT_GE(used, 1) << "n=" << n << " threads=" << threads;
  ASSERT_LE(used, std::min(n, max_chunks)) << "n=" << n << " threads=" << threads;
  int64_t total = 0;
  for (int64_t c = 0; c < max_chunks; ++c) {
    EXPECT_EQ(slots[c].calls, c < used ? 1 : 0) << "chunk " << c << " n=" << n;
    total += slots[c].sum;
  }
  EXPECT_EQ(total, n * (n - 1) / 2) << "n=" << n << " threads=" << threads;
}

class ThreadPool : public ::testing::Test {
 protected:
  void TearDown() override { ember_set_num_threads(ember_max_threads()); }
};

TEST_F(ThreadPool, ThreadCountSettings) {
  int64_t max = ember_max_threads();
  ASSERT_GE(max, 1);
  if (g_env_set_here) {
    EXPECT_EQ(max, 4);
  }
  EXPECT_EQ(ember_get_num_threads(), max);
  EXPECT_EQ(ember_set_num_threads(0), -1);
  EXPECT_EQ(ember_set_num_threads(-3), -1);
  EXPECT_EQ(ember_set_num_threads(max + 1), -1);
  EXPECT_EQ(ember_get_num_threads(), max);
  EXPECT_EQ(ember_set_num_threads(1), 0);
  EXPECT_EQ(ember_get_num_threads(), 1);
  EXPECT_EQ(ember_get_thread_id(), 0);
}

TEST_F(ThreadPool, SumsExactlyForManySizesAndThreadCounts) {
  for (int64_t threads = 1; threads <= ember_max_threads(); ++threads)
    for (int64_t n : {int64_t{-1}, int64_t{0}, int64_t{1}, int64_t{2}, int64_t{3}, int64_t{5},
                      int64_t{63}, int64_t{64}, int64_t{65}, int64_t{1000}, int64_t{10000000}})
      for (int64_t max_chunks : {1, 2, 3, 64, 1000}) check_sum(n, threads, max_chunks);
}

TEST_F(ThreadPool, VisitsEveryIndexOnce) {
  constexpr int64_t n = 200003;
  std::vector<std::atomic<int32_t>> seen(n);
  for (auto &s : seen) s.store(0);
  auto visit = +[](int64_t lo, int64_t hi, void *env, void *slot, ember_error *err) -> int32_t {
    auto *counts = static_cast<std::atomic<int32_t> *>(env);
    for (int64_t i = lo; i < hi; ++i) counts[i].fetch_add(1, std::memory_order_relaxed);
    return EMBER_OK;
  };
  ember_error err{};
  int64_t used = ember_parallel_for(n, visit, seen.data(), nullptr, 0, 1 << 20, &err);
  EXPECT_GE(used, 1);
  EXPECT_LE(used, 4 * ember_max_threads());
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(seen[i].load(), 1) << "index " << i;
}

// Which thread ran each chunk (by the chunk's first index), for the error tests.
struct run_log {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> runs;  // (lo, thread id)
  void add(int64_t lo) {
    std::lock_guard<std::mutex> hold(mutex);
    runs.emplace_back(lo, ember_get_thread_id());
  }
};

// Only what follows from the pool's guarantees (runtime/ThreadPool.cpp, "Errors") under any
// scheduling: a thread whose chunk failed has set `failed` before it claims another chunk, so it
// runs no other chunk; since chunks are claimed in order, the thread that claims chunk 0 claims
// nothing before it.  How many chunks the other threads run before they see the failure depends
// on the scheduling, so it is not asserted.
TEST_F(ThreadPool, ErrorsStopTheLoopAndPropagate) {
  if (ember_max_threads() < 2) GTEST_SKIP() << "one thread only";
  ASSERT_EQ(ember_set_num_threads(2), 0);
  auto fail_first =
      +[](int64_t lo, int64_t hi, void *env, void *slot, ember_error *err) -> int32_t {
    static_cast<run_log *>(env)->add(lo);
    if (lo == 0) {
      *err = ember_error{EMBER_EXC_ValueError, 42, "chunk zero"};
      return EMBER_RAISED;
    }
    return EMBER_OK;
  };
  for (int round = 0; round < 50; ++round) {
    run_log log;
    ember_error err{};
    std::vector<sum_slot> slots(64);
    EXPECT_EQ(
        ember_parallel_for(1 << 20, fail_first, &log, slots.data(), sizeof(sum_slot), 64, &err),
        -1);
    EXPECT_EQ(err.exc, EMBER_EXC_ValueError);
    EXPECT_EQ(err.line, 42);
    EXPECT_STREQ(err.msg, "chunk zero");
    int64_t failing_thread = -1;
    for (auto [lo, id] : log.runs)
      if (lo == 0) failing_thread = id;
    ASSERT_NE(failing_thread, -1) << "chunk 0 never ran";
    for (auto [lo, id] : log.runs)
      EXPECT_TRUE(lo == 0 || id != failing_thread)
          << "thread " << id << " ran the chunk at " << lo << " after its chunk failed";
  }

  // Every chunk fails: each thread runs at most one chunk, so a team of t runs at most t of the
  // 8 chunks, and the error reported is one of theirs (each names its first index).
  auto fail_all = +[](int64_t lo, int64_t hi, void *env, void *slot, ember_error *err) -> int32_t {
    static_cast<run_log *>(env)->add(lo);
    *err = ember_error{EMBER_EXC_IndexError, static_cast<int32_t>(lo), "all"};
    return EMBER_RAISED;
  };
  for (int64_t threads : {int64_t{1}, int64_t{2}, ember_max_threads()}) {
    ASSERT_EQ(ember_set_num_threads(threads), 0);
    run_log log;
    ember_error err{};
    EXPECT_EQ(ember_parallel_for(1000, fail_all, &log, nullptr, 0, 8, &err), -1);
    EXPECT_EQ(err.exc, EMBER_EXC_IndexError);
    EXPECT_EQ(err.line % 125, 0) << "not a chunk start: " << err.line;
    EXPECT_GE(log.runs.size(), 1u);
    EXPECT_LE(static_cast<int64_t>(log.runs.size()), std::min<int64_t>(threads, 8))
        << "chunks kept running after every thread had failed";
    std::vector<int64_t> ids;
    for (auto [lo, id] : log.runs) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end())
        << "a thread ran a second chunk after its first failed";
  }
  // The pool still works afterwards.
  check_sum(100000, 2, 16);
}

struct nested_slot {
  int64_t sum;
  int64_t inner_used;
  int64_t inner_id;     // what the inner region's chunk saw
  int64_t id_mismatch;  // set when the inner chunk ran under another thread id than the outer
};

TEST_F(ThreadPool, NestedRegionsRunSeriallyInline) {
  auto outer = +[](int64_t lo, int64_t hi, void *env, void *slot, ember_error *err) -> int32_t {
    auto *s = static_cast<nested_slot *>(slot);
    for (int64_t i = lo; i < hi; ++i) {
      auto inner =
          +[](int64_t ilo, int64_t ihi, void *ienv, void *islot, ember_error *ierr) -> int32_t {
        auto *is = static_cast<nested_slot *>(islot);
        is->inner_id = ember_get_thread_id();
        for (int64_t j = ilo; j < ihi; ++j) is->sum += j;
        if (*static_cast<int64_t *>(ienv) == 5) {
          *ierr = ember_error{EMBER_EXC_KeyError, 5, "inner"};
          return EMBER_RAISED;
        }
        return EMBER_OK;
      };
      nested_slot inner_slots[4] = {};
      int64_t used = ember_parallel_for(1000, inner, &i, inner_slots, sizeof(nested_slot), 4, err);
      if (used < 0) return EMBER_RAISED;  // *err was filled by the inner region
      s->inner_used = std::max(s->inner_used, used);
      s->sum += inner_slots[0].sum;
      if (inner_slots[0].inner_id != ember_get_thread_id()) s->id_mismatch = 1;
    }
    return EMBER_OK;
  };
  for (int64_t threads :
       {int64_t{1}, std::min<int64_t>(2, ember_max_threads()), ember_max_threads()}) {
    ASSERT_EQ(ember_set_num_threads(threads), 0);
    std::vector<nested_slot> slots(8, nested_slot{0, 0, 0, 0});
    ember_error err{};
    int64_t used =
        ember_parallel_for(5, outer, nullptr, slots.data(), sizeof(nested_slot), 8, &err);
    ASSERT_GE(used, 1);
    int64_t total = 0;
    for (int64_t c = 0; c < used; ++c) {
      EXPECT_EQ(slots[c].inner_used, 1) << "the inner region did not run as one serial chunk";
      EXPECT_EQ(slots[c].id_mismatch, 0) << "the inner region ran on another thread";
      total += slots[c].sum;
    }
    EXPECT_EQ(total, 5 * (1000 * 999 / 2));
    // An error raised in an inner region reaches the outer caller.
    err = ember_error{};
    EXPECT_EQ(ember_parallel_for(6, outer, nullptr, slots.data(), sizeof(nested_slot), 8, &err),
              -1);
    EXPECT_EQ(err.exc, EMBER_EXC_KeyError);
  }
}

// Records the ids of the threads running chunks; with want == 2, each chunk then waits until a
// second thread has run one, which shows that workers take part without timing assumptions (a
// fresh worker can take milliseconds to start on a busy machine).  The 60 s limit only turns a
// pool that never hands out a second chunk into a failure instead of a hang.
struct rendezvous {
  std::atomic<uint64_t> ids{0};
  int64_t want = 1;
};

int32_t rendezvous_chunk(int64_t lo, int64_t hi, void *env, void *slot, ember_error *err) {
  auto *r = static_cast<rendezvous *>(env);
  int64_t id = ember_get_thread_id();
  r->ids.fetch_or(id < 64 ? uint64_t{1} << id : ~0ull);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (__builtin_popcountll(r->ids.load()) < r->want &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  if (auto *s = static_cast<sum_slot *>(slot))
    for (int64_t i = lo; i < hi; ++i) s->sum += i;
  return EMBER_OK;
}

TEST_F(ThreadPool, ThreadIdsStayInRange) {
  for (int64_t threads = 1; threads <= ember_max_threads(); ++threads) {
    ASSERT_EQ(ember_set_num_threads(threads), 0);
    rendezvous r;
    r.want = threads >= 2 ? 2 : 1;
    ember_error err{};
    EXPECT_EQ(ember_parallel_for(16, rendezvous_chunk, &r, nullptr, 0, 16, &err),
              std::min<int64_t>(16, threads));
    uint64_t seen = r.ids.load();
    EXPECT_EQ(seen >> threads, 0u) << "an id >= " << threads << " ran a chunk";
    EXPECT_GE(__builtin_popcountll(seen), r.want) << "only one thread ran chunks";
    EXPECT_EQ(ember_get_thread_id(), 0);
  }
}

TEST_F(ThreadPool, OneThreadRunsSerially) {
  ASSERT_EQ(ember_set_num_threads(1), 0);
  struct record {
    int64_t lo = -1, hi = -1, id = -1, calls = 0;
  } rec;
  auto fn = +[](int64_t lo, int64_t hi, void *env, void *slot, ember_error *err) -> int32_t {
    auto *r = static_cast<record *>(env);
    r->lo = lo;
    r->hi = hi;
    r->id = ember_get_thread_id();
    ++r->calls;
    return EMBER_OK;
  };
  ember_error err{};
  EXPECT_EQ(ember_parallel_for(1000, fn, &rec, nullptr, 0, 64, &err), 1);
  EXPECT_EQ(rec.lo, 0);
  EXPECT_EQ(rec.hi, 1000);
  EXPECT_EQ(rec.id, 0);
  EXPECT_EQ(rec.calls, 1);
}

TEST_F(ThreadPool, ForkedChildGetsAFreshPool) {
  if (ember_max_threads() < 2) GTEST_SKIP() << "one thread only";
  check_sum(1000000, 2, 16);  // the parent's workers exist now
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(120);  // a deadlock in the child fails the test instead of hanging it
    rendezvous r;
    r.want = 2;
    sum_slot slots[16] = {};
    ember_error err{};
    int64_t used =
        ember_parallel_for(100000, rendezvous_chunk, &r, slots, sizeof(sum_slot), 16, &err);
    if (used < 1) _exit(2);
    int64_t total = 0;
    for (int64_t c = 0; c < used; ++c) total += slots[c].sum;
    if (total != int64_t{100000} * 99999 / 2) _exit(3);
    if (__builtin_popcountll(r.ids.load()) < 2) _exit(4);  // the child has workers of its own
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  check_sum(1000000, 2, 16);  // and the parent's pool still works
}

// One thread of this process as /proc shows it: its state letter (R running or runnable, S
// sleeping, ...) and how many times it has been switched out.
struct thread_info {
  long tid = 0;
  char state = '?';
  long switches = -1;
};

// Every thread of this process but the calling one (the pool's workers, in this test binary).
std::vector<thread_info> other_threads() {
  std::vector<thread_info> out;
  long self = static_cast<long>(gettid());
  DIR *dir = opendir("/proc/self/task");
  if (!dir) return out;
  while (dirent *d = readdir(dir)) {
    long tid = std::atol(d->d_name);
    if (tid <= 0 || tid == self) continue;
    thread_info t;
    t.tid = tid;
    std::string base = std::string("/proc/self/task/") + d->d_name;
    std::ifstream stat(base + "/stat");
    std::string line;
    std::getline(stat, line);
    size_t close = line.rfind(')');  // the name in parentheses may hold spaces
    if (close != std::string::npos && close + 2 < line.size()) t.state = line[close + 2];
    std::ifstream status(base + "/status");
    long voluntary = -1, involuntary = -1;
    while (std::getline(status, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) voluntary = std::atol(line.c_str() + 24);
      if (line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
        involuntary = std::atol(line.c_str() + 27);
    }
    if (voluntary >= 0 && involuntary >= 0) t.switches = voluntary + involuntary;
    out.push_back(t);
  }
  closedir(dir);
  std::sort(out.begin(), out.end(),
            [](const thread_info &a, const thread_info &b) { return a.tid < b.tid; });
  return out;
}

// A worker spinning for a region is always runnable (state R); one sleeping on the futex is S.
// So rather than measure CPU time over a window, wait until every worker is asleep: how long
// that takes depends on the load, and the limit only turns a worker that never stops spinning
// into a failure.  Then no one wakes them: a sleeping worker is not switched in and out.
TEST_F(ThreadPool, IdleWorkersSleep) {
  if (ember_max_threads() < 2) GTEST_SKIP() << "one thread only";
  check_sum(1000000, ember_max_threads(), 64);  // every worker has run and is now idle
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::vector<thread_info> workers;
  for (;;) {
    workers = other_threads();
    bool asleep = static_cast<int64_t>(workers.size()) >= ember_max_threads() - 1 &&
                  std::all_of(workers.begin(), workers.end(),
                              [](const thread_info &t) { return t.state == 'S'; });
    if (asleep) break;
    std::string states;
    for (const thread_info &t : workers) states += t.state;
    ASSERT_LT(std::chrono::steady_clock::now(), give_up)
        << "idle workers kept running; their states: " << states;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::vector<thread_info> later = other_threads();
  ASSERT_EQ(later.size(), workers.size());
  for (size_t i = 0; i < workers.size(); ++i) {
    EXPECT_EQ(later[i].tid, workers[i].tid);
    EXPECT_EQ(later[i].state, 'S') << "worker " << later[i].tid << " woke up";
    EXPECT_EQ(later[i].switches, workers[i].switches) << "worker " << later[i].tid << " woke up";
  }
}

TEST_F(ThreadPool, ConcurrentCallersBothComplete) {
  std::atomic<int64_t> failures{0};
  auto caller = [&failures] {
    for (int round = 0; round < 300; ++round) {
      int64_t n = 1000 + round * 997;
      std::vector<sum_slot> slots(32, sum_slot{0, 0});
      ember_error err{};
      int64_t used =
          ember_parallel_for(n, sum_chunk, nullptr, slots.data(), sizeof(sum_slot), 32, &err);
      int64_t total = 0;
      for (int64_t c = 0; c < std::max<int64_t>(used, 0); ++c) total += slots[c].sum;
      if (used < 1 || total != n * (n - 1) / 2) failures.fetch_add(1);
    }
  };
  std::thread a(caller), b(caller);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
}

int32_t empty_chunk(int64_t lo, int64_t hi, void *env, void *slot, ember_error *err) {
  return EMBER_OK;
}

int32_t compute_chunk(int64_t lo, int64_t hi, void *env, void *slot, ember_error *err) {
  uint64_t acc = 0;
  for (int64_t i = lo; i < hi; ++i) {
    uint64_t x = static_cast<uint64_t>(i) + 1;
    for (int k = 0; k < 16; ++k) x = (x ^ (x >> 31)) * 0x9e3779b97f4a7c15ull;
    acc += x;
  }
  *static_cast<uint64_t *>(slot) = acc;
  return EMBER_OK;
}

double time_compute(int64_t threads, int64_t n, uint64_t *result) {
  ember_set_num_threads(threads);
  double best = 1e300;
  for (int rep = 0; rep < 3; ++rep) {
    uint64_t slots[64] = {};
    ember_error err{};
    auto t0 = std::chrono::steady_clock::now();
    int64_t used = ember_parallel_for(n, compute_chunk, nullptr, slots, sizeof(uint64_t), 64, &err);
    auto t1 = std::chrono::steady_clock::now();
    uint64_t acc = 0;
    for (int64_t c = 0; c < used; ++c) acc += slots[c];
    *result = acc;
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

TEST_F(ThreadPool, Microbenchmark) {
  if (ember_max_threads() < 2) GTEST_SKIP() << "one thread only";
  ASSERT_EQ(ember_set_num_threads(2), 0);
  ember_error err{};
  for (int i = 0; i < 10000; ++i) ember_parallel_for(2, empty_chunk, nullptr, nullptr, 0, 2, &err);
  constexpr int kCalls = 100000;
  std::vector<int64_t> ns(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    ember_parallel_for(2, empty_chunk, nullptr, nullptr, 0, 2, &err);
    auto t1 = std::chrono::steady_clock::now();
    ns[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
  }
  std::sort(ns.begin(), ns.end());
  std::printf(
      "[ThreadPool] empty region, n=2, 2 threads: median %lld ns, p90 %lld ns, p99 %lld ns "
      "(%d calls)\n",
      static_cast<long long>(ns[kCalls / 2]), static_cast<long long>(ns[kCalls * 9 / 10]),
      static_cast<long long>(ns[kCalls * 99 / 100]), kCalls);

  constexpr int64_t n = 10000000;
  uint64_t serial_result = 0, parallel_result = 0;
  double serial = time_compute(1, n, &serial_result);
  double parallel = time_compute(2, n, &parallel_result);
  EXPECT_EQ(serial_result, parallel_result);
  std::printf(
      "[ThreadPool] compute-bound loop, n=%lld: 1 thread %.1f ms, 2 threads %.1f ms, "
      "speed-up %.2fx\n",
      static_cast<long long>(n), serial * 1e3, parallel * 1e3, serial / parallel);
}

}  // namespace
