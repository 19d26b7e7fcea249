// The native dict and set (ember/containers.h), laid out as CPython's dict since 3.6: an
// insertion-ordered array of entries {state, hash, key, value} and a power-of-two index of
// entry numbers probed with CPython's perturbation scheme.  Deleting leaves a tombstone in the
// index and a dead entry; dead entries are squeezed out when the entry array must grow.  A set
// is the same table without values (value typeinfo NULL).  Keys are hashed and compared through
// their ember_typeinfo's hooks, so any key type TypeInfo.cpp knows works here unchanged.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ember/containers.h"
#include "ember/runtime.h"
#include "SetTable.h"

namespace {

constexpr int64_t kEmpty = -1, kDummy = -2;

struct DictHeader {
  const ember_typeinfo *key, *value;
  int64_t key_off, val_off, entry_size, key_size, val_size;
  char *entries;
  int64_t used;      // entries written (live and dead)
  int64_t capacity;  // entries allocated
  int64_t live;
  int64_t *index;
  int64_t mask;    // index size - 1
  int64_t filled;  // index slots that are not empty (live or tombstones)
  bool int64_key;  // int64/uint64 keys: hashed and compared inline (the common counter case)
};

uint64_t mix64(uint64_t x) {  // the same function as TypeInfo.cpp's ember_value_hash for ints
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t key_hash(const DictHeader *h, const void *key) {
  if (h->int64_key) {
    uint64_t k;
    std::memcpy(&k, key, 8);
    return mix64(k);
  }
  return ember_value_hash(h->key, key);
}

bool key_eq(const DictHeader *h, const void *a, const void *b) {
  if (h->int64_key) return std::memcmp(a, b, 8) == 0;
  return ember_value_eq(h->key, a, b) != 0;
}

DictHeader *header(ember_meminfo *d) { return static_cast<DictHeader *>(d->data); }
char *entry(DictHeader *h, int64_t i) { return h->entries + i * h->entry_size; }
int64_t &state(char *e) { return *reinterpret_cast<int64_t *>(e); }
uint64_t &hash_of(char *e) { return *reinterpret_cast<uint64_t *>(e + 8); }
char *key_of(DictHeader *h, char *e) { return e + h->key_off; }
char *val_of(DictHeader *h, char *e) { return e + h->val_off; }

void dict_dtor(void *data, int64_t, void *) {
  auto *h = static_cast<DictHeader *>(data);
  for (int64_t i = 0; i < h->used; ++i) {
    char *e = entry(h, i);
    if (!state(e)) continue;
    ember_value_decref(h->key, key_of(h, e));
    if (h->value) ember_value_decref(h->value, val_of(h, e));
  }
  std::free(h->entries);
  std::free(h->index);
}

// The index slot holding key, or the slot where it would go (*found false).
int64_t find_slot(DictHeader *h, const void *key, uint64_t hash, bool *found) {
  uint64_t perturb = hash;
  uint64_t i = hash & static_cast<uint64_t>(h->mask);
  int64_t free_slot = -1;
  for (;;) {
    int64_t ix = h->index[i];
    if (ix == kEmpty) {
      *found = false;
      return free_slot >= 0 ? free_slot : static_cast<int64_t>(i);
    }
    if (ix == kDummy) {
      if (free_slot < 0) free_slot = static_cast<int64_t>(i);
    } else {
      char *e = entry(h, ix);
      if (hash_of(e) == hash && key_eq(h, key_of(h, e), key)) {
        *found = true;
        return static_cast<int64_t>(i);
      }
    }
    perturb >>= 5;
    i = (i * 5 + perturb + 1) & static_cast<uint64_t>(h->mask);
  }
}

// Rebuilds the index with room for `want` live entries, squeezing out dead entries.
bool rebuild(DictHeader *h, int64_t want) {
  int64_t size = 8;
  while (size * 2 < want * 3 + 3) size <<= 1;
  auto *index = static_cast<int64_t *>(std::malloc(static_cast<size_t>(size) * sizeof(int64_t)));
  if (!index) return false;
  std::fill(index, index + size, kEmpty);
  int64_t w = 0;
  for (int64_t r = 0; r < h->used; ++r) {
    char *e = entry(h, r);
    if (!state(e)) continue;
    if (w != r) std::memcpy(entry(h, w), e, static_cast<size_t>(h->entry_size));
    ++w;
  }
  h->used = w;
  std::free(h->index);
  h->index = index;
  h->mask = size - 1;
  h->filled = w;
  for (int64_t k = 0; k < w; ++k) {
    uint64_t hash = hash_of(entry(h, k)), perturb = hash;
    uint64_t i = hash & static_cast<uint64_t>(h->mask);
    while (index[i] != kEmpty) {
      perturb >>= 5;
      i = (i * 5 + perturb + 1) & static_cast<uint64_t>(h->mask);
    }
    index[i] = k;
  }
  return true;
}

bool grow_entries(DictHeader *h) {
  if (h->used < h->capacity) return true;
  if (h->live * 2 < h->used) return rebuild(h, h->live * 2 + 8);  // reuse dead entries' room
  int64_t cap = h->capacity + (h->capacity >> 1) + 8;
  void *p = std::realloc(h->entries, static_cast<size_t>(cap * h->entry_size));
  if (!p) return false;
  h->entries = static_cast<char *>(p);
  h->capacity = cap;
  return true;
}

void remove_at(DictHeader *h, int64_t slot, void *key_out, void *value_out) {
  int64_t ix = h->index[slot];
  char *e = entry(h, ix);
  h->index[slot] = kDummy;
  state(e) = 0;
  --h->live;
  if (key_out)
    std::memcpy(key_out, key_of(h, e), static_cast<size_t>(h->key_size));
  else
    ember_value_decref(h->key, key_of(h, e));
  if (!h->value) return;
  if (value_out)
    std::memcpy(value_out, val_of(h, e), static_cast<size_t>(h->val_size));
  else
    ember_value_decref(h->value, val_of(h, e));
}

}  // namespace

extern "C" {

ember_meminfo *ember_dict_new(const ember_typeinfo *key, const ember_typeinfo *value) {
  if (!value) return ember::rt::set_new(key);
  ember_meminfo *mi = ember_meminfo_alloc(sizeof(DictHeader));
  if (!mi) return nullptr;
  auto *h = static_cast<DictHeader *>(mi->data);
  std::memset(h, 0, sizeof *h);
  h->key = key;
  h->value = value;
  h->key_size = ember_typeinfo_size(key);
  int64_t ncode;
  const int64_t *code = ember_typeinfo_code(key, &ncode);
  h->int64_key = ncode == 1 && (code[0] == EMBER_T_INT64 || code[0] == EMBER_T_UINT64);
  h->val_size = value ? ember_typeinfo_size(value) : 0;
  h->key_off = 16;
  h->val_off = (h->key_off + h->key_size + 7) / 8 * 8;
  h->entry_size = (h->val_off + h->val_size + 7) / 8 * 8;
  mi->dtor = dict_dtor;
  if (!rebuild(h, 0)) {
    ember_meminfo_free(mi);
    return nullptr;
  }
  return mi;
}

int64_t ember_dict_len(ember_meminfo *d) {
  return ember::rt::is_set(d) ? ember::rt::set_len(d) : header(d)->live;
}

const ember_typeinfo *ember_dict_key_type(ember_meminfo *d) { return header(d)->key; }
const ember_typeinfo *ember_dict_value_type(ember_meminfo *d) { return header(d)->value; }

void *ember_dict_lookup(ember_meminfo *d, const void *key) {
  if (ember::rt::is_set(d)) return ember::rt::set_lookup(d, key);
  DictHeader *h = header(d);
  bool found;
  int64_t slot = find_slot(h, key, key_hash(h, key), &found);
  if (!found) return nullptr;
  char *e = entry(h, h->index[slot]);
  return h->value ? val_of(h, e) : key_of(h, e);
}

int32_t ember_dict_setitem(ember_meminfo *d, const void *key, const void *value) {
  if (ember::rt::is_set(d)) return ember::rt::set_add(d, key);
  DictHeader *h = header(d);
  uint64_t hash = key_hash(h, key);
  bool found;
  int64_t slot = find_slot(h, key, hash, &found);
  if (found) {
    if (!h->value) return 0;
    char *v = val_of(h, entry(h, h->index[slot]));
    // The old value is released after the new one is held (it may be the same container);
    // the stored copy takes the reference (incref may adopt a borrowed array into it).
    alignas(16) char small[256];
    std::vector<char> big;
    char *old = small;
    if (h->val_size > static_cast<int64_t>(sizeof small)) {
      big.resize(static_cast<size_t>(h->val_size));
      old = big.data();
    }
    std::memcpy(old, v, static_cast<size_t>(h->val_size));
    std::memcpy(v, value, static_cast<size_t>(h->val_size));
    ember_value_incref(h->value, v);
    ember_value_decref(h->value, old);
    return 0;
  }
  bool reused = h->index[slot] == kDummy;
  if (h->used == h->capacity || (!reused && (h->filled + 1) * 3 > (h->mask + 1) * 2)) {
    if (!grow_entries(h)) return -1;
    if ((h->filled + 1) * 3 > (h->mask + 1) * 2 && !rebuild(h, h->live * 2 + 1)) return -1;
    slot = find_slot(h, key, hash, &found);
    reused = h->index[slot] == kDummy;
  }
  char *e = entry(h, h->used);
  state(e) = 1;
  hash_of(e) = hash;
  std::memcpy(key_of(h, e), key, static_cast<size_t>(h->key_size));
  ember_value_incref(h->key, key_of(h, e));
  if (h->value) {
    std::memcpy(val_of(h, e), value, static_cast<size_t>(h->val_size));
    ember_value_incref(h->value, val_of(h, e));
  }
  h->index[slot] = h->used++;
  if (!reused) ++h->filled;
  ++h->live;
  return 0;
}

int32_t ember_dict_delitem(ember_meminfo *d, const void *key, void *value_out) {
  if (ember::rt::is_set(d)) return ember::rt::set_discard(d, key);
  DictHeader *h = header(d);
  bool found;
  int64_t slot = find_slot(h, key, key_hash(h, key), &found);
  if (!found) return 0;
  remove_at(h, slot, nullptr, value_out);
  return 1;
}

int32_t ember_dict_popitem(ember_meminfo *d, void *key_out, void *value_out) {
  if (ember::rt::is_set(d)) return ember::rt::set_pop(d, key_out);
  DictHeader *h = header(d);
  if (!h->live) return 0;
  int64_t last = h->used - 1;
  while (!state(entry(h, last))) --last;
  char *e = entry(h, last);
  bool found;
  int64_t slot = find_slot(h, key_of(h, e), hash_of(e), &found);
  remove_at(h, slot, key_out, value_out);
  h->used = last;  // the popped entry was the last: its room is reused
  return 1;
}

void ember_dict_clear(ember_meminfo *d) {
  if (ember::rt::is_set(d)) return ember::rt::set_clear(d);
  DictHeader *h = header(d);
  dict_dtor(h, 0, nullptr);
  h->entries = nullptr;
  h->index = nullptr;
  h->used = h->capacity = h->live = h->filled = 0;
  rebuild(h, 0);
}

ember_meminfo *ember_dict_copy(ember_meminfo *d) {
  if (ember::rt::is_set(d)) return ember::rt::set_copy(d);
  DictHeader *h = header(d);
  ember_meminfo *r = ember_dict_new(h->key, h->value);
  if (!r) return nullptr;
  if (ember_dict_update(r, d) < 0) {
    ember_meminfo_decref(r);
    return nullptr;
  }
  return r;
}

int32_t ember_dict_next(ember_meminfo *d, int64_t *pos, void **key, void **value) {
  if (ember::rt::is_set(d)) {
    *value = nullptr;
    return ember::rt::set_next(d, pos, key);
  }
  DictHeader *h = header(d);
  while (*pos < h->used) {
    char *e = entry(h, (*pos)++);
    if (!state(e)) continue;
    *key = key_of(h, e);
    *value = h->value ? val_of(h, e) : nullptr;
    return 1;
  }
  return 0;
}

int32_t ember_dict_update(ember_meminfo *d, ember_meminfo *other) {
  if (ember::rt::is_set(d)) return ember::rt::set_update(d, other);
  DictHeader *o = header(other);
  int64_t n = o->used;  // d.update(d) changes nothing
  for (int64_t i = 0; i < n; ++i) {
    char *e = entry(o, i);
    if (!state(e)) continue;
    if (ember_dict_setitem(d, key_of(o, e), o->value ? val_of(o, e) : nullptr) < 0) return -1;
    o = header(other);
  }
  return 0;
}

int32_t ember_dict_eq(ember_meminfo *a, ember_meminfo *b) {
  DictHeader *ha = header(a);
  if (ha->live != header(b)->live) return 0;
  for (int64_t i = 0; i < ha->used; ++i) {
    char *e = entry(ha, i);
    if (!state(e)) continue;
    const void *v = ember_dict_lookup(b, key_of(ha, e));
    if (!v || !ember_value_eq(ha->value, val_of(ha, e), v)) return 0;
  }
  return 1;
}

}  // extern "C"
