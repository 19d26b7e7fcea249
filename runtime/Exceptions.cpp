// Exceptions in compiled code: the per-thread records of exception arguments, and the class
// hierarchy `except` clauses match against (ember/runtime.h).  No Python here: the bindings
// register each class's parent when the class is first used.
#include <atomic>
#include <cstring>

#include "ember/exception_ids.h"
#include "ember/runtime.h"

namespace {

constexpr int kRing = 8;
constexpr size_t kRecordBytes = 512;
constexpr int32_t kMaxIds = EMBER_EXC_ID_LIMIT;

struct alignas(16) Record {
  unsigned char bytes[kRecordBytes];
};
thread_local Record t_ring[kRing];
thread_local int t_next = 0;

// id -> parent id (0: none).  Written under the compile lock, read by any thread.
std::atomic<int32_t> g_parent[kMaxIds];

}  // namespace

extern "C" {

const void *ember_exc_args(const int64_t *code, int64_t ncode, const void *data, int64_t size) {
  size_t header = (static_cast<size_t>(ncode) + 1) * sizeof(int64_t);
  header = (header + 15) / 16 * 16;
  if (ncode < 0 || size < 0 || header + static_cast<size_t>(size) > kRecordBytes) return nullptr;
  Record &r = t_ring[t_next];
  t_next = (t_next + 1) % kRing;
  std::memcpy(r.bytes, &ncode, sizeof ncode);
  std::memcpy(r.bytes + sizeof(int64_t), code, static_cast<size_t>(ncode) * sizeof(int64_t));
  std::memcpy(r.bytes + header, data, static_cast<size_t>(size));
  return r.bytes;
}

int32_t ember_exception_matches(int32_t exc, int32_t cls) {
  for (int guard = 0; exc > 0 && exc < kMaxIds && guard < 64; ++guard) {
    if (exc == cls) return 1;
    exc = g_parent[exc].load(std::memory_order_relaxed);
  }
  return 0;
}

void ember_exception_set_parent(int32_t id, int32_t parent) {
  if (id > 0 && id < kMaxIds) g_parent[id].store(parent, std::memory_order_relaxed);
}

}  // extern "C"
