// The CPU path's kernel runtime (runtime/include/ember/kernel.h), driven by hand-written block
// and thread functions instead of compiled kernels: every block of a grid runs once with its
// indices (loop mode); in fiber mode barriers order shared-memory writes and reduce predicates,
// shuffles and ballots exchange values within a warp, threads waiting at different barriers
// are reported instead of deadlocking, and the first raise names its block and thread.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "ember/kernel.h"

namespace {

ember_launch_desc make_launch(int64_t gx, int64_t gy, int64_t gz, int64_t bx, void **args) {
  ember_launch_desc d{};
  d.grid[0] = gx;
  d.grid[1] = gy;
  d.grid[2] = gz;
  d.block[0] = bx;
  d.block[1] = 1;
  d.block[2] = 1;
  d.stack_bytes = 64 * 1024;
  d.args = args;
  d.name = "test_kernel";
  return d;
}

int64_t linear_thread(const ember_kernel_ctx *ctx) {
  return ctx->thread_idx[0] + ctx->block_dim[0] * ctx->block_idx[0];
}

// ---- loop mode -------------------------------------------------------------------------------

int32_t count_blocks(ember_kernel_ctx *ctx, void **args) {
  auto *seen = static_cast<std::atomic<int64_t> *>(args[0]);
  int64_t id = ctx->block_idx[0] +
               ctx->grid_dim[0] * (ctx->block_idx[1] + ctx->grid_dim[1] * ctx->block_idx[2]);
  seen[id].fetch_add(ctx->block_dim[0]);
  return EMBER_OK;
}

TEST(KernelRuntime, LoopModeRunsEveryBlockOnceWithItsIndices) {
  std::vector<std::atomic<int64_t>> seen(3 * 4 * 5);
  void *args[] = {seen.data()};
  ember_launch_desc d = make_launch(3, 4, 5, 7, args);
  d.block_fn = &count_blocks;
  ember_error err{0, 0, nullptr};
  ASSERT_EQ(ember_kernel_launch(&d, &err), EMBER_OK);
  for (auto &s : seen) EXPECT_EQ(s.load(), 7);
}

// ---- fiber mode ------------------------------------------------------------------------------

int32_t reverse_through_shared(ember_kernel_ctx *ctx, void **args) {
  auto *out = static_cast<int64_t *>(args[0]);
  auto *shared = reinterpret_cast<int64_t *>(ctx->shared);
  int64_t t = ctx->thread_idx[0], n = ctx->block_dim[0];
  shared[t] = linear_thread(ctx);
  ember_kernel_barrier(ctx, EMBER_BARRIER_SYNC, 0, 1);
  out[linear_thread(ctx)] = shared[n - 1 - t];
  ember_kernel_barrier(ctx, EMBER_BARRIER_SYNC, 0, 2);  // nobody overwrites before all read
  shared[t] = -1;
  return EMBER_OK;
}

TEST(KernelRuntime, BarriersOrderSharedMemoryWithinEachBlock) {
  const int64_t blocks = 6, threads = 40;
  std::vector<int64_t> out(blocks * threads, -2);
  void *args[] = {out.data()};
  ember_launch_desc d = make_launch(blocks, 1, 1, threads, args);
  d.static_shared_bytes = threads * 8;
  d.thread_fn = &reverse_through_shared;
  ember_error err{0, 0, nullptr};
  ASSERT_EQ(ember_kernel_launch(&d, &err), EMBER_OK);
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t t = 0; t < threads; ++t)
      EXPECT_EQ(out[b * threads + t], b * threads + (threads - 1 - t));
}

int32_t reduce_predicates(ember_kernel_ctx *ctx, void **args) {
  auto *out = static_cast<int32_t *>(args[0]);
  int64_t t = ctx->thread_idx[0];
  int32_t p = t % 3 == 0;
  int64_t i = linear_thread(ctx);
  out[3 * i] = ember_kernel_barrier(ctx, EMBER_BARRIER_COUNT, p, 1);
  out[3 * i + 1] = ember_kernel_barrier(ctx, EMBER_BARRIER_AND, p, 2);
  out[3 * i + 2] = ember_kernel_barrier(ctx, EMBER_BARRIER_OR, p, 3);
  return EMBER_OK;
}

