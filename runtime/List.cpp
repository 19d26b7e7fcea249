// The native list (ember/containers.h): a MemInfo whose data is an ember_list header over a
// separately allocated, growable buffer of fixed-size items.  The buffer grows by 1.5x plus a
// little, as CPython's list does, so appends are amortized O(1).  Also heapq's algorithms,
// written as CPython's _heapqmodule.c does them so that ties come out in the same order.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <vector>

#include "ember/containers.h"
#include "ember/runtime.h"

namespace {

void list_dtor(void *data, int64_t, void *) {
  auto *h = static_cast<ember_list *>(data);
  if (ember_typeinfo_has_refs(h->item))  // a list of numbers frees without a pass over them
    for (int64_t i = 0; i < h->size; ++i) ember_value_decref(h->item, h->items + i * h->itemsize);
  std::free(h->items);
}

char *at(ember_list *h, int64_t i) { return h->items + i * h->itemsize; }

bool reserve(ember_list *h, int64_t need) {
  if (need <= h->capacity) return true;
  int64_t cap = std::max(need, h->capacity + (h->capacity >> 1) + 4);
  size_t bytes = static_cast<size_t>(std::max<int64_t>(cap * h->itemsize, 1));
  void *p = std::realloc(h->items, bytes);
  if (!p) return false;
  h->items = static_cast<char *>(p);
  h->capacity = cap;
  return true;
}

bool less(const ember_typeinfo *t, const void *a, const void *b) {
  return ember_value_cmp(t, a, b) < 0;
}

// CPython's siftdown/siftup (Modules/_heapqmodule.c), on raw items with a scratch item.
void sift_down(ember_list *h, int64_t start, int64_t pos, char *tmp) {
  int64_t sz = h->itemsize;
  std::memcpy(tmp, at(h, pos), static_cast<size_t>(sz));
  while (pos > start) {
    int64_t parent = (pos - 1) >> 1;
    if (!less(h->item, tmp, at(h, parent))) break;
    std::memcpy(at(h, pos), at(h, parent), static_cast<size_t>(sz));
    pos = parent;
  }
  std::memcpy(at(h, pos), tmp, static_cast<size_t>(sz));
}

void sift_up(ember_list *h, int64_t pos, char *tmp) {
  int64_t end = h->size, start = pos, sz = h->itemsize;
  std::memcpy(tmp, at(h, pos), static_cast<size_t>(sz));
  int64_t child = 2 * pos + 1;
  while (child < end) {
    int64_t right = child + 1;
    if (right < end && !less(h->item, at(h, child), at(h, right))) child = right;
    std::memcpy(at(h, pos), at(h, child), static_cast<size_t>(sz));
    pos = child;
    child = 2 * pos + 1;
  }
  std::memcpy(at(h, pos), tmp, static_cast<size_t>(sz));
  sift_down(h, start, pos, tmp);
}

// A stable permutation of l's items by a comparison of indices, applied in place.
template <typename Less>
void sort_indices(ember_list *h, Less &&lt, bool reverse) {
  std::vector<int64_t> order(static_cast<size_t>(h->size));
  std::iota(order.begin(), order.end(), 0);
  if (reverse)  // Python's reverse sort keeps equal items in their original order
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return lt(b, a); });
  else
    std::stable_sort(order.begin(), order.end(), lt);
  std::vector<char> out(static_cast<size_t>(h->size * h->itemsize));
  for (int64_t i = 0; i < h->size; ++i)
    std::memcpy(out.data() + i * h->itemsize, at(h, order[static_cast<size_t>(i)]),
                static_cast<size_t>(h->itemsize));
  if (!out.empty()) std::memcpy(h->items, out.data(), out.size());
}

}  // namespace

