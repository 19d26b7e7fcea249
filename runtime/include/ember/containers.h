/* ember/containers.h — the native list, dict and set of compiled code (and of ember.typed).
 *
 * A container is an ember_meminfo whose data is its header (below); compiled code holds the
 * meminfo pointer and counts references on it exactly as on an array's.  Items are stored by
 * value in the layout of ember/abi.h, described at run time by an ember_typeinfo built from the
 * item's ABI type code (EMBER_T_*).  The typeinfo says how big an item is, where its references
 * are (array meminfos, nested containers) and how to hash, compare and print it: these are the
 * per-key-type hooks, so a new key type (strings) is one more case in TypeInfo.cpp.
 *
 * Reference rules: a function that stores an item copies its bytes and takes its own reference
 * (the caller keeps its own); a function that removes an item into `out` moves the container's
 * reference to the caller; pointers returned by lookups are borrowed and valid until the next
 * mutation.  Lists keep their items contiguous; dicts are open-addressing hash tables over an
 * insertion-ordered entry array (iteration order = insertion order, as Python's dict); sets are
 * one open-addressing table of {hash, key} slots (below).
 */
#ifndef EMBER_CONTAINERS_H
#define EMBER_CONTAINERS_H

#include <stdint.h>

#include "ember/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ember_typeinfo ember_typeinfo;

/* The interned description of the type whose code is code[0..n); never freed.  NULL for a code
 * that is not a storable type. */
const ember_typeinfo *ember_typeinfo_get(const int64_t *code, int64_t n);
int64_t ember_typeinfo_size(const ember_typeinfo *t);
/* The size in bytes of a number's (or bool's, datetime's) type tag; 0 for any other tag. */
int64_t ember_scalar_size(int64_t tag);
/* Whether values of the type hold references (arrays, strings, containers, ...). */
int32_t ember_typeinfo_has_refs(const ember_typeinfo *t);
/* The type code the typeinfo was made from (for boxing). */
const int64_t *ember_typeinfo_code(const ember_typeinfo *t, int64_t *n);
/* Hooks over one value of the type at p. */
uint64_t ember_value_hash(const ember_typeinfo *t, const void *p);
int32_t ember_value_eq(const ember_typeinfo *t, const void *a, const void *b);
/* -1, 0, 1 in Python's order (tuples lexicographic); NaN compares as not less either way. */
int32_t ember_value_cmp(const ember_typeinfo *t, const void *a, const void *b);
void ember_value_incref(const ember_typeinfo *t, void *p);
void ember_value_decref(const ember_typeinfo *t, void *p);
/* Python's repr() of the value, in a per-thread buffer (KeyError messages). */
const char *ember_value_repr(const ember_typeinfo *t, const void *p);

/* An array stored into a container must own its buffer: one borrowed from Python (meminfo
 * NULL, parent an ndarray) gets a MemInfo holding a reference to the parent.  The bindings
 * install the function that makes it (the runtime knows no Python); without it the array is
 * stored as it is. */
typedef ember_meminfo *(*ember_adopt_fn)(void *parent);
void ember_set_adopt_hook(ember_adopt_fn fn);

/* ---- lists ---------------------------------------------------------------------------- */
typedef struct ember_list {
  int64_t size;
  int64_t capacity;
  int64_t itemsize;
  char *items;
  const ember_typeinfo *item;
} ember_list;

ember_meminfo *ember_list_new(const ember_typeinfo *item, int64_t capacity);
ember_list *ember_list_header(ember_meminfo *l);
int64_t ember_list_len(ember_meminfo *l);
/* 0 on success, -1 when out of memory. */
int32_t ember_list_append(ember_meminfo *l, const void *item);
/* Room for `need` items (capacity grows geometrically); 0, or -1 when out of memory.  Compiled
 * code's append stores inline while size < capacity and calls this only to grow. */
int32_t ember_list_reserve(ember_meminfo *l, int64_t need);
int32_t ember_list_insert(ember_meminfo *l, int64_t index, const void *item);
int32_t ember_list_extend(ember_meminfo *l, ember_meminfo *other);
/* Removes item `index` (already in range) into out. */
void ember_list_pop(ember_meminfo *l, int64_t index, void *out);
/* Replaces item `index` (in range). */
void ember_list_setitem(ember_meminfo *l, int64_t index, const void *item);
void ember_list_clear(ember_meminfo *l);
void ember_list_reverse(ember_meminfo *l);
/* The first index in [start, stop) equal to item, or -1. */
int64_t ember_list_index(ember_meminfo *l, const void *item, int64_t start, int64_t stop);
int64_t ember_list_count(ember_meminfo *l, const void *item);
int32_t ember_list_eq(ember_meminfo *a, ember_meminfo *b);
/* Lexicographic list comparison: -1, 0, 1. */
int32_t ember_list_cmp(ember_meminfo *a, ember_meminfo *b);
/* A new list of the items l[start:stop:step] (bounds already resolved, count items). */
ember_meminfo *ember_list_slice(ember_meminfo *l, int64_t start, int64_t step, int64_t count);
/* l[start:start+count*step:step] = src (a list of l's item type; src may be l).  With step 1
 * the slice may change length; otherwise src must have count items.  0 on success, -1 when out
 * of memory, -2 when an extended slice and src differ in length. */
int32_t ember_list_setslice(ember_meminfo *l, int64_t start, int64_t step, int64_t count,
                            ember_meminfo *src);
