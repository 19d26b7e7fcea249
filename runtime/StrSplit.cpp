// Splitting and joining strings (ember/str.h): str.split and rsplit (whitespace runs or a
// separator, with maxsplit), splitlines, join, partition, rpartition and expandtabs.  The pieces
// go into a native list (ember/containers.h) whose item typeinfo compiled code passes in, so a
// result is the same list any `[...]` of strings makes.  The algorithms are CPython's
// (Objects/stringlib/split.h), so maxsplit, empty pieces and trailing whitespace come out alike.
#include <cstring>
#include <vector>

#include "ember/containers.h"
#include "ember/runtime.h"
#include "ember/str.h"

namespace ember_str_internal {
const ember_unicode_hooks &hooks();
uint32_t code_point(const ember_str *s, int64_t i);
}  // namespace ember_str_internal

namespace {

using ember_str_internal::code_point;
using ember_str_internal::hooks;

bool is_space(uint32_t c) { return hooks().is_space(c) != 0; }

// str.isspace() of the Latin-1 code points (CPython's _Py_ascii_whitespace, plus U+0085 and
// U+00A0), so that splitting a one-byte string at whitespace reads a table, not a hook per
// character.
struct Latin1Space {
  bool table[256] = {};
  Latin1Space() {
    for (int c = 9; c <= 13; ++c) table[c] = true;
    for (int c = 28; c <= 32; ++c) table[c] = true;
    table[0x85] = table[0xA0] = true;
  }
};
const Latin1Space kLatin1Space;

// Python's line boundaries (str.splitlines): \n \r \v \f \x1c-\x1e \x85 \u2028 \u2029.
bool is_line_break(uint32_t c) {
  return (c >= 0x0A && c <= 0x0D) || (c >= 0x1C && c <= 0x1E) || c == 0x85 || c == 0x2028 ||
         c == 0x2029;
}

// The pieces of one split, moved straight into the result list as they are cut (reversed at the
// end for rsplit, which finds them from the end).
class Pieces {
 public:
  Pieces(ember_meminfo *s, const ember_typeinfo *item) : s_(s), item_(item) {}
  ~Pieces() {
    if (list_) ember_meminfo_decref(list_);
  }
  bool add(int64_t start, int64_t stop) {
    if (!list_ && !(list_ = ember_list_new(item_, 8))) return false;
    ember_list *h = ember_list_header(list_);
    if (h->size == h->capacity && ember_list_reserve(list_, h->size + 1) != 0) return false;
    ember_meminfo *p = ember_str_slice(s_, start, 1, stop - start);
    if (!p) return false;
    std::memcpy(h->items + h->size * h->itemsize, &p, sizeof p);  // the list takes p's reference
    ++h->size;
    return true;
  }
  ember_meminfo *to_list(bool reverse) {
    if (!list_ && !(list_ = ember_list_new(item_, 0))) return nullptr;
    if (reverse) ember_list_reverse(list_);
    ember_meminfo *l = list_;
    list_ = nullptr;
    return l;
  }

 private:
  ember_meminfo *s_;
  const ember_typeinfo *item_;
  ember_meminfo *list_ = nullptr;
};

// split() at whitespace runs of a one-byte string, maxsplit unlimited: the common case.
bool split_whitespace_latin1(ember_meminfo *s, Pieces &out) {
  const ember_str *x = ember_str_of(s);
  const auto *c = static_cast<const uint8_t *>(x->chars);
  const bool *space = kLatin1Space.table;
  int64_t n = x->length, i = 0;
  while (true) {
    while (i < n && space[c[i]]) ++i;
    if (i == n) return true;
    int64_t j = i++;
    while (i < n && !space[c[i]]) ++i;
    if (!out.add(j, i)) return false;
  }
}

bool split_whitespace(ember_meminfo *s, int64_t maxsplit, Pieces &out) {
  const ember_str *x = ember_str_of(s);
  if (x->kind == 1 && maxsplit == INT64_MAX) return split_whitespace_latin1(s, out);
  int64_t n = x->length, i = 0;
  while (maxsplit-- > 0) {
    while (i < n && is_space(code_point(x, i))) ++i;
    if (i == n) break;
    int64_t j = i++;
    while (i < n && !is_space(code_point(x, i))) ++i;
    if (!out.add(j, i)) return false;
  }
  if (i < n) {
    while (i < n && is_space(code_point(x, i))) ++i;
    if (i != n && !out.add(i, n)) return false;  // the rest, trailing whitespace included
  }
  return true;
}

bool rsplit_whitespace(ember_meminfo *s, int64_t maxsplit, Pieces &out) {
  const ember_str *x = ember_str_of(s);
  int64_t i = x->length - 1;
  while (maxsplit-- > 0) {
    while (i >= 0 && is_space(code_point(x, i))) --i;
    if (i < 0) break;
    int64_t j = i--;
    while (i >= 0 && !is_space(code_point(x, i))) --i;
    if (!out.add(i + 1, j + 1)) return false;
  }
  if (i >= 0) {
    while (i >= 0 && is_space(code_point(x, i))) --i;
    if (i >= 0 && !out.add(0, i + 1)) return false;
  }
  return true;
}

bool split_separator(ember_meminfo *s, ember_meminfo *sep, int64_t maxsplit, Pieces &out) {
  int64_t n = ember_str_of(s)->length, m = ember_str_of(sep)->length, i = 0;
  while (maxsplit-- > 0) {
    int64_t at = ember_str_find(s, sep, i, n, 0);
    if (at < 0) break;
    if (!out.add(i, at)) return false;
    i = at + m;
  }
  return out.add(i, n);
}

bool rsplit_separator(ember_meminfo *s, ember_meminfo *sep, int64_t maxsplit, Pieces &out) {
  int64_t m = ember_str_of(sep)->length, j = ember_str_of(s)->length;
  while (maxsplit-- > 0) {
    int64_t at = ember_str_find(s, sep, 0, j, 1);
    if (at < 0) break;
    if (!out.add(at + m, j)) return false;
    j = at;
  }
  return out.add(0, j);
}

ember_meminfo *empty_string() { return ember_str_alloc(0, 1); }

}  // namespace

