// The MemInfo allocator: one allocation holding the header and 64-byte aligned data (Numba's
// NRT_MemInfo_alloc_aligned layout, with 64 instead of 32 for AVX-512 and cache lines).
#include <atomic>
#include <cstdlib>
#include <cstring>

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
      {nullptr, nullptr},
  };
  return symbols;
}

}  // extern "C"
