// The native set (ember/containers.h, ember_set): one open-addressing table of {hash, key} slots,
// as CPython's and numba's sets, rather than the dict's index-plus-entries layout, so that a probe
// is one load of a slot that holds both the hash and the key.  Integers hash as themselves (so a
// run of consecutive ints fills consecutive slots and a membership loop over them streams
// through memory); a probe checks a few neighbouring slots, which share a cache line, before
// CPython's perturbation jumps away from a cluster.  Compiled code does the first probe of `in`
// and `add` itself (lowering/CodeGenContainer.cpp) and calls here for the rest, so the hashing
// and probing below must stay exactly what ember_set_int_hash and the header describe.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "SetTable.h"
#include "ember/runtime.h"

namespace ember::rt {
namespace {

constexpr int kLinearProbes = 4;  // slots tried in a row before perturbing (16-byte slots: 1 line)
constexpr int64_t kMinSlots = 8;

ember_set *header(ember_meminfo *s) { return static_cast<ember_set *>(s->data); }
uint64_t &slot_hash(const ember_set *h, int64_t i) {
  return *reinterpret_cast<uint64_t *>(h->slots + i * h->slot_size);
}
char *slot_key(const ember_set *h, int64_t i) { return h->slots + i * h->slot_size + 8; }

int64_t widen(int32_t tag, const void *p) {
  switch (tag) {
    case EMBER_T_INT8: return *static_cast<const int8_t *>(p);
    case EMBER_T_INT16: return *static_cast<const int16_t *>(p);
    case EMBER_T_INT32: return *static_cast<const int32_t *>(p);
    case EMBER_T_BOOL:
    case EMBER_T_UINT8: return *static_cast<const uint8_t *>(p);
    case EMBER_T_UINT16: return *static_cast<const uint16_t *>(p);
    case EMBER_T_UINT32: return *static_cast<const uint32_t *>(p);
    default: {  // INT64, UINT64
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

uint64_t hash_key(const ember_set *h, const void *key) {
  if (h->int_keys) return ember_set_int_hash(widen(h->int_keys, key));
  uint64_t x = ember_value_hash(h->key, key);
  return x < 2 ? x + 2 : x;
}

bool keys_equal(const ember_set *h, const void *a, const void *b) {
  if (h->int_keys) return widen(h->int_keys, a) == widen(h->int_keys, b);
  return ember_value_eq(h->key, a, b) != 0;
}

// The probe sequence, shared by every search: slot i, a few after it, then perturbation.
struct Probe {
  uint64_t i, perturb, mask;
  int step = 0;
  Probe(uint64_t hash, int64_t m) : i(hash & m), perturb(hash), mask(m) {}
  uint64_t next() {
    if (++step < kLinearProbes) return (i + step) & mask;
    step = 0;
    perturb >>= 5;
    i = (i * 5 + perturb + 1) & mask;
    return i;
  }
};

// The slot holding key (*found), or the slot an insert should use: the first deleted slot
// passed, else the empty slot that ended the search.
int64_t find(const ember_set *h, const void *key, uint64_t hash, bool *found) {
  Probe p(hash, h->mask);
  int64_t free_slot = -1;
  for (uint64_t i = p.i;; i = p.next()) {
    uint64_t sh = slot_hash(h, static_cast<int64_t>(i));
    if (sh == EMBER_SET_EMPTY) {
      *found = false;
      return free_slot >= 0 ? free_slot : static_cast<int64_t>(i);
    }
    if (sh == EMBER_SET_DUMMY) {
      if (free_slot < 0) free_slot = static_cast<int64_t>(i);
    } else if (sh == hash && keys_equal(h, slot_key(h, static_cast<int64_t>(i)), key)) {
      *found = true;
      return static_cast<int64_t>(i);
    }
  }
}

bool alloc_slots(ember_set *h, int64_t nslots) {
  void *p = std::calloc(static_cast<size_t>(nslots), static_cast<size_t>(h->slot_size));
  if (!p) return false;
  h->slots = static_cast<char *>(p);
  h->mask = nslots - 1;
  h->fill = h->live = 0;
  h->fill_limit = nslots * 5 / 8;
  h->finger = 0;
  return true;
}

// Moves the live keys into a fresh table sized for them (deleted slots are dropped).
bool resize(ember_set *h) {
  int64_t want = h->live * (h->live > 50000 ? 2 : 4);
  int64_t n = kMinSlots;
  while (n <= want) n <<= 1;
  ember_set old = *h;
  if (!alloc_slots(h, n)) {
    *h = old;
    return false;
  }
  for (int64_t j = 0; j <= old.mask; ++j) {
    uint64_t sh = slot_hash(&old, j);
    if (sh < 2) continue;
    Probe p(sh, h->mask);
    uint64_t i = p.i;
    while (slot_hash(h, static_cast<int64_t>(i)) != EMBER_SET_EMPTY) i = p.next();
    std::memcpy(h->slots + i * h->slot_size, old.slots + j * old.slot_size,
                static_cast<size_t>(h->slot_size));
  }
  h->live = h->fill = old.live;
  std::free(old.slots);
  return true;
}

void release_keys(ember_set *h) {
  if (!ember_typeinfo_has_refs(h->key)) return;  // a set of numbers: nothing to release
  for (int64_t i = 0; i <= h->mask; ++i)
    if (slot_hash(h, i) >= 2) ember_value_decref(h->key, slot_key(h, i));
}

void set_dtor(void *data, int64_t, void *) {
  auto *h = static_cast<ember_set *>(data);
  release_keys(h);
  std::free(h->slots);
}

}  // namespace

ember_meminfo *set_new(const ember_typeinfo *key) {
  ember_meminfo *mi = ember_meminfo_alloc(sizeof(ember_set));
  if (!mi) return nullptr;
  auto *h = static_cast<ember_set *>(mi->data);
  std::memset(h, 0, sizeof *h);
  h->key = key;
  h->slot_size = 8 + (ember_typeinfo_size(key) + 7) / 8 * 8;
  int64_t ncode;
  const int64_t *code = ember_typeinfo_code(key, &ncode);
  h->int_keys = ncode == 1 && ember_set_int_tag(code[0]) ? static_cast<int32_t>(code[0]) : 0;
  if (!alloc_slots(h, kMinSlots)) {
    ember_meminfo_free(mi);
    return nullptr;
  }
  mi->dtor = set_dtor;
  return mi;
}

int64_t set_len(ember_meminfo *s) { return header(s)->live; }

void *set_lookup(ember_meminfo *s, const void *key) {
  ember_set *h = header(s);
  bool found;
  int64_t i = find(h, key, hash_key(h, key), &found);
  return found ? slot_key(h, i) : nullptr;
}

int32_t set_add(ember_meminfo *s, const void *key) {
  ember_set *h = header(s);
  uint64_t hash = hash_key(h, key);
  bool found;
  int64_t i = find(h, key, hash, &found);
  if (found) return 0;
  bool reuse = slot_hash(h, i) == EMBER_SET_DUMMY;
  if (!reuse && h->fill >= h->fill_limit) {
    if (!resize(h)) return -1;
    i = find(h, key, hash, &found);
  }
  slot_hash(h, i) = hash;
  std::memcpy(slot_key(h, i), key, static_cast<size_t>(ember_typeinfo_size(h->key)));
  ember_value_incref(h->key, slot_key(h, i));
  if (!reuse) ++h->fill;
  ++h->live;
  return 0;
}

int32_t set_discard(ember_meminfo *s, const void *key) {
  ember_set *h = header(s);
  bool found;
  int64_t i = find(h, key, hash_key(h, key), &found);
  if (!found) return 0;
  slot_hash(h, i) = EMBER_SET_DUMMY;
  --h->live;
  ember_value_decref(h->key, slot_key(h, i));
  return 1;
}

int32_t set_pop(ember_meminfo *s, void *key_out) {
  ember_set *h = header(s);
  if (!h->live) return 0;
  int64_t i = h->finger & h->mask;
  while (slot_hash(h, i) < 2) i = (i + 1) & h->mask;
  std::memcpy(key_out, slot_key(h, i), static_cast<size_t>(ember_typeinfo_size(h->key)));
  slot_hash(h, i) = EMBER_SET_DUMMY;
  --h->live;
  h->finger = i + 1;
  return 1;
}

void set_clear(ember_meminfo *s) {
  ember_set *h = header(s);
  release_keys(h);
  char *old = h->slots;
  if (alloc_slots(h, kMinSlots)) {
    std::free(old);
  } else {  // keep the old table, emptied
    std::memset(old, 0, static_cast<size_t>((h->mask + 1) * h->slot_size));
    h->fill = h->live = 0;
  }
}

ember_meminfo *set_copy(ember_meminfo *s) {
  ember_set *h = header(s);
  ember_meminfo *r = set_new(h->key);
  if (!r) return nullptr;
  ember_set *c = header(r);
  std::free(c->slots);
  if (!alloc_slots(c, h->mask + 1)) {
    c->slots = nullptr;
    c->mask = -1;
    ember_meminfo_decref(r);
    return nullptr;
  }
  size_t bytes = static_cast<size_t>((h->mask + 1) * h->slot_size);
  std::memcpy(c->slots, h->slots, bytes);
  c->live = h->live;
  c->fill = h->fill;
  if (ember_typeinfo_has_refs(h->key))
    for (int64_t i = 0; i <= c->mask; ++i)
      if (slot_hash(c, i) >= 2) ember_value_incref(c->key, slot_key(c, i));
  return r;
}

int32_t set_next(ember_meminfo *s, int64_t *pos, void **key) {
  ember_set *h = header(s);
  while (*pos <= h->mask) {
    int64_t i = (*pos)++;
    if (slot_hash(h, i) < 2) continue;
    *key = slot_key(h, i);
    return 1;
  }
  return 0;
}

int32_t set_update(ember_meminfo *s, ember_meminfo *other) {
  if (s == other) return 0;
  int64_t pos = 0;
  void *k;
  while (set_next(other, &pos, &k))
    if (set_add(s, k) < 0) return -1;
  return 0;
}

}  // namespace ember::rt

using namespace ember::rt;

extern "C" {

ember_meminfo *ember_set_op(ember_meminfo *a, ember_meminfo *b, int32_t op, int32_t in_place) {
  ember_meminfo *r = in_place ? a : set_new(header(a)->key);
  if (!r) return nullptr;
  auto fail = [&]() -> ember_meminfo * {
    if (!in_place) ember_meminfo_decref(r);
    return nullptr;
  };
  int64_t pos = 0;
  void *k;
  switch (op) {
    case EMBER_SET_UNION:
      if (!in_place && set_update(r, a) < 0) return fail();
      if (set_update(r, b) < 0) return fail();
      return r;
    case EMBER_SET_INTERSECTION:
    case EMBER_SET_DIFFERENCE: {
      bool keep_common = op == EMBER_SET_INTERSECTION;
      // Deleting marks a slot deleted and moves nothing, so a walks on unchanged (b may be a).
      std::vector<char> key(static_cast<size_t>(ember_typeinfo_size(header(a)->key)));
      while (set_next(a, &pos, &k)) {
        bool common = set_lookup(b, k) != nullptr;
        if (in_place) {
          if (common != keep_common) {
            std::memcpy(key.data(), k, key.size());
            set_discard(a, key.data());
          }
        } else if (common == keep_common && set_add(r, k) < 0) {
          return fail();
        }
      }
      return r;
    }
    case EMBER_SET_SYMDIFF: {
      if (a == b) {
        if (in_place) set_clear(r);
        return r;
      }
      if (!in_place && set_update(r, a) < 0) return fail();
      while (set_next(b, &pos, &k)) {
        if (set_lookup(a, k)) {
          set_discard(r, k);
        } else if (set_add(r, k) < 0) {
          return fail();
        }
      }
      return r;
    }
    default: return fail();
  }
}

int32_t ember_set_compare(ember_meminfo *a, ember_meminfo *b, int32_t op) {
  auto all_in = [](ember_meminfo *x, ember_meminfo *y) {
    int64_t pos = 0;
    void *k;
    while (set_next(x, &pos, &k))
      if (!set_lookup(y, k)) return false;
    return true;
  };
  switch (op) {
    case EMBER_SET_SUBSET: return all_in(a, b);
    case EMBER_SET_SUPERSET: return all_in(b, a);
    case EMBER_SET_EQUAL: return set_len(a) == set_len(b) && all_in(a, b);
    case EMBER_SET_PROPER_SUBSET: return set_len(a) < set_len(b) && all_in(a, b);
    case EMBER_SET_PROPER_SUPERSET: return set_len(b) < set_len(a) && all_in(b, a);
    case EMBER_SET_DISJOINT: {
      int64_t pos = 0;
      void *k;
      while (set_next(a, &pos, &k))
        if (set_lookup(b, k)) return 0;
      return 1;
    }
    default: return 0;
  }
}

}  // extern "C"