extern "C" {

ember_meminfo *ember_str_split(ember_meminfo *s, ember_meminfo *sep, int64_t maxsplit,
                               int32_t reverse, const ember_typeinfo *item) {
  if (maxsplit < 0) maxsplit = INT64_MAX;
  Pieces pieces(s, item);
  bool ok;
  if (!sep)
    ok = reverse ? rsplit_whitespace(s, maxsplit, pieces) : split_whitespace(s, maxsplit, pieces);
  else
    ok = reverse ? rsplit_separator(s, sep, maxsplit, pieces)
                 : split_separator(s, sep, maxsplit, pieces);
  return ok ? pieces.to_list(reverse != 0) : nullptr;
}

ember_meminfo *ember_str_splitlines(ember_meminfo *s, int32_t keepends,
                                    const ember_typeinfo *item) {
  const ember_str *x = ember_str_of(s);
  int64_t n = x->length, i = 0;
  Pieces pieces(s, item);
  while (i < n) {
    int64_t j = i;
    while (i < n && !is_line_break(code_point(x, i))) ++i;
    int64_t eol = i;
    if (i < n) {
      i += code_point(x, i) == '\r' && i + 1 < n && code_point(x, i + 1) == '\n' ? 2 : 1;
      if (keepends) eol = i;
    }
    if (!pieces.add(j, eol)) return nullptr;
  }
  return pieces.to_list(false);
}

ember_meminfo *ember_str_join(ember_meminfo *sep, ember_meminfo *const *items, int64_t n) {
  const ember_str *d = ember_str_of(sep);
  if (n == 1) {  // CPython returns the item itself
    ember_meminfo_incref(items[0]);
    return items[0];
  }
  int64_t length = n > 0 ? d->length * (n - 1) : 0;
  int32_t kind = n > 1 ? d->kind : 1;
  bool ascii = n <= 1 || d->ascii;
  for (int64_t k = 0; k < n; ++k) {
    const ember_str *x = ember_str_of(items[k]);
    length += x->length;
    kind = x->kind > kind ? x->kind : kind;
    ascii = ascii && x->ascii;
  }
  ember_meminfo *m = ember_str_alloc(length, kind);
  if (!m) return nullptr;
  ember_str *out = ember_str_of(m);
  int64_t at = 0;
  auto append = [&](const ember_str *x) {
    if (x->kind == kind) {
      std::memcpy(static_cast<char *>(out->chars) + at * kind, x->chars,
                  static_cast<size_t>(x->length * kind));
    } else {
      for (int64_t i = 0; i < x->length; ++i) {
        uint32_t c = code_point(x, i);
        char *p = static_cast<char *>(out->chars) + (at + i) * kind;
        if (kind == 2) {
          auto u = static_cast<uint16_t>(c);
          std::memcpy(p, &u, 2);
        } else {
          std::memcpy(p, &c, 4);
        }
      }
    }
    at += x->length;
  };
  for (int64_t k = 0; k < n; ++k) {
    if (k > 0) append(d);
    append(ember_str_of(items[k]));
  }
  out->ascii = ascii;
  return m;
}

ember_meminfo *ember_str_join_chars(ember_meminfo *sep, ember_meminfo *s) {
  int64_t n = ember_str_of(s)->length;
  std::vector<ember_meminfo *> chars(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) chars[static_cast<size_t>(i)] = ember_str_char_at(s, i);
  ember_meminfo *r = ember_str_join(sep, chars.data(), n);
  for (ember_meminfo *c : chars) ember_meminfo_decref(c);
  return r;
}

int32_t ember_str_partition(ember_meminfo *s, ember_meminfo *sep, int32_t reverse,
                            ember_meminfo **out) {
  int64_t n = ember_str_of(s)->length, m = ember_str_of(sep)->length;
  int64_t at = ember_str_find(s, sep, 0, n, reverse);
  out[0] = out[1] = out[2] = nullptr;
  if (at < 0) {  // (s, '', '') or, from the right, ('', '', s)
    ember_meminfo_incref(s);
    out[reverse ? 2 : 0] = s;
    out[reverse ? 0 : 2] = empty_string();
    out[1] = empty_string();
  } else {
    out[0] = ember_str_slice(s, 0, 1, at);
    ember_meminfo_incref(sep);
    out[1] = sep;
    out[2] = ember_str_slice(s, at + m, 1, n - at - m);
  }
  if (out[0] && out[1] && out[2]) return 0;
  for (int k = 0; k < 3; ++k)
    if (out[k]) ember_meminfo_decref(out[k]);
  return -1;
}

ember_meminfo *ember_str_expandtabs(ember_meminfo *s, int64_t tabsize) {
  const ember_str *x = ember_str_of(s);
  std::vector<uint32_t> out;
  out.reserve(static_cast<size_t>(x->length));
  int64_t column = 0;
  for (int64_t i = 0; i < x->length; ++i) {
    uint32_t c = code_point(x, i);
    if (c == '\t') {
      if (tabsize > 0) {
        int64_t pad = tabsize - column % tabsize;
        out.insert(out.end(), static_cast<size_t>(pad), ' ');
        column += pad;
      }
      continue;
    }
    out.push_back(c);
    column = c == '\n' || c == '\r' ? 0 : column + 1;
  }
  return ember_str_from_units(out.data(), static_cast<int64_t>(out.size()), 4);
}

}  // extern "C"
