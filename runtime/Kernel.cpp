// GPU kernels on the CPU (ember/kernel.h): the launch over the thread pool, and the scheduler that
// runs a synchronizing block's threads as fibers.
//
// Launch: the grid's blocks (x fastest) are the iterations of an ember_parallel_for, so they are
// spread over the pool and taken dynamically; each pool thread keeps its own scratch (the
// block's shared memory, fiber stacks and thread records) from launch to launch.  The first
// exception claims the launch's record (a compare-and-swap: first writer wins); blocks not yet
// started then return at once.
//
// Fiber mode: the block's threads are fibers, in linear order (x fastest, as warps are made on a
// GPU).  The scheduler runs every ready fiber in order until it blocks at a collective (a barrier
// or a warp function) or finishes, then resolves what can be resolved:
//   * a barrier, once every live thread waits at one (threads that returned count as arrived,
//     as exited threads do on a GPU); all must wait at the same line;
//   * a warp function, once every live lane named in its mask waits at one (the group computes
//     its shuffles and votes from the values the lanes deposited);
//   * activemask, only when nothing else can move: the lanes of a warp waiting at the same
//     activemask line are the ones that reached it together.
// When nothing can be resolved and threads are still waiting, they wait at collectives some
// threads can never reach: that is divergent control flow around a barrier, reported as a
// RuntimeError naming the lines instead of a deadlock.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "Fiber.h"
#include "ember/kernel.h"
#include "ember/parallel.h"

namespace {

constexpr int kWarp = EMBER_KERNEL_WARP_SIZE;

enum class Wait : uint8_t { Ready, Barrier, Warp, Done };

/// One GPU thread of a block in fiber mode.  The kernel's err parameter points at ctx, so
/// the runtime entry points find the record from the pointer compiled code passes.
struct Thread {
  ember_kernel_ctx ctx;  // first
  ember_fiber::Context fiber;
  Wait wait = Wait::Ready;
  int32_t op = 0;    // the pending collective: EMBER_BARRIER_* or EMBER_WARP_*
  int32_t arg = 0;   // source lane, delta or lane mask (shuffles); the predicate (barriers)
  int32_t line = 0;  // where the thread waits
  uint32_t mask = 0;
  int64_t value = 0;
  int64_t result = 0;
  int32_t status = EMBER_OK;  // what thread_fn returned, once Done
};

struct Launch;

/// The scheduler of one block in fiber mode.
struct Block {
  ember_fiber::Context main;
  Thread *threads = nullptr;
  int64_t n = 0;
  int64_t live = 0;
  const ember_launch_desc *launch = nullptr;
  std::vector<int32_t> ready;
  std::string deadlock;  // set when threads wait where others can never arrive
};

/// A launch's shared state: the first failure, claimed by compare-and-swap.
struct Launch {
  const ember_launch_desc *desc;
  bool fibers;
  std::atomic<bool> failed{false};
  ember_error error{};
  int64_t block[3] = {0, 0, 0};
  int64_t thread[3] = {0, 0, 0};
  bool has_thread = false;
  std::string message;  // a deadlock's message (error.msg points at constants otherwise)

  void fail(const ember_error &e, const int64_t *bidx, const int64_t *tidx, std::string msg) {
    bool expected = false;
    if (!failed.compare_exchange_strong(expected, true)) return;
    error = e;
    std::copy(bidx, bidx + 3, block);
    has_thread = tidx != nullptr;
    if (tidx) std::copy(tidx, tidx + 3, thread);
    message = std::move(msg);
  }
};

/// Each pool thread's scratch, reused from launch to launch.
struct Scratch {
  char *shared = nullptr;
  size_t shared_bytes = 0;
  char *stacks = nullptr;  // count stacks of stack_bytes, each above a guard page
  size_t stack_count = 0, stack_bytes = 0, mapped = 0;
  std::vector<Thread> threads;

  ~Scratch() {
    std::free(shared);
    if (stacks) munmap(stacks, mapped);
  }

