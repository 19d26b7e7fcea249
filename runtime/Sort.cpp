// Sorting kernels behind np.sort / ndarray.sort / np.argsort (ember/numeric.h).
//
// Every element type is sorted through an order-preserving map onto the unsigned integer of the
// same width (signed: flip the sign bit; floats: flip all bits of negatives, the sign bit of the
// rest), so one radix sort serves all types and needs no comparator.  In that order positive NaNs
// land after +inf and negative NaNs before -inf: sort rotates the negative ones to the end, which
// keeps NaN payloads intact; argsort maps every NaN to the largest key so that NaN indices come
// last in index order.  -0.0 and 0.0 get adjacent keys, which is a valid order for "equal".
//
// Small arrays go through std::sort on the keys (the radix histograms would cost more than the
// sort); one-byte types always use a counting sort.  The C ABI cannot raise MemoryError, so when
// a temporary cannot be allocated the sorts fall back to in-place ones instead of failing.
#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "ember/numeric.h"

namespace {

// Below this many elements std::sort beats the radix passes, whose histograms cost a fixed
// 2^11 x passes (measured on x86-64 for f64 and i32).
constexpr int64_t kRadixMin = 1024;

template <class T>
struct key_of {
  using type = std::make_unsigned_t<T>;
};
template <>
struct key_of<float> {
  using type = uint32_t;
};
template <>
struct key_of<double> {
  using type = uint64_t;
};

template <class T>
using key_type = typename key_of<T>::type;

template <class U>
constexpr U top_bit() {
  return U(U(1) << (sizeof(U) * 8 - 1));
}

// Element access goes through memcpy: the buffer may be reused for keys of another type, and
// strided views need not be aligned to the element size.
template <class T>
T load(const char *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <class T>
void store(char *p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

template <class T>
key_type<T> to_key(T v) {
  using U = key_type<T>;
  U u;
  std::memcpy(&u, &v, sizeof(U));
  if constexpr (std::is_floating_point_v<T>) {
    return (u & top_bit<U>()) ? U(~u) : U(u | top_bit<U>());
  } else if constexpr (std::is_signed_v<T>) {
    return U(u ^ top_bit<U>());
  } else {
    return u;
  }
}

template <class T>
T from_key(key_type<T> u) {
  using U = key_type<T>;
  if constexpr (std::is_floating_point_v<T>) {
    u = (u & top_bit<U>()) ? U(u ^ top_bit<U>()) : U(~u);
  } else if constexpr (std::is_signed_v<T>) {
    u = U(u ^ top_bit<U>());
  }
  T v;
  std::memcpy(&v, &u, sizeof(T));
  return v;
}

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  return false;
}

template <class T>
std::unique_ptr<T[]> try_alloc(int64_t n) {
  return std::unique_ptr<T[]>(new (std::nothrow) T[size_t(n)]);
}

// In-place heapsort through callbacks: the fallback when no temporary memory can be had.
template <class Less, class Swap>
void heap_sort(int64_t n, Less less, Swap swap) {
  auto sift = [&](int64_t root, int64_t end) {
    for (int64_t child; (child = 2 * root + 1) < end; root = child) {
      if (child + 1 < end && less(child, child + 1)) ++child;
      if (!less(root, child)) return;
      swap(root, child);
    }
  };
  for (int64_t i = n / 2; i-- > 0;) sift(i, n);
  for (int64_t end = n - 1; end > 0; --end) {
    swap(0, end);
    sift(0, end);
  }
}

// The key of a value with every NaN mapped to the largest key (argsort and the fallbacks), and
// -0.0 mapped to 0.0: argsort is stable, so equal values must keep their index order.
template <class T>
key_type<T> nan_last_key(T v) {
  if (is_nan(v)) return std::numeric_limits<key_type<T>>::max();
  if constexpr (std::is_floating_point_v<T>) {
    if (v == T(0)) return to_key<T>(T(0));
  }
  return to_key<T>(v);
}

// LSD radix sort of keys (and, when idx is given, of the indices alongside them, stably).
// a/ia hold the input; b/ib are scratch of the same size.  Returns where the result ended up
// (b/ib after an odd number of passes), or null when the histograms could not be allocated.
template <class U, bool kWithIndex>
U *radix_sort(U *a, U *b, int64_t n, int64_t *ia, int64_t *ib, int64_t **idx_result) {
  // 11-bit digits for 4- and 8-byte keys (3 and 6 passes instead of 4 and 8) while a histogram
  // still fits in L1.  With indices every pass scatters to twice as many places, and 8-bit digits
  // measured faster (2x at 10^6 f64): 2 x 2048 write streams thrash the cache and the TLB.
  constexpr int kBits = sizeof(U) >= 4 && !kWithIndex ? 11 : 8;
  constexpr int kPasses = (int(sizeof(U)) * 8 + kBits - 1) / kBits;
  constexpr int kBuckets = 1 << kBits;
  constexpr U kMask = U(kBuckets - 1);
  auto counts = try_alloc<int64_t>(kPasses * kBuckets);
  if (!counts) return nullptr;
  std::fill_n(counts.get(), kPasses * kBuckets, 0);
  for (int64_t i = 0; i < n; ++i) {
    U k = a[i];
    for (int p = 0; p < kPasses; ++p) ++counts[size_t(p) * kBuckets + ((k >> (p * kBits)) & kMask)];
  }
  for (int p = 0; p < kPasses; ++p) {
    int64_t *c = &counts[size_t(p) * kBuckets];
    int shift = p * kBits;
    // A digit shared by every key (common in the high digits of small numbers) needs no pass.
    if (c[(a[0] >> shift) & kMask] == n) continue;
    int64_t sum = 0;
    for (int d = 0; d < kBuckets; ++d) {
      int64_t t = c[d];
      c[d] = sum;
      sum += t;
    }
    if constexpr (kWithIndex) {
      for (int64_t i = 0; i < n; ++i) {
        int64_t dst = c[(a[i] >> shift) & kMask]++;
        b[dst] = a[i];
        ib[dst] = ia[i];
      }
      std::swap(ia, ib);
    } else {
      for (int64_t i = 0; i < n; ++i) b[c[(a[i] >> shift) & kMask]++] = a[i];
    }
    std::swap(a, b);
  }
  if (idx_result) *idx_result = ia;
  return a;
}

// Sorts n keys; returns where the sorted keys are (keys or scratch, allocated on demand).
template <class U>
U *sort_keys(U *keys, int64_t n, std::unique_ptr<U[]> &scratch) {
  if constexpr (sizeof(U) == 1) {
    int64_t counts[256] = {};
    for (int64_t i = 0; i < n; ++i) ++counts[keys[i]];
    int64_t w = 0;
    for (int d = 0; d < 256; ++d)
      for (int64_t c = counts[d]; c > 0; --c) keys[w++] = U(d);
    return keys;
  }
  // Sorted input (common: sorting twice, or data built in order) costs radix all its passes.
  if (n < kRadixMin || std::is_sorted(keys, keys + n)) {
    std::sort(keys, keys + n);
    return keys;
  }
  scratch = try_alloc<U>(n);
  U *sorted =
      scratch ? radix_sort<U, false>(keys, scratch.get(), n, nullptr, nullptr, nullptr) : nullptr;
  if (sorted) return sorted;
  std::sort(keys, keys + n);
  return keys;
}

template <class T>
void sort_impl(void *data, int64_t n, int64_t stride) {
  using U = key_type<T>;
  if (n < 2) return;
  char *base = static_cast<char *>(data);
  // Contiguous data becomes its own key buffer; strided (or misaligned: the key loops assume
  // aligned keys) data is gathered into a temporary.
  bool contiguous =
      stride == int64_t(sizeof(T)) && reinterpret_cast<uintptr_t>(data) % alignof(U) == 0;
  std::unique_ptr<U[]> gathered;
  U *keys;
  if (contiguous) {
    keys = reinterpret_cast<U *>(data);
    for (int64_t i = 0; i < n; ++i) {
      char *p = base + i * int64_t(sizeof(T));
      store<U>(p, to_key<T>(load<T>(p)));
    }
  } else {
    gathered = try_alloc<U>(n);
    if (!gathered) {
      auto at = [&](int64_t i) { return base + i * stride; };
      heap_sort(
          n,
          [&](int64_t i, int64_t j) {
            return nan_last_key<T>(load<T>(at(i))) < nan_last_key<T>(load<T>(at(j)));
          },
          [&](int64_t i, int64_t j) {
            T t = load<T>(at(i));
            store<T>(at(i), load<T>(at(j)));
            store<T>(at(j), t);
          });
      return;
    }
    keys = gathered.get();
    for (int64_t i = 0; i < n; ++i) keys[i] = to_key<T>(load<T>(base + i * stride));
  }
  std::unique_ptr<U[]> scratch;
  U *sorted = sort_keys<U>(keys, n, scratch);
  if constexpr (std::is_floating_point_v<T>) {
    // Negative NaNs sorted to the front: they belong after everything else.
    int64_t front_nans = 0;
    while (front_nans < n && is_nan(from_key<T>(sorted[front_nans]))) ++front_nans;
    if (front_nans > 0) std::rotate(sorted, sorted + front_nans, sorted + n);
  }
  for (int64_t i = 0; i < n; ++i) store<T>(base + i * stride, from_key<T>(sorted[i]));
}

template <class T>
void argsort_impl(const void *data, int64_t n, int64_t stride, int64_t *out) {
  using U = key_type<T>;
  if (n <= 0) return;
  const char *base = static_cast<const char *>(data);
  auto key = [&](int64_t i) { return nan_last_key<T>(load<T>(base + i * stride)); };
  for (int64_t i = 0; i < n; ++i) out[i] = i;
  if (n >= kRadixMin) {
    auto keys = try_alloc<U>(2 * n);
    auto scratch_idx = try_alloc<int64_t>(n);
    if (keys && scratch_idx) {
      for (int64_t i = 0; i < n; ++i) keys[i] = key(i);
      if (std::is_sorted(keys.get(), keys.get() + n)) return;  // out is already 0, 1, ...
      int64_t *result = nullptr;
      if (radix_sort<U, true>(keys.get(), keys.get() + n, n, out, scratch_idx.get(), &result)) {
        if (result != out) std::memcpy(out, result, size_t(n) * sizeof(int64_t));
        return;
      }
    }
  }
  // Pairs keep the key next to its index, so the comparisons do not chase pointers.
  auto pairs = try_alloc<std::pair<U, int64_t>>(n);
  if (pairs) {
    for (int64_t i = 0; i < n; ++i) pairs[i] = {key(i), i};
    std::sort(pairs.get(), pairs.get() + n);
    for (int64_t i = 0; i < n; ++i) out[i] = pairs[i].second;
    return;
  }
  heap_sort(
      n,
      [&](int64_t i, int64_t j) {
        U ki = key(out[i]), kj = key(out[j]);
        return ki < kj || (ki == kj && out[i] < out[j]);
      },
      [&](int64_t i, int64_t j) { std::swap(out[i], out[j]); });
}

}  // namespace

extern "C" {

#define EMBER_SORT_DEFINE(T, ctype)                                                   \
  void ember_sort_##T(void *data, int64_t n, int64_t stride) {                        \
    sort_impl<ctype>(data, n, stride);                                                \
  }                                                                                   \
  void ember_argsort_##T(const void *data, int64_t n, int64_t stride, int64_t *out) { \
    argsort_impl<ctype>(data, n, stride, out);                                        \
  }
EMBER_SORT_DEFINE(b, uint8_t)
EMBER_SORT_DEFINE(i8, int8_t)
EMBER_SORT_DEFINE(i16, int16_t)
EMBER_SORT_DEFINE(i32, int32_t)
EMBER_SORT_DEFINE(i64, int64_t)
EMBER_SORT_DEFINE(u8, uint8_t)
EMBER_SORT_DEFINE(u16, uint16_t)
EMBER_SORT_DEFINE(u32, uint32_t)
EMBER_SORT_DEFINE(u64, uint64_t)
EMBER_SORT_DEFINE(f32, float)
EMBER_SORT_DEFINE(f64, double)
#undef EMBER_SORT_DEFINE

}  // extern "C"
