/* ember/kernel.h — GPU kernels run natively on the CPU (the "CPU path" of ember.cuda).
 *
 * A kernel compiled by the CPU target is an ordinary compiled function whose `err` parameter
 * points at an ember_kernel_ctx: the error record comes first, so raising works as in any
 * compiled function, and the launch context follows (thread and block indices, dimensions, the
 * block's shared memory).  The CPU target reads thread indices from there
 * (targets/cpu/CpuKernelTarget.cpp); the kernel entry lowering emits
 * (lowering/CpuKernelEntry.cpp) fills it.
 *
 * A launch runs the grid's blocks over ember's thread pool (ember/parallel.h).  Each block runs in
 * one of two ways, chosen by the compiler:
 *   loop mode    block_fn runs every thread of the block as a plain loop (x fastest), which the
 *                loop vectorizer can vectorize; for kernels without barriers or warp functions;
 *   fiber mode   every thread is a fiber running thread_fn; a barrier, a warp shuffle or a vote
 *                switches to the block's scheduler, which releases the threads once every live
 *                thread (or every lane of the warp) has arrived, and reports a barrier some
 *                threads can never reach (divergence) as an error instead of deadlocking.
 * EMBER_CUDA_CPU_MODE=fibers runs loop-mode kernels as fibers too (for tests and measurement).
 */
#ifndef EMBER_KERNEL_H
#define EMBER_KERNEL_H

#include <stdint.h>

#include "ember/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What compiled kernel code reads: the kernel's `err` parameter points here. */
typedef struct ember_kernel_ctx {
  ember_error error;            /* first: the record compiled code writes when it raises */
  int64_t thread_idx[3];        /* threadIdx.x, .y, .z */
  int64_t block_idx[3];         /* blockIdx */
  int64_t block_dim[3];         /* blockDim */
  int64_t grid_dim[3];          /* gridDim */
  char *shared;                 /* the block's shared memory: static arrays at their offsets */
  char *dynamic_shared;         /* then the launch's dynamic shared memory (16-byte aligned) */
  int64_t dynamic_shared_bytes; /* its size */
  void *block;                  /* fiber mode: the block's scheduler (NULL in loop mode) */
} ember_kernel_ctx;

/* A block (loop mode) or a thread (fiber mode) of a kernel; args[i] points at argument i laid
 * out as ember/abi.h says.  Returns EMBER_OK, or EMBER_RAISED with ctx->error filled (in loop
 * mode ctx->thread_idx then names the thread that raised). */
typedef int32_t (*ember_kernel_fn)(ember_kernel_ctx *ctx, void **args);

/* One launch, as the kernel's launch wrapper describes it. */
typedef struct ember_launch_desc {
  int64_t grid[3];
  int64_t block[3];
  int64_t dynamic_shared_bytes;
  int64_t static_shared_bytes;
  int64_t stack_bytes;       /* a fiber's stack (fiber mode) */
  ember_kernel_fn block_fn;  /* loop mode: every thread of one block; NULL when the kernel syncs */
  ember_kernel_fn thread_fn; /* fiber mode: one thread */
  void **args;
  const char *name; /* the kernel's qualified name, for error messages */
} ember_launch_desc;

/* Runs every block of the grid and returns when all have run.  The first exception a thread
 * raises (first writer wins) stops the launch: blocks not yet started are skipped, and *err is
 * filled with the exception, its message extended with the kernel, line, block and thread. */
int32_t ember_kernel_launch(const ember_launch_desc *launch, ember_error *err);

/* cuda.syncthreads() and its reductions, in fiber mode: waits until every live thread of the
 * block has arrived.  op: 0 plain, 1 count, 2 and, 3 or (of pred, over the block's threads);
 * returns the reduction (0 for op 0).  line: the user's line, for the divergence report. */
enum {
  EMBER_BARRIER_SYNC = 0,
  EMBER_BARRIER_COUNT = 1,
  EMBER_BARRIER_AND = 2,
  EMBER_BARRIER_OR = 3
};
int32_t ember_kernel_barrier(ember_kernel_ctx *ctx, int32_t op, int32_t pred, int32_t line);

/* The warp functions, in fiber mode: waits until every live lane named in mask has arrived at a
 * warp function, then returns this lane's result.  value/arg per op:
 *   SHFL_IDX / UP / DOWN / XOR   value, and the source lane / delta / lane mask (5 bits used);
 *                                a source outside the warp (up/down) gives the lane's own value
 *   VOTE_ALL / ANY / EQ          value = the predicate (0 or 1); returns 0 or 1
 *   BALLOT                       value = the predicate; returns the bits of the lanes (in mask)
 *                                whose predicate is true
 *   ACTIVEMASK                   the lanes of the warp that reach this call together
 *   SYNCWARP                     no value */
enum {
  EMBER_WARP_SHFL_IDX = 0,
  EMBER_WARP_SHFL_UP = 1,
  EMBER_WARP_SHFL_DOWN = 2,
  EMBER_WARP_SHFL_XOR = 3,
  EMBER_WARP_VOTE_ALL = 4,
  EMBER_WARP_VOTE_ANY = 5,
  EMBER_WARP_VOTE_EQ = 6,
  EMBER_WARP_BALLOT = 7,
  EMBER_WARP_ACTIVEMASK = 8,
  EMBER_WARP_SYNCWARP = 9
};
int64_t ember_kernel_warp(ember_kernel_ctx *ctx, int32_t op, int32_t mask, int64_t value,
                          int32_t arg, int32_t line);

/* The CPU path's warp size: what cuda.warpsize is, as on NVIDIA GPUs. */
#define EMBER_KERNEL_WARP_SIZE 32

#ifdef __cplusplus
}
#endif

#endif /* EMBER_KERNEL_H */
