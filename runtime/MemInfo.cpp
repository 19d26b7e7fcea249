// The MemInfo allocator: one malloc block holding the header and 64-byte aligned data (Numba's
// NRT_MemInfo_alloc_aligned layout, with 64 instead of 32 for AVX-512 and cache lines), a small
// per-thread cache of freed blocks, and the live-MemInfo count the tests read.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "ember/containers.h"
#include "ember/half.h"
#include "ember/jitclass.h"
#include "ember/kernel.h"
#include "ember/numeric.h"
#include "ember/parallel.h"
#include "ember/runtime.h"
#include "ember/str.h"

namespace {

constexpr int64_t kAlign = 64;

// The live-MemInfo counter, kept per thread: an atomic read-modify-write on one shared counter
// cost two locked instructions per allocation in a loop.  Each thread only ever writes its own
// count (relaxed load + store, plain moves on x86); a reader sums them all, and a thread that ends
// folds its count into g_retired.  Counts go negative where frees outnumber allocations on a
// thread (an array made on a worker and freed by the caller); only the sum means anything.
struct LiveCounter;
std::mutex g_counters_mutex;
std::vector<LiveCounter *> g_counters;
int64_t g_retired = 0;  // guarded by g_counters_mutex

struct LiveCounter {
  std::atomic<int64_t> count{0};
  LiveCounter() {
    std::lock_guard<std::mutex> lock(g_counters_mutex);
    g_counters.push_back(this);
  }
  ~LiveCounter() {
    std::lock_guard<std::mutex> lock(g_counters_mutex);
    g_retired += count.load(std::memory_order_relaxed);
    g_counters.erase(std::find(g_counters.begin(), g_counters.end(), this));
  }
  void add(int64_t n) {
    count.store(count.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

// A few freed blocks kept per thread for the next allocation of the same size: an array made and
// dropped in a loop then costs no malloc/free pair (glibc's own per-thread cache stops at 1 KiB,
// and larger blocks go back to the arena and are split off again).  Bounded in count and size,
// so resident memory stays flat; freed when the thread ends.  Left out under AddressSanitizer,
// which must see every free to find uses after it.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kCachedBlocks = 0;
#else
constexpr int kCachedBlocks = 4;
#endif
constexpr int64_t kCachedMaxBytes = int64_t{1} << 20;

struct BlockCache {
  void *block[kCachedBlocks > 0 ? kCachedBlocks : 1] = {};
  int64_t nbytes[kCachedBlocks > 0 ? kCachedBlocks : 1] = {};
  bool alive = true;  // false once the thread's destructors ran: frees after that go to libc

  ~BlockCache() {
    alive = false;
    for (int i = 0; i < kCachedBlocks; ++i) std::free(block[i]);
  }
  void *take(int64_t n) {
    for (int i = 0; i < kCachedBlocks; ++i)
      if (block[i] && nbytes[i] == n) {
        void *b = block[i];
        block[i] = nullptr;
        return b;
      }
    return nullptr;
  }
  bool keep(void *b, int64_t n) {
    if (n > kCachedMaxBytes || !alive) return false;
    for (int i = 0; i < kCachedBlocks; ++i)
      if (!block[i]) {
        block[i] = b;
        nbytes[i] = n;
        return true;
      }
    return false;
  }
};

// Small packed blocks (ember_meminfo_alloc_packed: strings cut out by split(), slices, chars):
// per-thread free lists by 16-byte size class up to kPackedMaxBytes, so a loop that makes and
// drops short strings reuses blocks without malloc/free.  The lists together hold at most
// kPackedCacheBytes per thread (the rest go back to libc); a block freed on another thread joins
// that thread's lists.  Off under AddressSanitizer, which must see every free.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPackedCache = false;
#else
constexpr bool kPackedCache = true;
#endif
constexpr int64_t kPackedMaxBytes = 256;
constexpr int64_t kPackedClass = 16;
constexpr int kPackedClasses = static_cast<int>(kPackedMaxBytes / kPackedClass);
constexpr int64_t kPackedCacheBytes = int64_t{32} << 20;

// Marks a packed block: its data follows the header directly (no 64-byte alignment) and it
// comes from (and returns to) the free lists.
char g_packed_marker;

struct PackedLists {
  struct Node {
    Node *next;
  };
  Node *head[kPackedClasses] = {};
  int64_t cached_bytes = 0;
  bool alive = true;

  ~PackedLists() {
    alive = false;
    for (Node *&h : head)
      while (h) {
        Node *n = h->next;
        std::free(h);
        h = n;
      }
  }
  static int size_class(int64_t total) { return static_cast<int>((total - 1) / kPackedClass); }
  void *take(int c) {
    Node *n = head[c];
    if (!n) return nullptr;
    head[c] = n->next;
    cached_bytes -= (c + 1) * kPackedClass;
    return n;
  }
  bool keep(void *b, int c) {
    int64_t bytes = (c + 1) * kPackedClass;
    if (!alive || cached_bytes + bytes > kPackedCacheBytes) return false;
    auto *n = static_cast<Node *>(b);
    n->next = head[c];
    head[c] = n;
    cached_bytes += bytes;
    return true;
  }
};

// One thread-local for all three, so that an allocation or a free touches thread-local storage
// once.
struct ThreadState {
  LiveCounter live;
  BlockCache blocks;
  PackedLists packed;
};
thread_local ThreadState t_state;

// Large arrays ask for transparent huge pages, as NumPy's allocator does (from 4 MiB): where the
// kernel grants them only on request (THP "madvise", a common default), the first touch of a
// fresh 80 MB array otherwise takes 20,000 page faults instead of 40, about half the time of a
// simple expression that allocates its result.
constexpr int64_t kHugePageMinBytes = int64_t{1} << 22;

void advise_huge_pages(void *data, int64_t nbytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
  uintptr_t end =
      (reinterpret_cast<uintptr_t>(data) + static_cast<uintptr_t>(nbytes)) & ~(page - 1);
  if (end > begin) madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)nbytes;
#endif
}

std::atomic<int64_t> &refcount(ember_meminfo *mi) {
  return *reinterpret_cast<std::atomic<int64_t> *>(&mi->refcount);
}

}  // namespace

extern "C" {

ember_meminfo *ember_meminfo_alloc(int64_t nbytes) {
  if (nbytes < 0) return nullptr;
  // malloc and align the data by hand, as Numba's NRT does: glibc's aligned_alloc splits and
  // re-merges chunks on every call, which made a small allocation in a loop 2.5x numba's cost.
  size_t total =
      sizeof(ember_meminfo) + static_cast<size_t>(kAlign - 1) + static_cast<size_t>(nbytes);
  ThreadState &ts = t_state;
  void *block = ts.blocks.take(nbytes);
  if (!block) {
    block = std::malloc(total);
    if (!block) return nullptr;
    if (nbytes >= kHugePageMinBytes) advise_huge_pages(block, static_cast<int64_t>(total));
  }
  auto *mi = static_cast<ember_meminfo *>(block);
  std::memset(mi, 0, sizeof(*mi));
  mi->refcount = 1;
  uintptr_t data = reinterpret_cast<uintptr_t>(block) + sizeof(ember_meminfo);
  data = (data + kAlign - 1) & ~static_cast<uintptr_t>(kAlign - 1);
  mi->data = reinterpret_cast<char *>(data);
  mi->size = nbytes;
  ts.live.add(1);
  return mi;
}

ember_meminfo *ember_meminfo_alloc_packed(int64_t nbytes) {
  if (nbytes < 0) return nullptr;
  int64_t total = static_cast<int64_t>(sizeof(ember_meminfo)) + nbytes;
  if (!kPackedCache || total > kPackedMaxBytes) return ember_meminfo_alloc(nbytes);
  ThreadState &ts = t_state;
  int c = PackedLists::size_class(total);
  void *block = ts.packed.take(c);
  if (!block) {
    block = std::malloc(static_cast<size_t>((c + 1) * kPackedClass));
    if (!block) return nullptr;
  }
  auto *mi = static_cast<ember_meminfo *>(block);
  mi->refcount = 1;
  mi->dtor = nullptr;
  mi->dtor_info = nullptr;
  mi->data = reinterpret_cast<char *>(mi + 1);
  // The whole size class is the data's: ember_str_append may use the room.
  mi->size = (c + 1) * kPackedClass - static_cast<int64_t>(sizeof(ember_meminfo));
  mi->external_allocator = &g_packed_marker;
  ts.live.add(1);
  return mi;
}

void ember_meminfo_free(ember_meminfo *mi) {
  if (mi->dtor) mi->dtor(mi->data, mi->size, mi->dtor_info);
  ThreadState &ts = t_state;
  ts.live.add(-1);
  if (mi->external_allocator == &g_packed_marker) {
    int64_t total = static_cast<int64_t>(sizeof(ember_meminfo)) + mi->size;
    if (!ts.packed.keep(mi, PackedLists::size_class(total))) std::free(mi);
    return;
  }
  if (!ts.blocks.keep(mi, mi->size)) std::free(mi);
}

void ember_meminfo_incref(ember_meminfo *mi) {
  if (mi) refcount(mi).fetch_add(1, std::memory_order_relaxed);
}

void ember_meminfo_decref(ember_meminfo *mi) {
  if (mi && refcount(mi).fetch_sub(1, std::memory_order_acq_rel) == 1) ember_meminfo_free(mi);
}

int64_t ember_live_meminfos(void) {
  std::lock_guard<std::mutex> lock(g_counters_mutex);
  int64_t live = g_retired;
  for (const LiveCounter *c : g_counters) live += c->count.load(std::memory_order_relaxed);
  return live;
}

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
      EMBER_SYMBOL(ember_cfunc_report),
      EMBER_SYMBOL(ember_random_uniform),
      EMBER_SYMBOL(ember_complex_fn),
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
      EMBER_SYMBOL(ember_stream_worthwhile),
      EMBER_SYMBOL(ember_stream_fence),
      EMBER_SYMBOL(ember_kernel_launch),
      EMBER_SYMBOL(ember_kernel_barrier),
      EMBER_SYMBOL(ember_kernel_warp),
      EMBER_SYMBOL(ember_typeinfo_get),
      EMBER_SYMBOL(ember_bytes_compare),
      EMBER_SYMBOL(ember_chars_length),
      EMBER_SYMBOL(ember_chars_store),
      EMBER_SYMBOL(ember_str_from_units),
      EMBER_SYMBOL(ember_value_hash),
      EMBER_SYMBOL(ember_value_eq),
      EMBER_SYMBOL(ember_value_cmp),
      EMBER_SYMBOL(ember_value_incref),
      EMBER_SYMBOL(ember_value_decref),
      EMBER_SYMBOL(ember_value_repr),
      EMBER_SYMBOL(ember_generator_new),
      EMBER_SYMBOL(ember_objmode_call),
      EMBER_SYMBOL(ember_jitclass_new),
      EMBER_SYMBOL(ember_list_new),
      EMBER_SYMBOL(ember_list_len),
      EMBER_SYMBOL(ember_list_append),
      EMBER_SYMBOL(ember_list_insert),
      EMBER_SYMBOL(ember_list_extend),
      EMBER_SYMBOL(ember_list_pop),
      EMBER_SYMBOL(ember_list_setitem),
      EMBER_SYMBOL(ember_list_clear),
      EMBER_SYMBOL(ember_list_reverse),
      EMBER_SYMBOL(ember_list_index),
      EMBER_SYMBOL(ember_list_count),
      EMBER_SYMBOL(ember_list_eq),
      EMBER_SYMBOL(ember_list_cmp),
      EMBER_SYMBOL(ember_list_slice),
      EMBER_SYMBOL(ember_list_delslice),
      EMBER_SYMBOL(ember_list_repeat),
      EMBER_SYMBOL(ember_list_sort),
      EMBER_SYMBOL(ember_list_sort_by),
      EMBER_SYMBOL(ember_heap_push),
      EMBER_SYMBOL(ember_heap_pop),
      EMBER_SYMBOL(ember_heapify),
      EMBER_SYMBOL(ember_dict_new),
      EMBER_SYMBOL(ember_dict_len),
      EMBER_SYMBOL(ember_dict_lookup),
      EMBER_SYMBOL(ember_dict_setitem),
      EMBER_SYMBOL(ember_dict_delitem),
      EMBER_SYMBOL(ember_dict_popitem),
      EMBER_SYMBOL(ember_dict_clear),
      EMBER_SYMBOL(ember_dict_copy),
      EMBER_SYMBOL(ember_dict_next),
      EMBER_SYMBOL(ember_dict_update),
      EMBER_SYMBOL(ember_set_op),
      EMBER_SYMBOL(ember_set_compare),
      EMBER_SYMBOL(ember_list_setslice),
      EMBER_SYMBOL(ember_dict_eq),
      EMBER_SYMBOL(ember_half_from_float),
      EMBER_SYMBOL(ember_half_from_double),
      EMBER_SYMBOL(ember_half_to_float),
      EMBER_SYMBOL(ember_half_to_double),
      EMBER_SYMBOL(ember_half_to_float_sse),
      EMBER_SYMBOL(ember_half_from_float_sse),
      EMBER_SYMBOL(ember_half_from_double_sse),
      EMBER_SYMBOL(ember_lapack_getrf),
      EMBER_SYMBOL(ember_lapack_gesv),
      EMBER_SYMBOL(ember_lapack_potrf),
      EMBER_SYMBOL(ember_lapack_gesdd),
      EMBER_SYMBOL(ember_lapack_syevd),
      EMBER_SYMBOL(ember_lapack_geev),
      EMBER_SYMBOL(ember_lapack_gelsd),
      EMBER_SYMBOL(ember_lapack_geqrf),
      EMBER_SYMBOL(ember_lapack_orgqr),
      EMBER_SYMBOL(ember_exc_args),
      EMBER_SYMBOL(ember_exception_matches),
      EMBER_SYMBOL(ember_exc_read_args),
      EMBER_SYMBOL(ember_exc_str),
      EMBER_SYMBOL(ember_hash_int),
      EMBER_SYMBOL(ember_hash_uint),
      EMBER_SYMBOL(ember_hash_double),
      EMBER_SYMBOL(ember_round_digits),
      EMBER_SYMBOL(ember_pow_mod),
      EMBER_SYMBOL(ember_str_alloc),
      EMBER_SYMBOL(ember_str_concat),
      EMBER_SYMBOL(ember_str_append),
      EMBER_SYMBOL(ember_str_repeat),
      EMBER_SYMBOL(ember_str_equal),
      EMBER_SYMBOL(ember_str_compare),
      EMBER_SYMBOL(ember_str_contains),
      EMBER_SYMBOL(ember_str_hash),
      EMBER_SYMBOL(ember_str_char_at),
      EMBER_SYMBOL(ember_str_code_at),
      EMBER_SYMBOL(ember_str_slice),
      EMBER_SYMBOL(ember_str_chr),
      EMBER_SYMBOL(ember_str_find),
      EMBER_SYMBOL(ember_str_count),
      EMBER_SYMBOL(ember_str_startswith),
      EMBER_SYMBOL(ember_str_strip),
      EMBER_SYMBOL(ember_str_replace),
      EMBER_SYMBOL(ember_str_change_case),
      EMBER_SYMBOL(ember_str_is),
      EMBER_SYMBOL(ember_str_pad),
      EMBER_SYMBOL(ember_str_from_int),
      EMBER_SYMBOL(ember_str_from_uint),
      EMBER_SYMBOL(ember_str_from_float),
      EMBER_SYMBOL(ember_str_from_bool),
      EMBER_SYMBOL(ember_str_to_int),
      EMBER_SYMBOL(ember_str_to_float),
      EMBER_SYMBOL(ember_str_format_int),
      EMBER_SYMBOL(ember_str_format_float),
      EMBER_SYMBOL(ember_str_format_str),
      EMBER_SYMBOL(ember_str_split),
      EMBER_SYMBOL(ember_str_splitlines),
      EMBER_SYMBOL(ember_str_join),
      EMBER_SYMBOL(ember_str_join_chars),
      EMBER_SYMBOL(ember_str_partition),
      EMBER_SYMBOL(ember_str_expandtabs),
      EMBER_SYMBOL(ember_str_recase),
      EMBER_SYMBOL(ember_str_predicate),
      EMBER_SYMBOL(ember_str_translate),
      EMBER_SYMBOL(ember_str_maketrans),
      EMBER_SYMBOL(ember_str_maketrans_dict),
      EMBER_SYMBOL(ember_str_remove_affix),
      EMBER_SYMBOL(ember_list_reserve),
#undef EMBER_SORT_SYMBOLS
#undef EMBER_SYMBOL
      {nullptr, nullptr},
  };
  return symbols;
}

}  // extern "C"