/* Deletes l[start:start+count*step:step]. */
void ember_list_delslice(ember_meminfo *l, int64_t start, int64_t step, int64_t count);
/* l * n as a new list. */
ember_meminfo *ember_list_repeat(ember_meminfo *l, int64_t n);
/* A stable sort by the item order (reverse keeps stability, as Python's). */
void ember_list_sort(ember_meminfo *l, int32_t reverse);
/* Sorts l by keys[i] (a list of the same length holding each item's key). */
void ember_list_sort_by(ember_meminfo *l, ember_meminfo *keys, int32_t reverse);
/* heapq over a list, Python's algorithms (so equal keys come out in CPython's order). */
int32_t ember_heap_push(ember_meminfo *l, const void *item);
void ember_heap_pop(ember_meminfo *l, void *out); /* l not empty */
void ember_heapify(ember_meminfo *l);

/* ---- sets -------------------------------------------------------------------------------
 * A set is an open-addressing table of slots {uint64 hash, key} (key at offset 8, slot_size
 * bytes each, a power of two of them), probed from hash & mask: a few slots in a row, then
 * CPython's perturbation.  The hash field also says what a slot holds: EMBER_SET_EMPTY (calloc's
 * zeros), EMBER_SET_DUMMY (deleted), or a live key's hash (>= 2).  Integer and bool items hash as
 * themselves (widened to 64 bits, sign bit flipped, at least 2: see ember_set_int_hash), so
 * consecutive ints take consecutive slots; compiled code probes the first slot of such sets
 * inline for `in` and `add` and calls the runtime only past it (or to grow).  Other item types
 * hash through their typeinfo.  The header's first two fields are the dict's, so the ember_dict_*
 * functions below tell a set (value NULL) from a dict and serve both.  Iteration follows the
 * table, not insertion order (as Python's sets). */
typedef struct ember_set {
  const ember_typeinfo *key;
  const ember_typeinfo *value; /* always NULL */
  char *slots;
  int64_t mask;       /* slots - 1 */
  int64_t slot_size;  /* 8 + the key's size rounded up to 8 */
  int64_t live;       /* keys held */
  int64_t fill;       /* live + deleted slots */
  int64_t fill_limit; /* an insert into an empty slot needs fill < fill_limit, else a rebuild */
  int64_t finger;     /* where set.pop looks first */
  int32_t int_keys;   /* the item is an integer or bool: hashed by ember_set_int_hash */
} ember_set;

enum { EMBER_SET_EMPTY = 0, EMBER_SET_DUMMY = 1 };

/* Whether a set of items of this scalar tag hashes them as integers. */
static inline int ember_set_int_tag(int64_t tag) {
  return tag >= EMBER_T_BOOL && tag <= EMBER_T_UINT64;
}
/* The hash of an integer item widened to 64 bits (signed items sign-extended, others
 * zero-extended): its sign bit flipped so that hash & mask is the item's own low bits, and never
 * one of the two markers. */
static inline uint64_t ember_set_int_hash(int64_t widened) {
  uint64_t h = (uint64_t)widened ^ 0x8000000000000000ull;
  return h < 2 ? 2 : h;
}

/* ---- dicts and sets (a set is a dict whose value typeinfo is NULL) ----------------------- */
ember_meminfo *ember_dict_new(const ember_typeinfo *key, const ember_typeinfo *value);
int64_t ember_dict_len(ember_meminfo *d);
/* The stored value of key (a set: the stored key), or NULL. */
void *ember_dict_lookup(ember_meminfo *d, const void *key);
/* Inserts or replaces; 0 on success, -1 when out of memory. */
int32_t ember_dict_setitem(ember_meminfo *d, const void *key, const void *value);
/* Removes key; with value_out, its value moves there.  1 when it was present, else 0. */
int32_t ember_dict_delitem(ember_meminfo *d, const void *key, void *value_out);
/* The last inserted entry (a set: any item) moved into key_out / value_out; 0 when empty. */
int32_t ember_dict_popitem(ember_meminfo *d, void *key_out, void *value_out);
void ember_dict_clear(ember_meminfo *d);
ember_meminfo *ember_dict_copy(ember_meminfo *d);
/* Iteration: *pos starts at 0; 1 with the entry's key and value pointers, 0 at the end. */
int32_t ember_dict_next(ember_meminfo *d, int64_t *pos, void **key, void **value);
/* d.update(other) / s |= other. */
int32_t ember_dict_update(ember_meminfo *d, ember_meminfo *other);
/* a == b: the same keys, each with an equal value (order does not matter, as in Python). */
int32_t ember_dict_eq(ember_meminfo *a, ember_meminfo *b);
const ember_typeinfo *ember_dict_key_type(ember_meminfo *d);
const ember_typeinfo *ember_dict_value_type(ember_meminfo *d);

enum { EMBER_SET_UNION = 0, EMBER_SET_INTERSECTION, EMBER_SET_DIFFERENCE, EMBER_SET_SYMDIFF };
/* a op b as a new set, or a op= b in place (returns a, no new reference). */
ember_meminfo *ember_set_op(ember_meminfo *a, ember_meminfo *b, int32_t op, int32_t in_place);
enum {
  EMBER_SET_SUBSET = 0,
  EMBER_SET_SUPERSET,
  EMBER_SET_DISJOINT,
  EMBER_SET_EQUAL,
  EMBER_SET_PROPER_SUBSET,  /* a < b */
  EMBER_SET_PROPER_SUPERSET /* a > b */
};
int32_t ember_set_compare(ember_meminfo *a, ember_meminfo *b, int32_t op);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_CONTAINERS_H */
