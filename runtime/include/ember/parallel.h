/* ember/parallel.h — the thread pool behind parallel=True / ember.prange (and target='parallel'
 * ufuncs).  It is ember's own: no TBB, no OpenMP.  Workers start lazily on the first parallel
 * region, spin briefly and then sleep when idle, and are recreated after fork() in the child.
 * The GIL is not this file's concern: the dispatcher releases it around parallel functions.
 */
#ifndef EMBER_PARALLEL_H
#define EMBER_PARALLEL_H

#include <stdint.h>

#include "ember/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One chunk of a parallel loop: iterations [lo, hi).  `slot` is this chunk's private storage
 * (its reduction partials); returns EMBER_OK, or EMBER_RAISED after filling *err. */
typedef int32_t (*ember_chunk_fn)(int64_t lo, int64_t hi, void *env, void *slot, ember_error *err);

/* Runs fn over [0, n) split into chunks and blocks until every chunk has run (the calling
 * thread runs chunks too).  Chunk c gets slots + c * slot_size; at most max_chunks chunks are
 * used, and the return value is how many were (0 when n <= 0).  When a chunk fails, chunks not
 * yet started are skipped, the first failure is copied to *err and -1 is returned.  A call
 * made from inside a parallel region runs serially on the calling thread (nested prange). */
int64_t ember_parallel_for(int64_t n, ember_chunk_fn fn, void *env, void *slots, int64_t slot_size,
                           int64_t max_chunks, ember_error *err);

/* How many threads parallel regions use: EMBER_NUM_THREADS, else the CPUs this process may run
 * on (sched_getaffinity); ember_set_num_threads(n) changes it (1 <= n <= the maximum). */
int64_t ember_get_num_threads(void);
int64_t ember_max_threads(void);
int32_t ember_set_num_threads(int64_t n); /* 0, or -1 when n is out of range */
/* 0 on the thread that started the region (and outside regions), 1..n-1 on workers. */
int64_t ember_get_thread_id(void);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_PARALLEL_H */
