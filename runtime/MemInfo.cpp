// The MemInfo allocator: one allocation holding the header and 64-byte aligned data (Numba's
// NRT_MemInfo_alloc_aligned layout, with 64 instead of 32 for AVX-512 and cache lines).
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "ember/numeric.h"
#include "ember/parallel.h"
#include "ember/runtime.h"

namespace {

constexpr int64_t kAlign = 64;
// The header is padded to the alignment so data starts aligned in an aligned allocation.
constexpr int64_t kHeader = (sizeof(ember_meminfo) + kAlign - 1) / kAlign * kAlign;

std::atomic<int64_t> g_live{0};

std::atomic<int64_t> &refcount(ember_meminfo *mi) {
  return *reinterpret_cast<std::atomic<int64_t> *>(&mi->refcount);
}

}  // namespace

extern "C" {

ember_meminfo *ember_meminfo_alloc(int64_t nbytes) {
  if (nbytes < 0) return nullptr;
  size_t total = static_cast<size_t>(kHeader + nbytes);
  total = (total + kAlign - 1) / kAlign * kAlign;  // aligned_alloc wants a multiple
  void *block = std::aligned_alloc(static_cast<size_t>(kAlign), total);
  if (!block) return nullptr;
  auto *mi = static_cast<ember_meminfo *>(block);
  std::memset(mi, 0, sizeof(*mi));
  mi->refcount = 1;
  mi->data = static_cast<char *>(block) + kHeader;
  mi->size = nbytes;
  g_live.fetch_add(1, std::memory_order_relaxed);
  return mi;
}

void ember_meminfo_free(ember_meminfo *mi) {
  if (mi->dtor) mi->dtor(mi->data, mi->size, mi->dtor_info);
  g_live.fetch_sub(1, std::memory_order_relaxed);
  std::free(mi);
}

void ember_meminfo_incref(ember_meminfo *mi) {
  if (mi) refcount(mi).fetch_add(1, std::memory_order_relaxed);
}

void ember_meminfo_decref(ember_meminfo *mi) {
  if (mi && refcount(mi).fetch_sub(1, std::memory_order_acq_rel) == 1) ember_meminfo_free(mi);
}

int64_t ember_live_meminfos(void) { return g_live.load(std::memory_order_relaxed); }

const ember_symbol *ember_runtime_symbols(void) {
  static const ember_symbol symbols[] = {
      {"ember_meminfo_alloc", reinterpret_cast<void *>(&ember_meminfo_alloc)},
      {"ember_meminfo_free", reinterpret_cast<void *>(&ember_meminfo_free)},
// Spelled once, so that a table name can never drift from its function's.
#define EMBER_SYMBOL(fn) {#fn, reinterpret_cast<void *>(&fn)}
#define EMBER_SORT_SYMBOLS(T) EMBER_SYMBOL(ember_sort_##T), EMBER_SYMBOL(ember_argsort_##T)
      EMBER_SORT_SYMBOLS(b),
      EMBER_SORT_SYMBOLS(i8),
      EMBER_SORT_SYMBOLS(i16),
      EMBER_SORT_SYMBOLS(i32),
      EMBER_SORT_SYMBOLS(i64),
      EMBER_SORT_SYMBOLS(u8),
      EMBER_SORT_SYMBOLS(u16),
      EMBER_SORT_SYMBOLS(u32),
      EMBER_SORT_SYMBOLS(u64),
      EMBER_SORT_SYMBOLS(f32),
      EMBER_SORT_SYMBOLS(f64),
      EMBER_SYMBOL(ember_random_seed),
      EMBER_SYMBOL(ember_random_uniform),
      EMBER_SYMBOL(ember_random_standard_normal),
      EMBER_SYMBOL(ember_random_integer),
      EMBER_SYMBOL(ember_gemm_f64),
      EMBER_SYMBOL(ember_gemm_f32),
      EMBER_SYMBOL(ember_set_blas),
      EMBER_SYMBOL(ember_parallel_for),
      EMBER_SYMBOL(ember_get_num_threads),
      EMBER_SYMBOL(ember_max_threads),
      EMBER_SYMBOL(ember_set_num_threads),
      EMBER_SYMBOL(ember_get_thread_id),
#undef EMBER_SORT_SYMBOLS
#undef EMBER_SYMBOL
      {nullptr, nullptr},
  };
  return symbols;
}

}  // extern "C"