  char *shared_memory(size_t bytes) {
    if (bytes > shared_bytes) {
      std::free(shared);
      shared = nullptr;
      shared_bytes = 0;
      if (posix_memalign(reinterpret_cast<void **>(&shared), 64, bytes) != 0) return nullptr;
      shared_bytes = bytes;
    }
    return shared;
  }

  /// Stack i of `count` stacks of at least `bytes` each, or nullptr when they cannot be mapped.
  bool ensure_stacks(size_t count, size_t bytes) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    bytes = (bytes + page - 1) / page * page;
    if (stacks && count <= stack_count && bytes <= stack_bytes) return true;
    if (stacks) munmap(stacks, mapped);
    stacks = nullptr;
    count = std::max(count, stack_count);
    bytes = std::max(bytes, stack_bytes);
    size_t total = count * (bytes + page);
    // Reserved, not committed: a fiber touches only the pages its frames use.
    void *p = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    stacks = static_cast<char *>(p);
    mapped = total;
    stack_count = count;
    stack_bytes = bytes;
    // A guard page below each stack turns an overflow into a fault instead of corrupting the
    // neighbouring fiber's frames.
    for (size_t i = 0; i < count; ++i) mprotect(stacks + i * (bytes + page), page, PROT_NONE);
    return true;
  }
  char *stack(size_t i) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    return stacks + i * (stack_bytes + page) + page;
  }
};

thread_local Scratch t_scratch;
thread_local std::string t_message;  // the last failed launch's message (err->msg points here)

bool force_fibers() {
  static const bool forced = [] {
    const char *s = std::getenv("EMBER_CUDA_CPU_MODE");
    return s && std::strcmp(s, "fibers") == 0;
  }();
  return forced;
}

const char *collective_name(Wait w, int32_t op) {
  if (w == Wait::Barrier) switch (op) {
      case EMBER_BARRIER_COUNT: return "cuda.syncthreads_count()";
      case EMBER_BARRIER_AND: return "cuda.syncthreads_and()";
      case EMBER_BARRIER_OR: return "cuda.syncthreads_or()";
      default: return "cuda.syncthreads()";
    }
  switch (op) {
    case EMBER_WARP_SHFL_IDX: return "cuda.shfl_sync()";
    case EMBER_WARP_SHFL_UP: return "cuda.shfl_up_sync()";
    case EMBER_WARP_SHFL_DOWN: return "cuda.shfl_down_sync()";
    case EMBER_WARP_SHFL_XOR: return "cuda.shfl_xor_sync()";
    case EMBER_WARP_VOTE_ALL: return "cuda.all_sync()";
    case EMBER_WARP_VOTE_ANY: return "cuda.any_sync()";
    case EMBER_WARP_VOTE_EQ: return "cuda.eq_sync()";
    case EMBER_WARP_BALLOT: return "cuda.ballot_sync()";
    case EMBER_WARP_ACTIVEMASK: return "cuda.activemask()";
    default: return "cuda.syncwarp()";
  }
}

// ---- fiber mode -------------------------------------------------------------------------------

void fiber_main(void *p) {
  auto *t = static_cast<Thread *>(p);
  auto *b = static_cast<Block *>(t->ctx.block);
  t->status = b->launch->thread_fn(&t->ctx, b->launch->args);
  t->wait = Wait::Done;
  ember_fiber::exit_to(&t->fiber, &b->main);
}

/// Switches from a waiting thread to the scheduler; returns the collective's result.
int64_t wait_at(ember_kernel_ctx *ctx, Wait w, int32_t op, int32_t line) {
  auto *t = reinterpret_cast<Thread *>(ctx);
  auto *b = static_cast<Block *>(ctx->block);
  t->wait = w;
  t->op = op;
  t->line = line;
  ember_fiber::switch_to(&t->fiber, &b->main);
  return t->result;
}

void release(Block &b, int64_t i, int64_t result) {
  b.threads[i].result = result;
  b.threads[i].wait = Wait::Ready;
  b.ready.push_back(static_cast<int32_t>(i));
}

