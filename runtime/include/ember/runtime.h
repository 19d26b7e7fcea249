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
/* A small MemInfo whose data (not 64-byte aligned: strings, not arrays) follows the header in
 * the same block, from per-thread free lists when header and data fit in 256 bytes; size is
 * then the block's whole room for data, at least nbytes. */
ember_meminfo *ember_meminfo_alloc_packed(int64_t nbytes);
/* Called when the refcount drops to zero: runs the destructor and frees the allocation. */
void ember_meminfo_free(ember_meminfo *mi);
/* Atomic reference counting, for the bindings (compiled code inlines the same operations). */
void ember_meminfo_incref(ember_meminfo *mi);
void ember_meminfo_decref(ember_meminfo *mi);
/* How many MemInfos are alive: tests read it to find leaks. */
int64_t ember_live_meminfos(void);

/* A generator (runtime/Generator.cpp): a MemInfo of nbytes whose data starts with the pointer
 * to its coroutine frame (set by the ramp, in the same allocation); dropping the last
 * reference destroys the frame, which releases what the suspended generator held. */
ember_meminfo *ember_generator_new(int64_t nbytes);

/* `with objmode(...)` blocks (runtime/ObjMode.cpp): compiled code calls ember_objmode_call with
 * the block's id, its inputs (a tuple laid out as in_code says; the call takes their
 * references) and where its outputs go (out_code).  Type codes are {n, code[n]}.  The bindings
 * install the hook that takes the GIL and runs the block; 0 = done, else a Python exception is
 * pending for the dispatcher (EMBER_EXC_PYTHON_PENDING). */
typedef int32_t (*ember_objmode_hook)(int64_t block, const int64_t *in_code, void *in,
                                      const int64_t *out_code, void *out);
void ember_set_objmode_hook(ember_objmode_hook hook);
int32_t ember_objmode_call(int64_t block, const int64_t *in_code, void *in,
                           const int64_t *out_code, void *out);

/* Whether an output of nbytes is large enough for streaming (non-temporal) stores: beyond most
 * of the last-level cache.  Compiled code that streams calls ember_stream_fence() afterwards. */
int32_t ember_stream_worthwhile(int64_t nbytes);
void ember_stream_fence(void);

/* Exceptions raised with arguments (`raise ValueError("bad size", n)`): copies the type code
 * and the values into the calling thread's ring of records and returns the record, which stays
 * valid until that thread has raised 8 more such exceptions (no ownership to track when compiled
 * code catches and re-raises).  NULL when they do not fit a record (the class alone is raised). */
const void *ember_exc_args(const int64_t *code, int64_t ncode, const void *data, int64_t size);
/* Whether exception id exc is cls or a subclass of it (except clauses in compiled code), from
 * the parents the bindings register with ember_exception_set_parent. */
int32_t ember_exception_matches(int32_t exc, int32_t cls);
void ember_exception_set_parent(int32_t id, int32_t parent);
/* An exception compiled code caught (`except E as e`, runtime/CaughtException.cpp):
 * ember_exc_read_args writes e.args at out as the tuple type `code` (its elements numbers, to
 * which the record's convert, or strings) and returns 0, or 1 when the record's arguments are
 * not that tuple's; ember_exc_str returns str(e), a new string, as Python formats it. */
struct ember_error;
int32_t ember_exc_read_args(const struct ember_error *err, const int64_t *code, int64_t ncode,
                            void *out);
struct ember_meminfo *ember_exc_str(const struct ember_error *err);

/* hash() of numbers as Python's (runtime/PyNumbers.cpp): modulo 2**61 - 1, never -1. */
int64_t ember_hash_int(int64_t v);
int64_t ember_hash_uint(uint64_t v);
int64_t ember_hash_double(double v);
/* round(x, ndigits) of a float, correctly rounded as CPython's; pow(base, exp, mod) of int64s
 * (exp >= 0, mod != 0), with the sign of mod as Python's. */
double ember_round_digits(double x, int64_t ndigits);
int64_t ember_pow_mod(int64_t base, int64_t exp, int64_t mod);

/* A @cfunc's C entry calls ember_cfunc_report when the function raised, with the error record
 * and the function's name, then returns zero.  The bindings register the reporter, which writes
 * the exception as Python's unraisable hook does (runtime/CFunc.cpp). */
typedef void (*ember_cfunc_reporter)(const ember_error *err, const char *name);
void ember_set_cfunc_reporter(ember_cfunc_reporter reporter);
void ember_cfunc_report(const ember_error *err, const char *name);

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
