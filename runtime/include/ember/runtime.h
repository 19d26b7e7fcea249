/* ember/runtime.h — the functions of the runtime library that compiled code and the bindings call.
 *
 * The runtime never links LLVM or Python.  Compiled code reaches these functions through
 * addresses the bindings hand to the JIT (ember_runtime_symbols), so the library does not
 * need to be loaded with RTLD_GLOBAL, and a cache loader can relocate against the same table.
 */
#ifndef EMBER_RUNTIME_H
#define EMBER_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "ember/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A new MemInfo owning nbytes of 64-byte aligned data in the same allocation; refcount 1.
 * Returns NULL when out of memory. */
ember_meminfo *ember_meminfo_alloc(int64_t nbytes);
/* Called when the refcount drops to zero: runs the destructor and frees the allocation. */
void ember_meminfo_free(ember_meminfo *mi);
/* Atomic reference counting, for the bindings (compiled code inlines the same operations). */
void ember_meminfo_incref(ember_meminfo *mi);
void ember_meminfo_decref(ember_meminfo *mi);
/* How many MemInfos are alive: tests read it to find leaks. */
int64_t ember_live_meminfos(void);

/* Whether an output of nbytes is large enough for streaming (non-temporal) stores: beyond most
 * of the last-level cache.  Compiled code that streams calls ember_stream_fence() afterwards. */
int32_t ember_stream_worthwhile(int64_t nbytes);
void ember_stream_fence(void);

/* The runtime symbols compiled code may call, for the JIT: {name, address} pairs ending with
 * {NULL, NULL}. */
typedef struct ember_symbol {
  const char *name;
  void *address;
} ember_symbol;
const ember_symbol *ember_runtime_symbols(void);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_RUNTIME_H */