extern "C" {

ember_meminfo *ember_list_new(const ember_typeinfo *item, int64_t capacity) {
  ember_meminfo *mi = ember_meminfo_alloc(sizeof(ember_list));
  if (!mi) return nullptr;
  auto *h = static_cast<ember_list *>(mi->data);
  h->size = 0;
  h->capacity = 0;
  h->itemsize = ember_typeinfo_size(item);
  h->items = nullptr;
  h->item = item;
  mi->dtor = list_dtor;
  if (capacity > 0) reserve(h, capacity);
  return mi;
}

ember_list *ember_list_header(ember_meminfo *l) { return static_cast<ember_list *>(l->data); }

int64_t ember_list_len(ember_meminfo *l) { return ember_list_header(l)->size; }

int32_t ember_list_reserve(ember_meminfo *l, int64_t need) {
  return reserve(ember_list_header(l), need) ? 0 : -1;
}

int32_t ember_list_append(ember_meminfo *l, const void *item) {
  ember_list *h = ember_list_header(l);
  if (!reserve(h, h->size + 1)) return -1;
  char *dst = at(h, h->size);
  std::memcpy(dst, item, static_cast<size_t>(h->itemsize));
  ember_value_incref(h->item, dst);
  ++h->size;
  return 0;
}

int32_t ember_list_insert(ember_meminfo *l, int64_t index, const void *item) {
  ember_list *h = ember_list_header(l);
  if (index < 0) index = std::max<int64_t>(0, index + h->size);
  index = std::min(index, h->size);
  if (!reserve(h, h->size + 1)) return -1;
  std::memmove(at(h, index + 1), at(h, index),
               static_cast<size_t>((h->size - index) * h->itemsize));
  std::memcpy(at(h, index), item, static_cast<size_t>(h->itemsize));
  ember_value_incref(h->item, at(h, index));
  ++h->size;
  return 0;
}

int32_t ember_list_extend(ember_meminfo *l, ember_meminfo *other) {
  ember_list *h = ember_list_header(l);
  ember_list *o = ember_list_header(other);
  int64_t n = o->size;  // l.extend(l) adds the items once
  if (!reserve(h, h->size + n)) return -1;
  o = ember_list_header(other);
  std::memcpy(at(h, h->size), o->items, static_cast<size_t>(n * h->itemsize));
  for (int64_t i = 0; i < n; ++i) ember_value_incref(h->item, at(h, h->size + i));
  h->size += n;
  return 0;
}

void ember_list_pop(ember_meminfo *l, int64_t index, void *out) {
  ember_list *h = ember_list_header(l);
  std::memcpy(out, at(h, index), static_cast<size_t>(h->itemsize));
  std::memmove(at(h, index), at(h, index + 1),
               static_cast<size_t>((h->size - index - 1) * h->itemsize));
  --h->size;
}

void ember_list_setitem(ember_meminfo *l, int64_t index, const void *item) {
  ember_list *h = ember_list_header(l);
  // The old item is released after the new one is held (they may be the same container);
  // the stored copy takes the reference (incref may adopt a borrowed array into it).
  alignas(16) char small[256];
  std::vector<char> big;
  char *old = small;
  if (h->itemsize > static_cast<int64_t>(sizeof small)) {
    big.resize(static_cast<size_t>(h->itemsize));
    old = big.data();
  }
  std::memcpy(old, at(h, index), static_cast<size_t>(h->itemsize));
  std::memcpy(at(h, index), item, static_cast<size_t>(h->itemsize));
  ember_value_incref(h->item, at(h, index));
  ember_value_decref(h->item, old);
}

void ember_list_clear(ember_meminfo *l) {
  ember_list *h = ember_list_header(l);
  int64_t n = h->size;
  h->size = 0;
  for (int64_t i = 0; i < n; ++i) ember_value_decref(h->item, at(h, i));
}

void ember_list_reverse(ember_meminfo *l) {
  ember_list *h = ember_list_header(l);
  std::vector<char> tmp(static_cast<size_t>(h->itemsize));
  for (int64_t i = 0, j = h->size - 1; i < j; ++i, --j) {
    std::memcpy(tmp.data(), at(h, i), tmp.size());
    std::memcpy(at(h, i), at(h, j), tmp.size());
    std::memcpy(at(h, j), tmp.data(), tmp.size());
  }
}

int64_t ember_list_index(ember_meminfo *l, const void *item, int64_t start, int64_t stop) {
  ember_list *h = ember_list_header(l);
  if (start < 0) start = std::max<int64_t>(0, start + h->size);
  if (stop < 0) stop = std::max<int64_t>(0, stop + h->size);
  stop = std::min(stop, h->size);
  for (int64_t i = start; i < stop; ++i)
    if (ember_value_eq(h->item, at(h, i), item)) return i;
  return -1;
}

int64_t ember_list_count(ember_meminfo *l, const void *item) {
  ember_list *h = ember_list_header(l);
  int64_t n = 0;
  for (int64_t i = 0; i < h->size; ++i) n += ember_value_eq(h->item, at(h, i), item) ? 1 : 0;
  return n;
}

int32_t ember_list_eq(ember_meminfo *a, ember_meminfo *b) {
  ember_list *x = ember_list_header(a), *y = ember_list_header(b);
  if (x->size != y->size) return 0;
  for (int64_t i = 0; i < x->size; ++i)
    if (!ember_value_eq(x->item, at(x, i), at(y, i))) return 0;
  return 1;
}

int32_t ember_list_cmp(ember_meminfo *a, ember_meminfo *b) {
  ember_list *x = ember_list_header(a), *y = ember_list_header(b);
  int64_t n = std::min(x->size, y->size);
  for (int64_t i = 0; i < n; ++i)
    if (!ember_value_eq(x->item, at(x, i), at(y, i)))
      return ember_value_cmp(x->item, at(x, i), at(y, i));
  return x->size < y->size ? -1 : x->size > y->size ? 1 : 0;
}

ember_meminfo *ember_list_slice(ember_meminfo *l, int64_t start, int64_t step, int64_t count) {
  ember_list *h = ember_list_header(l);
  ember_meminfo *r = ember_list_new(h->item, count);
  if (!r) return nullptr;
  for (int64_t i = 0; i < count; ++i)
    if (ember_list_append(r, at(h, start + i * step)) < 0) {
      ember_meminfo_decref(r);
      return nullptr;
    }
  return r;
}

void ember_list_delslice(ember_meminfo *l, int64_t start, int64_t step, int64_t count) {
  ember_list *h = ember_list_header(l);
  if (count <= 0) return;
  if (step < 0) {  // the same items, visited upwards
    start = start + (count - 1) * step;
    step = -step;
  }
  std::vector<char> dead(static_cast<size_t>(count * h->itemsize));
  int64_t w = start, k = 0;
  for (int64_t r = start; r < h->size; ++r) {
    if (k < count && r == start + k * step) {
      std::memcpy(dead.data() + k * h->itemsize, at(h, r), static_cast<size_t>(h->itemsize));
      ++k;
      continue;
    }
    std::memmove(at(h, w++), at(h, r), static_cast<size_t>(h->itemsize));
  }
  h->size = w;
  for (int64_t i = 0; i < count; ++i) ember_value_decref(h->item, dead.data() + i * h->itemsize);
}

int32_t ember_list_setslice(ember_meminfo *l, int64_t start, int64_t step, int64_t count,
                            ember_meminfo *src) {
  ember_list *h = ember_list_header(l);
  ember_list *o = ember_list_header(src);
  int64_t n = o->size, sz = h->itemsize;
  if (step != 1 && n != count) return -2;
  if (count < 0) count = 0;
  // The new items are held before the old ones are released: src may be l itself, or hold
  // the only reference to an item being replaced.
  std::vector<char> fresh(static_cast<size_t>(n * sz));
  if (n) std::memcpy(fresh.data(), o->items, fresh.size());
  for (int64_t i = 0; i < n; ++i) ember_value_incref(h->item, fresh.data() + i * sz);
  std::vector<char> dead(static_cast<size_t>(count * sz));
  if (step == 1) {
    if (n > count && !reserve(h, h->size + n - count)) {
      for (int64_t i = 0; i < n; ++i) ember_value_decref(h->item, fresh.data() + i * sz);
      return -1;
    }
    if (count) std::memcpy(dead.data(), at(h, start), dead.size());
    std::memmove(at(h, start + n), at(h, start + count),
                 static_cast<size_t>((h->size - start - count) * sz));
    if (n) std::memcpy(at(h, start), fresh.data(), fresh.size());
    h->size += n - count;
  } else {
    for (int64_t k = 0; k < count; ++k) {
      std::memcpy(dead.data() + k * sz, at(h, start + k * step), static_cast<size_t>(sz));
      std::memcpy(at(h, start + k * step), fresh.data() + k * sz, static_cast<size_t>(sz));
    }
  }
  for (int64_t i = 0; i < count; ++i) ember_value_decref(h->item, dead.data() + i * sz);
  return 0;
}

ember_meminfo *ember_list_repeat(ember_meminfo *l, int64_t n) {
  ember_list *h = ember_list_header(l);
  int64_t total = n > 0 ? h->size * n : 0;
  ember_meminfo *r = ember_list_new(h->item, total);
  if (!r) return nullptr;
  for (int64_t k = 0; k < n; ++k)
    for (int64_t i = 0; i < h->size; ++i)
      if (ember_list_append(r, at(h, i)) < 0) {
        ember_meminfo_decref(r);
        return nullptr;
      }
  return r;
}

void ember_list_sort(ember_meminfo *l, int32_t reverse) {
  ember_list *h = ember_list_header(l);
  sort_indices(
      h, [&](int64_t a, int64_t b) { return less(h->item, at(h, a), at(h, b)); }, reverse != 0);
}

void ember_list_sort_by(ember_meminfo *l, ember_meminfo *keys, int32_t reverse) {
  ember_list *h = ember_list_header(l), *k = ember_list_header(keys);
  sort_indices(
      h, [&](int64_t a, int64_t b) { return less(k->item, at(k, a), at(k, b)); }, reverse != 0);
}

int32_t ember_heap_push(ember_meminfo *l, const void *item) {
  if (ember_list_append(l, item) < 0) return -1;
  ember_list *h = ember_list_header(l);
  std::vector<char> tmp(static_cast<size_t>(h->itemsize));
  sift_down(h, 0, h->size - 1, tmp.data());
  return 0;
}

void ember_heap_pop(ember_meminfo *l, void *out) {
  ember_list *h = ember_list_header(l);
  std::vector<char> last(static_cast<size_t>(h->itemsize));
  ember_list_pop(l, h->size - 1, last.data());
  if (h->size == 0) {
    std::memcpy(out, last.data(), last.size());
    return;
  }
  std::memcpy(out, at(h, 0), last.size());
  std::memcpy(at(h, 0), last.data(), last.size());
  sift_up(h, 0, last.data());
}

void ember_heapify(ember_meminfo *l) {
  ember_list *h = ember_list_header(l);
  std::vector<char> tmp(static_cast<size_t>(h->itemsize));
  for (int64_t i = h->size / 2 - 1; i >= 0; --i) sift_up(h, i, tmp.data());
}

}  // extern "C"