/// The block barrier, once every live thread waits at one.
bool resolve_barrier(Block &b) {
  int64_t waiting = 0, count = 0, line = -1;
  bool same_line = true;
  for (int64_t i = 0; i < b.n; ++i) {
    const Thread &t = b.threads[i];
    if (t.wait != Wait::Barrier) continue;
    ++waiting;
    count += t.arg != 0;
    if (line < 0) line = t.line;
    same_line &= t.line == line;
  }
  if (waiting == 0 || waiting != b.live || !same_line) return false;
  for (int64_t i = 0; i < b.n; ++i) {
    const Thread &t = b.threads[i];
    if (t.wait != Wait::Barrier) continue;
    int64_t r = 0;
    switch (t.op) {
      case EMBER_BARRIER_COUNT: r = count; break;
      case EMBER_BARRIER_AND: r = count == waiting; break;
      case EMBER_BARRIER_OR: r = count != 0; break;
      default: break;
    }
    release(b, i, r);
  }
  return true;
}

/// The result of lane `i`'s warp function in a group of lanes `group` (bits, within the warp
/// starting at thread `base`).
int64_t warp_result(const Block &b, int64_t base, uint32_t group, int lane) {
  const Thread &t = b.threads[base + lane];
  auto value_of = [&](int src) -> int64_t {
    if (src < 0 || src >= kWarp || !(group >> src & 1)) return t.value;  // outside: own value
    return b.threads[base + src].value;
  };
  int d = t.arg & (kWarp - 1);
  uint32_t in_mask = group & t.mask;
  switch (t.op) {
    case EMBER_WARP_SHFL_IDX: return value_of(d);
    case EMBER_WARP_SHFL_UP: return value_of(lane - d);
    case EMBER_WARP_SHFL_DOWN: return value_of(lane + d);
    case EMBER_WARP_SHFL_XOR: return value_of(lane ^ d);
    case EMBER_WARP_VOTE_ALL:
    case EMBER_WARP_VOTE_ANY:
    case EMBER_WARP_VOTE_EQ:
    case EMBER_WARP_BALLOT: {
      uint32_t bits = 0;
      for (int j = 0; j < kWarp; ++j)
        if ((in_mask >> j & 1) && b.threads[base + j].value != 0) bits |= 1u << j;
      if (t.op == EMBER_WARP_BALLOT) return static_cast<int64_t>(bits);
      if (t.op == EMBER_WARP_VOTE_ALL) return bits == in_mask;
      if (t.op == EMBER_WARP_VOTE_ANY) return bits != 0;
      return bits == 0 || bits == in_mask;
    }
    default: return 0;
  }
}

/// Warp functions whose every live lane (of their mask) has arrived.
bool resolve_warps(Block &b) {
  bool progressed = false;
  for (int64_t base = 0; base < b.n; base += kWarp) {
    int lanes = static_cast<int>(std::min<int64_t>(kWarp, b.n - base));
    uint32_t live = 0, waiting = 0;
    for (int j = 0; j < lanes; ++j) {
      const Thread &t = b.threads[base + j];
      if (t.wait != Wait::Done) live |= 1u << j;
      if (t.wait == Wait::Warp && t.op != EMBER_WARP_ACTIVEMASK) waiting |= 1u << j;
    }
    uint32_t done = 0;
    for (int j = 0; j < lanes; ++j) {
      if (!(waiting >> j & 1) || (done >> j & 1)) continue;
      const Thread &t = b.threads[base + j];
      uint32_t group = (t.mask | 1u << j) & live;
      if ((group & waiting) != group) continue;  // a lane of the group is elsewhere
      bool same_op = true;
      for (int k = 0; k < lanes; ++k)
        if (group >> k & 1) same_op &= b.threads[base + k].op == t.op;
      if (!same_op) continue;
      int64_t results[kWarp] = {};
      for (int k = 0; k < lanes; ++k)
        if (group >> k & 1) results[k] = warp_result(b, base, group, k);
      for (int k = 0; k < lanes; ++k)
        if (group >> k & 1) release(b, base + k, results[k]);
      done |= group;
      progressed = true;
    }
  }
  return progressed;
}

