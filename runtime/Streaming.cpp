// Non-temporal (streaming) stores for large outputs: when compiled code writes an output far
// larger than the cache, stores that bypass it skip the read a normal store makes of every line
// it writes (write-allocate), a quarter of the traffic of `out = a + b`.  The ufunc loops ask
// ember_stream_worthwhile() before taking their streaming path and call ember_stream_fence() after
// it, since streaming stores are weakly ordered.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>

#include "ember/runtime.h"

namespace {

// Like glibc's memcpy: three quarters of the last-level cache, here 8 MiB when the system does
// not say (some VMs report 0).  EMBER_STREAM_THRESHOLD (bytes) overrides it: the tests set 0 to
// send small arrays down the streaming path.
int64_t stream_threshold() {
  static const int64_t threshold = []() -> int64_t {
    if (const char *env = std::getenv("EMBER_STREAM_THRESHOLD"))
      return std::strtoll(env, nullptr, 10);
    long llc = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (llc <= 0) llc = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (llc <= 0) return int64_t{8} << 20;
    return static_cast<int64_t>(llc) / 4 * 3;
  }();
  return threshold;
}

}  // namespace

extern "C" {

int32_t ember_stream_worthwhile(int64_t nbytes) { return nbytes >= stream_threshold() ? 1 : 0; }

void ember_stream_fence(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_sfence();
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

}  // extern "C"
