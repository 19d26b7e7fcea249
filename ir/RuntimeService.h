/** \file RuntimeService.h
 * The services of ember's runtime library (runtime/include/ember/) that compiled code may call,
 * and the set of them a target offers.  A CPU offers every one; GPU device code has no MemInfo
 * allocator, thread pool, sort, random generator or BLAS.  Typing rejects a feature whose service
 * the target lacks at the user's line (typeinfer/CheckServices.h); lowering declares each runtime
 * function through lowering/RuntimeFn.def, which names the service it belongs to, and asserts that
 * the target has it.  Here, below both, because typing must not depend on LLVM.
 */
#pragma once

#include <cstdint>

namespace ember {

/// X(name, what it is): one bit each, in this order.
#define EMBER_RUNTIME_SERVICES(X)                                                                \
  X(Allocator, "the MemInfo allocator (arrays made in compiled code)")                           \
  X(ThreadPool, "the thread pool (prange, parallel=True, get_thread_id)")                        \
  X(Sort, "the sorting kernels (np.sort, np.argsort, np.unique, a.sort)")                        \
  X(Random, "the per-thread random generator (np.random)")                                       \
  X(Blas, "the matrix product (np.dot, @ of float matrices: BLAS or ember's gemm)")              \
  X(StreamingStores, "non-temporal stores of 16 bytes for ufunc outputs beyond the cache")       \
  X(KernelRunner, "the CPU path's kernel launcher, barriers and warp exchange (ember/kernel.h)") \
  X(Exceptions, "exception arguments and except-clause matching (ember_exc_args)")               \
  X(Strings, "Unicode strings (ember/str.h)")                                                    \
  X(Containers, "lists, dicts and sets (ember/containers.h)")                                    \
  X(ComplexMath, "complex exp, log, sqrt and trigonometry (ember_complex_fn)")

enum class RuntimeService : uint32_t {
#define EMBER_X(name, what) name,
  EMBER_RUNTIME_SERVICES(EMBER_X)
#undef EMBER_X
      NumServices
};

/// A set of services (a bitmask over RuntimeService).
class RuntimeServices {
 public:
  constexpr RuntimeServices() = default;  ///< none
  static constexpr RuntimeServices all() {
    return RuntimeServices((uint32_t{1} << static_cast<uint32_t>(RuntimeService::NumServices)) - 1);
  }
  constexpr bool has(RuntimeService s) const { return (bits_ & bit(s)) != 0; }
  constexpr RuntimeServices with(RuntimeService s) const { return RuntimeServices(bits_ | bit(s)); }
  constexpr RuntimeServices without(RuntimeService s) const {
    return RuntimeServices(bits_ & ~bit(s));
  }
  constexpr RuntimeServices operator&(RuntimeServices o) const {
    return RuntimeServices(bits_ & o.bits_);
  }
  constexpr bool operator==(RuntimeServices o) const { return bits_ == o.bits_; }
  constexpr bool operator!=(RuntimeServices o) const { return bits_ != o.bits_; }

 private:
  constexpr explicit RuntimeServices(uint32_t bits) : bits_(bits) {}
  static constexpr uint32_t bit(RuntimeService s) {
    return uint32_t{1} << static_cast<uint32_t>(s);
  }
  uint32_t bits_ = 0;
};

/// "Allocator", "ThreadPool", ...
const char *service_name(RuntimeService s);
/// What the service is, for messages and documentation.
const char *service_description(RuntimeService s);

}  // namespace ember
