// The MemInfo allocator of the runtime (runtime/include/ember/runtime.h): 64-byte aligned data
// in the same allocation, reference counting, destructors, the live count returning to its
// start value (summed over threads), blocks reused per thread, and the symbol table handed to
// the JIT.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "ember/runtime.h"

namespace {

bool aligned64(const void *p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; }

TEST(Runtime, AllocAlignsDataTo64Bytes) {
  std::vector<ember_meminfo *> all;
  for (int64_t n : {0, 1, 7, 8, 63, 64, 65, 1000, 4096, 1 << 20}) {
    ember_meminfo *mi = ember_meminfo_alloc(n);
    ASSERT_NE(mi, nullptr) << n;
    EXPECT_TRUE(aligned64(mi->data)) << n;
    all.push_back(mi);
  }
  for (ember_meminfo *mi : all) ember_meminfo_decref(mi);
}

TEST(Runtime, AllocInitializesHeader) {
  ember_meminfo *mi = ember_meminfo_alloc(100);
  ASSERT_NE(mi, nullptr);
  EXPECT_EQ(mi->refcount, 1);
  EXPECT_EQ(mi->size, 100);
  EXPECT_EQ(mi->dtor, nullptr);
  EXPECT_EQ(mi->external_allocator, nullptr);
  // The data follows the header in the same allocation.
  EXPECT_GE(static_cast<char *>(mi->data), reinterpret_cast<char *>(mi) + sizeof(ember_meminfo));
  EXPECT_LT(static_cast<char *>(mi->data),
            reinterpret_cast<char *>(mi) + sizeof(ember_meminfo) + 64);
  ember_meminfo_decref(mi);
}

TEST(Runtime, DataIsWritable) {
  const int64_t n = 1 << 16;
  ember_meminfo *mi = ember_meminfo_alloc(n);
  ASSERT_NE(mi, nullptr);
  std::memset(mi->data, 0xab, static_cast<size_t>(n));
  EXPECT_EQ(static_cast<unsigned char *>(mi->data)[n - 1], 0xab);
  EXPECT_EQ(mi->refcount, 1);  // the header was not overwritten
  ember_meminfo_decref(mi);
}

void count_dtor(void *, int64_t, void *info) { ++*static_cast<int *>(info); }

TEST(Runtime, ReusedBlockIsReinitialized) {
  // A freed block is kept per thread for the next allocation of its size (not under ASan).
  ember_meminfo *first = ember_meminfo_alloc(1000);
  ASSERT_NE(first, nullptr);
  int dtor_calls = 0;
  first->dtor = count_dtor;
  first->dtor_info = &dtor_calls;
  ember_meminfo_decref(first);
  EXPECT_EQ(dtor_calls, 1);
  ember_meminfo *again = ember_meminfo_alloc(1000);
  ASSERT_NE(again, nullptr);
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_EQ(again, first);
#endif
  EXPECT_EQ(again->refcount, 1);
  EXPECT_EQ(again->size, 1000);
  EXPECT_EQ(again->dtor, nullptr);
  EXPECT_EQ(again->dtor_info, nullptr);
  EXPECT_TRUE(aligned64(again->data));
  ember_meminfo_decref(again);
  EXPECT_EQ(dtor_calls, 1);
}

TEST(Runtime, LiveCountSumsOverThreads) {
  // Made on one thread, freed on another, both threads gone: the per-thread counts still sum.
  int64_t before = ember_live_meminfos();
  std::vector<ember_meminfo *> made;
  std::thread maker([&] {
    for (int i = 0; i < 10; ++i) made.push_back(ember_meminfo_alloc(64 * i));
  });
  maker.join();
  EXPECT_EQ(ember_live_meminfos(), before + 10);
  std::thread freer([&] {
    for (ember_meminfo *mi : made) ember_meminfo_decref(mi);
  });
  freer.join();
  EXPECT_EQ(ember_live_meminfos(), before);
}

TEST(Runtime, NegativeSizeFails) {
  int64_t before = ember_live_meminfos();
  EXPECT_EQ(ember_meminfo_alloc(-1), nullptr);
  EXPECT_EQ(ember_live_meminfos(), before);
}

TEST(Runtime, RefcountingKeepsAliveUntilLastDecref) {
  int64_t before = ember_live_meminfos();
  ember_meminfo *mi = ember_meminfo_alloc(32);
  ASSERT_NE(mi, nullptr);
  EXPECT_EQ(ember_live_meminfos(), before + 1);
  ember_meminfo_incref(mi);
  ember_meminfo_incref(mi);
  EXPECT_EQ(mi->refcount, 3);
  ember_meminfo_decref(mi);
  ember_meminfo_decref(mi);
  EXPECT_EQ(mi->refcount, 1);
  EXPECT_EQ(ember_live_meminfos(), before + 1);
  ember_meminfo_decref(mi);
  EXPECT_EQ(ember_live_meminfos(), before);
}

TEST(Runtime, NullIsIgnoredByRefcounting) {
  int64_t before = ember_live_meminfos();
  ember_meminfo_incref(nullptr);
  ember_meminfo_decref(nullptr);
  EXPECT_EQ(ember_live_meminfos(), before);
}

TEST(Runtime, LiveCountReturnsToStart) {
  int64_t before = ember_live_meminfos();
  std::vector<ember_meminfo *> all;
  for (int i = 0; i < 100; ++i) all.push_back(ember_meminfo_alloc(8 * i));
  EXPECT_EQ(ember_live_meminfos(), before + 100);
  for (ember_meminfo *mi : all) ember_meminfo_decref(mi);
  EXPECT_EQ(ember_live_meminfos(), before);
}

struct DtorLog {
  int calls = 0;
  void *data = nullptr;
  int64_t size = 0;
};

void record_dtor(void *data, int64_t size, void *info) {
  auto *log = static_cast<DtorLog *>(info);
  ++log->calls;
  log->data = data;
  log->size = size;
}

TEST(Runtime, DestructorRunsOnceOnLastDecref) {
  DtorLog log;
  ember_meminfo *mi = ember_meminfo_alloc(48);
  ASSERT_NE(mi, nullptr);
  mi->dtor = &record_dtor;
  mi->dtor_info = &log;
  void *data = mi->data;
  ember_meminfo_incref(mi);
  ember_meminfo_decref(mi);
  EXPECT_EQ(log.calls, 0);
  ember_meminfo_decref(mi);
  EXPECT_EQ(log.calls, 1);
  EXPECT_EQ(log.data, data);
  EXPECT_EQ(log.size, 48);
}

TEST(Runtime, SymbolTableListsAllocatorAndFree) {
  std::vector<std::string> names;
  for (const ember_symbol *s = ember_runtime_symbols(); s->name; ++s) {
    names.push_back(s->name);
    EXPECT_NE(s->address, nullptr) << s->name;
  }
  auto has = [&](const char *n) {
    for (const std::string &s : names)
      if (s == n) return true;
    return false;
  };
  EXPECT_TRUE(has("ember_meminfo_alloc"));
  EXPECT_TRUE(has("ember_meminfo_free"));
  for (const ember_symbol *s = ember_runtime_symbols(); s->name; ++s)
    if (std::string(s->name) == "ember_meminfo_alloc")
      EXPECT_EQ(s->address, reinterpret_cast<void *>(&ember_meminfo_alloc));
}

}  // namespace