/// activemask(): when nothing else can move, the lanes of a warp waiting at the same
/// activemask() line are the ones that reached it together.
bool resolve_activemask(Block &b) {
  bool progressed = false;
  for (int64_t base = 0; base < b.n; base += kWarp) {
    int lanes = static_cast<int>(std::min<int64_t>(kWarp, b.n - base));
    std::map<int32_t, uint32_t> by_line;
    for (int j = 0; j < lanes; ++j) {
      const Thread &t = b.threads[base + j];
      if (t.wait == Wait::Warp && t.op == EMBER_WARP_ACTIVEMASK) by_line[t.line] |= 1u << j;
    }
    for (auto &[line, bits] : by_line) {
      for (int j = 0; j < lanes; ++j)
        if (bits >> j & 1) release(b, base + j, static_cast<int64_t>(bits));
      progressed = true;
    }
  }
  return progressed;
}

/// Says where the threads wait when none can move.
std::string describe_deadlock(const Block &b) {
  std::map<std::pair<int32_t, std::string>, int64_t> where;
  for (int64_t i = 0; i < b.n; ++i) {
    const Thread &t = b.threads[i];
    if (t.wait == Wait::Barrier || t.wait == Wait::Warp)
      where[{t.line, collective_name(t.wait, t.op)}] += 1;
  }
  std::string s =
      "divergent control flow: the threads of this block wait at collectives that "
      "not all of them reach (";
  bool first = true;
  for (auto &[key, count] : where) {
    s += (first ? "" : ", ") + std::to_string(count) + " at " + key.second + " on line " +
         std::to_string(key.first);
    first = false;
  }
  int64_t exited = b.n - b.live;
  if (exited) s += ", " + std::to_string(exited) + " returned";
  return s +
         "); every thread of a block must reach the same barrier, every lane named in a "
         "warp function's mask the same warp function";
}

void run_block_fibers(Launch &L, const ember_kernel_ctx &tmpl) {
  const ember_launch_desc *d = L.desc;
  Scratch &s = t_scratch;
  int64_t n = d->block[0] * d->block[1] * d->block[2];
  if (!s.ensure_stacks(static_cast<size_t>(n), static_cast<size_t>(d->stack_bytes))) {
    ember_error e{EMBER_EXC_MemoryError, 0, "cannot map the fiber stacks of a block"};
    L.fail(e, tmpl.block_idx, nullptr, "");
    return;
  }
  if (s.threads.size() < static_cast<size_t>(n)) s.threads.resize(static_cast<size_t>(n));
  Block b;
  b.threads = s.threads.data();
  b.n = n;
  b.live = n;
  b.launch = d;
  b.ready.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    Thread &t = b.threads[i];
    t = Thread{};
    t.ctx = tmpl;
    t.ctx.block = &b;
    t.ctx.thread_idx[0] = i % d->block[0];
    t.ctx.thread_idx[1] = i / d->block[0] % d->block[1];
    t.ctx.thread_idx[2] = i / (d->block[0] * d->block[1]);
    ember_fiber::prepare(&t.fiber, s.stack(static_cast<size_t>(i)), s.stack_bytes, &fiber_main, &t);
    b.ready.push_back(static_cast<int32_t>(i));
  }
  std::vector<int32_t> running;
  for (;;) {
    running.swap(b.ready);
    b.ready.clear();
    for (int32_t i : running) {
      Thread &t = b.threads[i];
      ember_fiber::switch_to(&b.main, &t.fiber);
      if (t.wait != Wait::Done) continue;
      --b.live;
      if (t.status != EMBER_OK) {
        L.fail(t.ctx.error, tmpl.block_idx, t.ctx.thread_idx, "");
        return;  // the other fibers are abandoned: kernels own nothing to release
      }
    }
    running.clear();
    if (b.live == 0) return;
    if (L.failed.load(std::memory_order_relaxed)) return;
    if (resolve_barrier(b) || resolve_warps(b) || resolve_activemask(b)) continue;
    ember_error e{EMBER_EXC_RuntimeError, 0, nullptr};
    L.fail(e, tmpl.block_idx, nullptr, describe_deadlock(b));
    return;
  }
}

