// Unicode strings for compiled code (ember/str.h): allocation in the canonical PEP 393 kind,
// the operators, searching and the transformations of str's methods.  Number conversions and
// format specs are in StrFormat.cpp.
#include <algorithm>
#include <cstring>
#include <vector>

#include "ember/runtime.h"
#include "ember/str.h"

namespace ember_str_internal {
int lower_at(const ember_str *s, int64_t i, uint32_t *out);  // StrCase.cpp: final sigma
}  // namespace ember_str_internal

namespace {

// ASCII rules until the bindings install CPython's Unicode database.
uint32_t ascii_upper(uint32_t c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }
uint32_t ascii_lower(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
int ascii_upper_full(uint32_t c, uint32_t *out) {
  out[0] = ascii_upper(c);
  return 1;
}
int ascii_lower_full(uint32_t c, uint32_t *out) {
  out[0] = ascii_lower(c);
  return 1;
}
int ascii_alpha(uint32_t c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
int ascii_digit(uint32_t c) { return c >= '0' && c <= '9'; }
int ascii_space(uint32_t c) { return c == ' ' || (c >= 9 && c <= 13) || (c >= 28 && c <= 31); }
int ascii_decimal_value(uint32_t c) { return ascii_digit(c) ? static_cast<int>(c - '0') : -1; }

int ascii_upper_char(uint32_t c) { return c >= 'A' && c <= 'Z'; }
int ascii_lower_char(uint32_t c) { return c >= 'a' && c <= 'z'; }
int ascii_cased(uint32_t c) { return ascii_alpha(c); }
int ascii_case_ignorable(uint32_t c) { return c == '\'' || c == '.' || c == ':' || c == '^'; }
int ascii_printable(uint32_t c) { return c >= 32 && c < 127; }
int ascii_xid_start(uint32_t c) { return ascii_alpha(c); }
int ascii_xid_continue(uint32_t c) { return ascii_alpha(c) || ascii_digit(c) || c == '_'; }
int none(uint32_t) { return 0; }

ember_unicode_hooks g_hooks = {ascii_upper_full,    ascii_lower_full,     ascii_alpha,
                               ascii_digit,         ascii_space,          ascii_digit,
                               ascii_decimal_value, ascii_upper_full,     ascii_lower_full,
                               ascii_upper_char,    ascii_lower_char,     none,
                               ascii_cased,         ascii_case_ignorable, ascii_digit,
                               ascii_printable,     ascii_xid_start,      ascii_xid_continue};

inline uint32_t unit(const ember_str *s, int64_t i) {
  switch (s->kind) {
    case 1: return static_cast<const uint8_t *>(s->chars)[i];
    case 2: return static_cast<const uint16_t *>(s->chars)[i];
    default: return static_cast<const uint32_t *>(s->chars)[i];
  }
}

inline void put(void *chars, int32_t kind, int64_t i, uint32_t c) {
  switch (kind) {
    case 1: static_cast<uint8_t *>(chars)[i] = static_cast<uint8_t>(c); break;
    case 2: static_cast<uint16_t *>(chars)[i] = static_cast<uint16_t>(c); break;
    default: static_cast<uint32_t *>(chars)[i] = c; break;
  }
}

int32_t kind_for(uint32_t max_cp) { return max_cp < 256 ? 1 : max_cp < 65536 ? 2 : 4; }

ember_str *hdr(ember_meminfo *m) { return ember_str_of(m); }

// Copies n code points of src (from index `from`) into dst at index `at`, widening as needed.
void copy_units(ember_str *dst, int64_t at, const ember_str *src, int64_t from, int64_t n) {
  if (n <= 0) return;
  if (dst->kind == src->kind) {
    std::memcpy(static_cast<char *>(dst->chars) + at * dst->kind,
                static_cast<const char *>(src->chars) + from * src->kind,
                static_cast<size_t>(n * src->kind));
    return;
  }
  for (int64_t i = 0; i < n; ++i) put(dst->chars, dst->kind, at + i, unit(src, from + i));
}

// A string built from code points (any width): the canonical kind is found here.
ember_meminfo *from_code_points(const std::vector<uint32_t> &cps) {
  return ember_str_from_units(cps.data(), static_cast<int64_t>(cps.size()), 4);
}

// Single code points below 256 are shared immortal strings: indexing a Latin-1 string in a loop
// allocates nothing.
struct SmallString {
  ember_meminfo mi;
  ember_str s;
  uint8_t c[8];
};
SmallString *latin1_table() {
  static SmallString *table = [] {
    static SmallString t[256];
    for (int i = 0; i < 256; ++i) {
      t[i].c[0] = static_cast<uint8_t>(i);
      t[i].s = ember_str{1, -1, t[i].c, 1, i < 128, nullptr};
      t[i].mi.refcount = EMBER_STR_IMMORTAL;
      t[i].mi.data = &t[i].s;
      t[i].mi.size = sizeof(ember_str);
    }
    return t;
  }();
  return table;
}

// Naive search, specialised for equal kinds with a first-unit scan and memcmp.
int64_t find_at(const ember_str *h, const ember_str *n, int64_t start, int64_t end, bool rev) {
  int64_t m = n->length;
  if (end - start < m) return -1;
  if (m == 0) return rev ? end : start;
  if (n->kind > h->kind) return -1;  // n holds a code point h's kind cannot
  uint32_t first = unit(n, 0);
  bool same = n->kind == h->kind;
  auto match = [&](int64_t i) {
    if (unit(h, i) != first) return false;
    if (same)
      return std::memcmp(static_cast<const char *>(h->chars) + i * h->kind, n->chars,
                         static_cast<size_t>(m * h->kind)) == 0;
    for (int64_t k = 1; k < m; ++k)
      if (unit(h, i + k) != unit(n, k)) return false;
    return true;
  };
  if (rev) {
    for (int64_t i = end - m; i >= start; --i)
      if (match(i)) return i;
  } else {
    for (int64_t i = start; i <= end - m; ++i)
      if (match(i)) return i;
  }
  return -1;
}

}  // namespace

extern "C" {

void ember_str_set_unicode_hooks(const ember_unicode_hooks *hooks) { g_hooks = *hooks; }

ember_meminfo *ember_str_alloc(int64_t length, int32_t kind) {
  if (length < 0) length = 0;
  int64_t bytes = static_cast<int64_t>(sizeof(ember_str)) + (length + 1) * kind;
  // Header, ember_str and code points in one block; short strings from the free lists.
  ember_meminfo *m = ember_meminfo_alloc_packed(bytes);
  if (!m) return nullptr;
  ember_str *s = hdr(m);
  s->length = length;
  s->hash = -1;
  s->chars = s + 1;
  s->kind = kind;
  s->ascii = 0;
  s->parent = nullptr;
  put(s->chars, kind, length, 0);  // NUL-terminated, for the C library's parsers
  return m;
}

ember_meminfo *ember_str_from_units(const void *units, int64_t length, int32_t kind) {
  uint32_t max_cp = 0;
  ember_str src{length, -1, const_cast<void *>(units), kind, 0, nullptr};
  for (int64_t i = 0; i < length; ++i) max_cp = std::max(max_cp, unit(&src, i));
  ember_meminfo *m = ember_str_alloc(length, kind_for(max_cp));
  if (!m) return nullptr;
  copy_units(hdr(m), 0, &src, 0, length);
  hdr(m)->ascii = max_cp < 128;
  return m;
}

ember_meminfo *ember_str_from_utf8(const char *text, int64_t nbytes) {
  std::vector<uint32_t> cps;
  const auto *p = reinterpret_cast<const uint8_t *>(text);
  for (int64_t i = 0; i < nbytes;) {
    uint32_t c = p[i];
    int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (extra) c &= 0x3Fu >> extra;
    for (int k = 1; k <= extra && i + k < nbytes; ++k) c = (c << 6) | (p[i + k] & 0x3F);
    cps.push_back(c);
    i += 1 + extra;
  }
  return from_code_points(cps);
}

ember_meminfo *ember_str_concat(ember_meminfo *a, ember_meminfo *b) {
  ember_str *x = hdr(a), *y = hdr(b);
  ember_meminfo *m = ember_str_alloc(x->length + y->length, std::max(x->kind, y->kind));
  if (!m) return nullptr;
  copy_units(hdr(m), 0, x, 0, x->length);
  copy_units(hdr(m), x->length, y, 0, y->length);
  hdr(m)->ascii = x->ascii && y->ascii;
  return m;
}

ember_meminfo *ember_str_append(ember_meminfo *a, ember_meminfo *b) {
  ember_str *x = hdr(a), *y = hdr(b);
  int64_t n = x->length + y->length;
  // A string made here keeps its code points right after the header; its block's size tells
  // the room it has.  Literals (immortal), arguments (parent) and shared strings never qualify.
  bool own_block = x->parent == nullptr && x->chars == static_cast<void *>(x + 1) &&
                   a->refcount == 1 && y->kind <= x->kind && a != b;
  int64_t room = (a->size - static_cast<int64_t>(sizeof(ember_str))) / x->kind - 1;
  if (own_block && n <= room) {
    copy_units(x, x->length, y, 0, y->length);
    x->length = n;
    put(x->chars, x->kind, n, 0);
    x->hash = -1;
    x->ascii = x->ascii && y->ascii;
    a->refcount += 1;  // the caller's DecRef of its old reference follows
    return a;
  }
  ember_meminfo *m = ember_str_alloc(n < 16 ? 16 : 2 * n, std::max(x->kind, y->kind));
  if (!m) return nullptr;
  ember_str *z = hdr(m);
  copy_units(z, 0, x, 0, x->length);
  copy_units(z, x->length, y, 0, y->length);
  z->length = n;
  put(z->chars, z->kind, n, 0);
  z->ascii = x->ascii && y->ascii;
  return m;
}

ember_meminfo *ember_str_repeat(ember_meminfo *a, int64_t n) {
  ember_str *x = hdr(a);
  if (n < 0) n = 0;
  ember_meminfo *m = ember_str_alloc(x->length * n, x->kind);
  if (!m) return nullptr;
  for (int64_t k = 0; k < n; ++k) copy_units(hdr(m), k * x->length, x, 0, x->length);
  hdr(m)->ascii = x->ascii;
  return m;
}

int32_t ember_str_equal(ember_meminfo *a, ember_meminfo *b) {
  if (a == b) return 1;
  ember_str *x = hdr(a), *y = hdr(b);
  // Canonical kinds: strings of different kinds differ.
  if (x->length != y->length || x->kind != y->kind) return 0;
  if (x->hash != -1 && y->hash != -1 && x->hash != y->hash) return 0;
  return std::memcmp(x->chars, y->chars, static_cast<size_t>(x->length * x->kind)) == 0;
}

int32_t ember_str_compare(ember_meminfo *a, ember_meminfo *b) {
  ember_str *x = hdr(a), *y = hdr(b);
  int64_t n = std::min(x->length, y->length);
  for (int64_t i = 0; i < n; ++i) {
    uint32_t p = unit(x, i), q = unit(y, i);
    if (p != q) return p < q ? -1 : 1;
  }
  return x->length < y->length ? -1 : x->length > y->length ? 1 : 0;
}

int32_t ember_str_contains(ember_meminfo *haystack, ember_meminfo *needle) {
  ember_str *h = hdr(haystack);
  return find_at(h, hdr(needle), 0, h->length, false) >= 0;
}

int64_t ember_str_hash(ember_meminfo *s) {
  ember_str *x = hdr(s);
  if (x->hash != -1) return x->hash;
  // Python's hash of the same text: CPython hashes the buffer of the narrowest kind that holds
  // it, which a slice or a join of wider strings may not be in here.
  uint32_t widest = 0;
  if (x->kind > 1)
    for (int64_t i = 0; i < x->length; ++i) widest = std::max(widest, unit(x, i));
  int32_t kind = widest < 256 ? 1 : widest < 65536 ? 2 : 4;
  int64_t v;
  if (kind == x->kind) {
    v = ember_py_hash_bytes(x->chars, x->length * kind);
  } else {
    std::vector<uint8_t> narrow(static_cast<size_t>(x->length * kind));
    for (int64_t i = 0; i < x->length; ++i) put(narrow.data(), kind, i, unit(x, i));
    v = ember_py_hash_bytes(narrow.data(), x->length * kind);
  }
  x->hash = v;  // racing writers store the same value (never -1: -1 marks "not computed")
  return v;
}

ember_meminfo *ember_str_char_at(ember_meminfo *s, int64_t i) {
  uint32_t c = unit(hdr(s), i);
  if (c < 256) return &latin1_table()[c].mi;
  return ember_str_from_units(&c, 1, 4);
}

int64_t ember_str_code_at(ember_meminfo *s, int64_t i) { return unit(hdr(s), i); }

ember_meminfo *ember_str_slice(ember_meminfo *s, int64_t start, int64_t step, int64_t count) {
  ember_str *x = hdr(s);
  if (count == 1) return ember_str_char_at(s, start);
  if (step == 1) {
    // The narrowest kind is not known without a scan; slices of ASCII stay ASCII.
    if (x->kind == 1) {
      ember_meminfo *m = ember_str_alloc(count, 1);
      if (!m) return nullptr;
      copy_units(hdr(m), 0, x, start, count);
      hdr(m)->ascii = x->ascii;
      if (!x->ascii) {
        bool ascii = true;
        const auto *c = static_cast<const uint8_t *>(hdr(m)->chars);
        for (int64_t i = 0; i < count && ascii; ++i) ascii = c[i] < 128;
        hdr(m)->ascii = ascii;
      }
      return m;
    }
    return ember_str_from_units(static_cast<char *>(x->chars) + start * x->kind, count, x->kind);
  }
  std::vector<uint32_t> cps(static_cast<size_t>(count));
  for (int64_t k = 0; k < count; ++k) cps[static_cast<size_t>(k)] = unit(x, start + k * step);
  return from_code_points(cps);
}

ember_meminfo *ember_str_chr(int64_t cp) {
  if (cp < 256) return &latin1_table()[cp].mi;
  auto c = static_cast<uint32_t>(cp);
  return ember_str_from_units(&c, 1, 4);
}

void ember_str_clamp(ember_meminfo *s, int64_t *start, int64_t *end) {
  // CPython's ADJUST_INDICES: start is not clamped to the length (a start past the end finds
  // nothing, not even the empty string).
  int64_t n = hdr(s)->length;
  if (*end > n)
    *end = n;
  else if (*end < 0 && (*end += n) < 0)
    *end = 0;
  if (*start < 0 && (*start += n) < 0) *start = 0;
}

int64_t ember_str_find(ember_meminfo *s, ember_meminfo *sub, int64_t start, int64_t end,
                       int32_t reverse) {
  ember_str_clamp(s, &start, &end);
  return find_at(hdr(s), hdr(sub), start, end, reverse != 0);
}

int64_t ember_str_count(ember_meminfo *s, ember_meminfo *sub, int64_t start, int64_t end) {
  ember_str_clamp(s, &start, &end);
  ember_str *h = hdr(s), *n = hdr(sub);
  if (end - start < 0) return 0;
  if (n->length == 0) return end - start + 1;
  int64_t count = 0;
  for (int64_t i = find_at(h, n, start, end, false); i >= 0;
       i = find_at(h, n, i + n->length, end, false))
    ++count;
  return count;
}

int32_t ember_str_startswith(ember_meminfo *s, ember_meminfo *affix, int64_t start, int64_t end,
                             int32_t at_end) {
  ember_str_clamp(s, &start, &end);
  ember_str *h = hdr(s), *a = hdr(affix);
  if (end - start < a->length) return 0;
  int64_t at = at_end ? end - a->length : start;
  for (int64_t k = 0; k < a->length; ++k)
    if (unit(h, at + k) != unit(a, k)) return 0;
  return 1;
}

ember_meminfo *ember_str_strip(ember_meminfo *s, ember_meminfo *chars, int32_t sides) {
  ember_str *x = hdr(s);
  ember_str *set = chars ? hdr(chars) : nullptr;
  auto strippable = [&](uint32_t c) {
    if (!set) return g_hooks.is_space(c) != 0;
    for (int64_t k = 0; k < set->length; ++k)
      if (unit(set, k) == c) return true;
    return false;
  };
  int64_t lo = 0, hi = x->length;
  if (sides & 1)
    while (lo < hi && strippable(unit(x, lo))) ++lo;
  if (sides & 2)
    while (hi > lo && strippable(unit(x, hi - 1))) --hi;
  if (lo == 0 && hi == x->length) {
    ember_meminfo_incref(s);
    return s;
  }
  if (hi == lo) return ember_str_from_units(nullptr, 0, 1);
  return ember_str_slice(s, lo, 1, hi - lo);
}

ember_meminfo *ember_str_replace(ember_meminfo *s, ember_meminfo *old, ember_meminfo *repl,
                                 int64_t count) {
  ember_str *x = hdr(s), *o = hdr(old), *r = hdr(repl);
  if (count < 0) count = INT64_MAX;
  std::vector<uint32_t> out;
  out.reserve(static_cast<size_t>(x->length));
  auto append = [&](const ember_str *src, int64_t from, int64_t n) {
    for (int64_t k = 0; k < n; ++k) out.push_back(unit(src, from + k));
  };
  if (o->length == 0) {  // 'ab'.replace('', '-') == '-a-b-'
    int64_t done = 0;
    for (int64_t i = 0; i <= x->length; ++i) {
      if (done < count) {
        append(r, 0, r->length);
        ++done;
      }
      if (i < x->length) out.push_back(unit(x, i));
    }
    return from_code_points(out);
  }
  int64_t pos = 0, done = 0;
  while (done < count) {
    int64_t at = find_at(x, o, pos, x->length, false);
    if (at < 0) break;
    append(x, pos, at - pos);
    append(r, 0, r->length);
    pos = at + o->length;
    ++done;
  }
  if (done == 0) {
    ember_meminfo_incref(s);
    return s;
  }
  append(x, pos, x->length - pos);
  return from_code_points(out);
}

ember_meminfo *ember_str_change_case(ember_meminfo *s, int32_t upper) {
  ember_str *x = hdr(s);
  if (x->ascii) {
    ember_meminfo *m = ember_str_alloc(x->length, 1);
    if (!m) return nullptr;
    const auto *src = static_cast<const uint8_t *>(x->chars);
    auto *dst = static_cast<uint8_t *>(hdr(m)->chars);
    for (int64_t i = 0; i < x->length; ++i)
      dst[i] = static_cast<uint8_t>(upper ? ascii_upper(src[i]) : ascii_lower(src[i]));
    hdr(m)->ascii = 1;
    return m;
  }
  std::vector<uint32_t> out;
  out.reserve(static_cast<size_t>(x->length));
  uint32_t mapped[3];
  for (int64_t i = 0; i < x->length; ++i) {
    uint32_t c = unit(x, i);
    int n = upper ? g_hooks.to_upper(c, mapped) : ember_str_internal::lower_at(x, i, mapped);
    out.insert(out.end(), mapped, mapped + n);
  }
  return from_code_points(out);
}

int32_t ember_str_is(ember_meminfo *s, int32_t which) {
  ember_str *x = hdr(s);
  if (x->length == 0) return 0;
  for (int64_t i = 0; i < x->length; ++i) {
    uint32_t c = unit(x, i);
    bool ok = false;
    switch (which) {
      case 0: ok = g_hooks.is_digit(c); break;
      case 1: ok = g_hooks.is_alpha(c); break;
      case 2: ok = g_hooks.is_space(c); break;
      case 3: ok = g_hooks.is_decimal(c); break;
      case 4:  // Py_UNICODE_ISALNUM: numeric characters ('½', 'Ⅻ') count too
        ok = g_hooks.is_alpha(c) || g_hooks.is_digit(c) || g_hooks.is_decimal(c) ||
             g_hooks.is_numeric(c);
        break;
      default: ok = false;
    }
    if (!ok) return 0;
  }
  return 1;
}

ember_meminfo *ember_str_pad(ember_meminfo *s, int64_t width, ember_meminfo *fill, int32_t how) {
  ember_str *x = hdr(s);
  if (width <= x->length) {
    ember_meminfo_incref(s);
    return s;
  }
  uint32_t f = how == 3 ? '0' : fill ? unit(hdr(fill), 0) : ' ';
  int64_t margin = width - x->length, left = 0;
  switch (how) {
    case 0: left = 0; break;
    case 1:
    case 3: left = margin; break;
    default: left = margin / 2 + (margin & width & 1); break;  // CPython's center()
  }
  std::vector<uint32_t> out(static_cast<size_t>(width), f);
  for (int64_t i = 0; i < x->length; ++i) out[static_cast<size_t>(left + i)] = unit(x, i);
  if (how == 3 && x->length > 0 && (unit(x, 0) == '+' || unit(x, 0) == '-')) {
    out[static_cast<size_t>(left)] = '0';  // zfill keeps the sign in front
    out[0] = unit(x, 0);
  }
  return from_code_points(out);
}

}  // extern "C"

// For StrFormat.cpp: the hooks and the code-point reader.
namespace ember_str_internal {
const ember_unicode_hooks &hooks() { return g_hooks; }
uint32_t code_point(const ember_str *s, int64_t i) { return unit(s, i); }
}  // namespace ember_str_internal