TEST(KernelRuntime, BarrierReductionsCountAndCombinePredicates) {
  const int64_t threads = 50;
  std::vector<int32_t> out(3 * threads, -1);
  void *args[] = {out.data()};
  ember_launch_desc d = make_launch(1, 1, 1, threads, args);
  d.thread_fn = &reduce_predicates;
  ember_error err{0, 0, nullptr};
  ASSERT_EQ(ember_kernel_launch(&d, &err), EMBER_OK);
  for (int64_t t = 0; t < threads; ++t) {
    EXPECT_EQ(out[3 * t], 17);  // 0, 3, ..., 48
    EXPECT_EQ(out[3 * t + 1], 0);
    EXPECT_NE(out[3 * t + 2], 0);
  }
}

int32_t shuffle_and_ballot(ember_kernel_ctx *ctx, void **args) {
  auto *out = static_cast<int64_t *>(args[0]);
  int64_t t = ctx->thread_idx[0];
  int32_t full = -1;
  out[2 * t] = ember_kernel_warp(ctx, EMBER_WARP_SHFL_DOWN, full, 100 + t, 1, 1);
  out[2 * t + 1] = ember_kernel_warp(ctx, EMBER_WARP_BALLOT, full, t % 2, 0, 2);
  return EMBER_OK;
}

TEST(KernelRuntime, WarpShufflesAndBallotsStayWithinAWarp) {
  const int64_t threads = 64;
  std::vector<int64_t> out(2 * threads, -1);
  void *args[] = {out.data()};
  ember_launch_desc d = make_launch(1, 1, 1, threads, args);
  d.thread_fn = &shuffle_and_ballot;
  ember_error err{0, 0, nullptr};
  ASSERT_EQ(ember_kernel_launch(&d, &err), EMBER_OK);
  for (int64_t t = 0; t < threads; ++t) {
    int64_t lane = t % EMBER_KERNEL_WARP_SIZE;
    // the last lane of each warp keeps its own value: the source is outside the warp
    EXPECT_EQ(out[2 * t], lane == EMBER_KERNEL_WARP_SIZE - 1 ? 100 + t : 100 + t + 1);
    EXPECT_EQ(static_cast<uint32_t>(out[2 * t + 1]), 0xAAAAAAAAu);
  }
}

int32_t diverge(ember_kernel_ctx *ctx, void **) {
  if (ctx->thread_idx[0] < 4)
    ember_kernel_barrier(ctx, EMBER_BARRIER_SYNC, 0, 10);
  else
    ember_kernel_barrier(ctx, EMBER_BARRIER_SYNC, 0, 20);
  return EMBER_OK;
}

TEST(KernelRuntime, ThreadsAtDifferentBarriersAreReportedNotDeadlocked) {
  ember_launch_desc d = make_launch(2, 1, 1, 16, nullptr);
  d.thread_fn = &diverge;
  ember_error err{0, 0, nullptr};
  ASSERT_EQ(ember_kernel_launch(&d, &err), EMBER_RAISED);
  EXPECT_EQ(err.exc, EMBER_EXC_RuntimeError);
  std::string msg = err.msg;
  EXPECT_NE(msg.find("4 at"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 10"), std::string::npos) << msg;
  EXPECT_NE(msg.find("12 at"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 20"), std::string::npos) << msg;
  EXPECT_NE(msg.find("test_kernel"), std::string::npos) << msg;
}

int32_t raise_in_one_thread(ember_kernel_ctx *ctx, void **) {
  ember_kernel_barrier(ctx, EMBER_BARRIER_SYNC, 0, 1);
  if (ctx->block_idx[0] == 2 && ctx->thread_idx[0] == 5) {
    ctx->error = ember_error{EMBER_EXC_ValueError, 33, "boom"};
    return EMBER_RAISED;
  }
  ember_kernel_barrier(ctx, EMBER_BARRIER_SYNC, 0, 2);
  return EMBER_OK;
}

TEST(KernelRuntime, TheRaisingThreadIsNamedAndTheLaunchEnds) {
  ember_launch_desc d = make_launch(4, 1, 1, 8, nullptr);
  d.thread_fn = &raise_in_one_thread;
  ember_error err{0, 0, nullptr};
  ASSERT_EQ(ember_kernel_launch(&d, &err), EMBER_RAISED);
  EXPECT_EQ(err.exc, EMBER_EXC_ValueError);
  EXPECT_EQ(err.line, 33);
  std::string msg = err.msg;
  EXPECT_EQ(msg.rfind("boom", 0), 0u) << msg;
  EXPECT_NE(msg.find("line 33"), std::string::npos) << msg;
  EXPECT_NE(msg.find("block (2, 0, 0)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("thread (5, 0, 0)"), std::string::npos) << msg;
}

}  // namespace