// ---- the launch -------------------------------------------------------------------------------

int32_t run_blocks(int64_t lo, int64_t hi, void *env, void *, ember_error *) {
  auto &L = *static_cast<Launch *>(env);
  const ember_launch_desc *d = L.desc;
  int64_t dyn_offset = (d->static_shared_bytes + 15) / 16 * 16;
  int64_t shared_bytes = dyn_offset + d->dynamic_shared_bytes;
  char *shared = t_scratch.shared_memory(static_cast<size_t>(std::max<int64_t>(shared_bytes, 64)));
  ember_kernel_ctx ctx;
  std::memset(&ctx, 0, sizeof ctx);
  for (int k = 0; k < 3; ++k) {
    ctx.block_dim[k] = d->block[k];
    ctx.grid_dim[k] = d->grid[k];
  }
  ctx.shared = shared;
  ctx.dynamic_shared = shared ? shared + dyn_offset : nullptr;
  ctx.dynamic_shared_bytes = d->dynamic_shared_bytes;
  for (int64_t id = lo; id < hi; ++id) {
    if (L.failed.load(std::memory_order_relaxed)) return EMBER_OK;
    ctx.block_idx[0] = id % d->grid[0];
    ctx.block_idx[1] = id / d->grid[0] % d->grid[1];
    ctx.block_idx[2] = id / (d->grid[0] * d->grid[1]);
    if (!shared) {
      ember_error e{EMBER_EXC_MemoryError, 0, "cannot allocate a block's shared memory"};
      L.fail(e, ctx.block_idx, nullptr, "");
      return EMBER_OK;
    }
    if (L.fibers) {
      run_block_fibers(L, ctx);
      continue;
    }
    ctx.error = ember_error{0, 0, nullptr};
    if (d->block_fn(&ctx, d->args) != EMBER_OK)
      L.fail(ctx.error, ctx.block_idx, ctx.thread_idx, "");
  }
  return EMBER_OK;
}

std::string triple(const int64_t *v) {
  return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ", " + std::to_string(v[2]) +
         ")";
}

}  // namespace

extern "C" {

int32_t ember_kernel_launch(const ember_launch_desc *d, ember_error *err) {
  int64_t blocks = d->grid[0] * d->grid[1] * d->grid[2];
  Launch L;
  L.desc = d;
  L.fibers = d->block_fn == nullptr || force_fibers();
  ember_error pool_err{0, 0, nullptr};
  ember_parallel_for(blocks, &run_blocks, &L, nullptr, 0, blocks, &pool_err);
  if (!L.failed.load()) return EMBER_OK;
  // The message names where it happened: the kernel, the line, the block and the thread.
  std::string msg = !L.message.empty() ? L.message : L.error.msg ? L.error.msg : "";
  std::string where = "in kernel " + std::string(d->name ? d->name : "?");
  if (L.error.line > 0) where += " at line " + std::to_string(L.error.line);
  where += ", block " + triple(L.block);
  if (L.has_thread) where += ", thread " + triple(L.thread);
  t_message = msg.empty() ? "(" + where + ")" : msg + " (" + where + ")";
  err->exc = L.error.exc;
  err->line = L.error.line;
  err->msg = t_message.c_str();
  return EMBER_RAISED;
}

int32_t ember_kernel_barrier(ember_kernel_ctx *ctx, int32_t op, int32_t pred, int32_t line) {
  reinterpret_cast<Thread *>(ctx)->arg = pred;
  return static_cast<int32_t>(wait_at(ctx, Wait::Barrier, op, line));
}

int64_t ember_kernel_warp(ember_kernel_ctx *ctx, int32_t op, int32_t mask, int64_t value,
                          int32_t arg, int32_t line) {
  auto *t = reinterpret_cast<Thread *>(ctx);
  t->mask = static_cast<uint32_t>(mask);
  t->value = value;
  t->arg = arg;
  if (op == EMBER_WARP_ACTIVEMASK) t->mask = 0;
  return wait_at(ctx, Wait::Warp, op, line);
}

}  // extern "C"
