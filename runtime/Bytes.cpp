// Byte strings for compiled code (ember/numeric.h): comparisons of bytes, and the reads and
// stores of the fixed-size char fields of records.
#include <cstring>

#include "ember/numeric.h"

extern "C" int32_t ember_bytes_compare(const uint8_t *a, int64_t a_stride, int64_t a_len,
                                       const uint8_t *b, int64_t b_stride, int64_t b_len) {
  int64_t n = a_len < b_len ? a_len : b_len;
  if (a_stride == 1 && b_stride == 1) {
    int c = n > 0 ? std::memcmp(a, b, static_cast<size_t>(n)) : 0;
    if (c) return c < 0 ? -1 : 1;
  } else {
    for (int64_t i = 0; i < n; ++i) {
      uint8_t x = a[i * a_stride], y = b[i * b_stride];
      if (x != y) return x < y ? -1 : 1;
    }
  }
  return a_len == b_len ? 0 : a_len < b_len ? -1 : 1;
}

extern "C" int64_t ember_chars_length(const void *field, int64_t n, int32_t unit) {
  auto *p = static_cast<const uint8_t *>(field);
  while (n > 0) {
    const uint8_t *u = p + (n - 1) * unit;
    bool nul = true;
    for (int32_t k = 0; k < unit; ++k) nul = nul && u[k] == 0;
    if (!nul) break;
    --n;
  }
  return n;
}

extern "C" void ember_chars_store(void *field, int64_t n, int32_t unit, const void *src,
                                  int64_t stride, int64_t len, int32_t src_kind) {
  auto *dst = static_cast<uint8_t *>(field);
  auto *s = static_cast<const uint8_t *>(src);
  int64_t m = len < n ? len : n;
  for (int64_t i = 0; i < m; ++i) {
    const uint8_t *u = s + i * stride;
    if (unit == 1) {
      dst[i] = *u;
      continue;
    }
    uint32_t cp = *u;  // code units in native byte order, as ember/str.h stores them
    if (src_kind == 2) {
      uint16_t h;
      std::memcpy(&h, u, 2);
      cp = h;
    } else if (src_kind == 4) {
      std::memcpy(&cp, u, 4);
    }
    std::memcpy(dst + i * 4, &cp, 4);  // the field may be unaligned in a packed dtype
  }
  std::memset(dst + m * unit, 0, static_cast<size_t>((n - m) * unit));
}
