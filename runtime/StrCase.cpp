// Case conversions and character-class tests of str's methods beyond upper() and lower()
// (ember/str.h): title, capitalize, swapcase, casefold and isupper, islower, istitle,
// isnumeric, isprintable, isascii, isidentifier.  Each follows CPython's unicodeobject.c,
// including the final-sigma rule of lowercasing, over the Unicode database the bindings install
// as hooks (ASCII rules until then).
#include <vector>

#include "ember/runtime.h"
#include "ember/str.h"

namespace ember_str_internal {
const ember_unicode_hooks &hooks();
uint32_t code_point(const ember_str *s, int64_t i);

/// The full lowercase mapping of s[i] into out (up to 3 code points), with CPython's
/// final-sigma rule: a capital sigma preceded by a cased letter (case-ignorable characters
/// skipped) and not followed by one becomes the final form 'ς'.
int lower_at(const ember_str *s, int64_t i, uint32_t *out) {
  const ember_unicode_hooks &h = hooks();
  uint32_t c = code_point(s, i);
  if (c != 0x3A3) return h.to_lower(c, out);
  int64_t j = i - 1;
  uint32_t d = 0;
  for (; j >= 0; --j) {
    d = code_point(s, j);
    if (!h.is_case_ignorable(d)) break;
  }
  bool final_sigma = j >= 0 && h.is_cased(d);
  if (final_sigma && i + 1 < s->length) {
    for (j = i + 1; j < s->length; ++j) {
      d = code_point(s, j);
      if (!h.is_case_ignorable(d)) break;
    }
    final_sigma = j == s->length || !h.is_cased(d);
  }
  out[0] = final_sigma ? 0x3C2 : 0x3C3;
  return 1;
}
}  // namespace ember_str_internal

namespace {

using ember_str_internal::code_point;
using ember_str_internal::hooks;
using ember_str_internal::lower_at;

ember_meminfo *from_code_points(const std::vector<uint32_t> &cps) {
  return ember_str_from_units(cps.data(), static_cast<int64_t>(cps.size()), 4);
}

bool upperish(uint32_t c) { return hooks().is_upper(c) || hooks().is_title(c); }

}  // namespace

extern "C" {

ember_meminfo *ember_str_recase(ember_meminfo *s, int32_t how) {
  const ember_unicode_hooks &h = hooks();
  const ember_str *x = ember_str_of(s);
  std::vector<uint32_t> out;
  out.reserve(static_cast<size_t>(x->length));
  uint32_t mapped[3];
  bool previous_cased = false;
  for (int64_t i = 0; i < x->length; ++i) {
    uint32_t c = code_point(x, i);
    int n = 0;
    switch (how) {
      case EMBER_RECASE_TITLE:
        n = previous_cased ? lower_at(x, i, mapped) : h.to_title(c, mapped);
        previous_cased = h.is_cased(c) != 0;
        break;
      case EMBER_RECASE_CAPITALIZE:
        n = i == 0 ? h.to_title(c, mapped) : lower_at(x, i, mapped);
        break;
      case EMBER_RECASE_SWAPCASE:
        if (h.is_upper(c))
          n = lower_at(x, i, mapped);
        else if (h.is_lower(c))
          n = h.to_upper(c, mapped);
        else
          mapped[n++] = c;
        break;
      default: n = h.to_folded(c, mapped); break;  // casefold
    }
    out.insert(out.end(), mapped, mapped + n);
  }
  return from_code_points(out);
}

int32_t ember_str_predicate(ember_meminfo *s, int32_t which) {
  const ember_unicode_hooks &h = hooks();
  const ember_str *x = ember_str_of(s);
  int64_t n = x->length;
  switch (which) {
    case EMBER_STR_ISUPPER:
    case EMBER_STR_ISLOWER: {
      // At least one cased character, and none of the other case (title case counts as upper).
      bool upper = which == EMBER_STR_ISUPPER, cased = false;
      for (int64_t i = 0; i < n; ++i) {
        uint32_t c = code_point(x, i);
        bool is_upper = upperish(c), is_lower = h.is_lower(c) != 0;
        if (upper ? (is_lower || h.is_title(c)) : is_upper) return 0;
        cased = cased || (upper ? h.is_upper(c) != 0 : is_lower);
      }
      return cased;
    }
    case EMBER_STR_ISTITLE: {
      bool cased = false, previous_cased = false;
      for (int64_t i = 0; i < n; ++i) {
        uint32_t c = code_point(x, i);
        if (upperish(c)) {
          if (previous_cased) return 0;
          previous_cased = cased = true;
        } else if (h.is_lower(c)) {
          if (!previous_cased) return 0;
          previous_cased = cased = true;
        } else {
          previous_cased = false;
        }
      }
      return cased;
    }
    case EMBER_STR_ISNUMERIC:
      for (int64_t i = 0; i < n; ++i)
        if (!h.is_numeric(code_point(x, i))) return 0;
      return n > 0;
    case EMBER_STR_ISPRINTABLE:  // true of the empty string, as in Python
      for (int64_t i = 0; i < n; ++i)
        if (!h.is_printable(code_point(x, i))) return 0;
      return 1;
    case EMBER_STR_ISASCII:
      for (int64_t i = 0; i < n; ++i)
        if (code_point(x, i) >= 128) return 0;
      return 1;
    case EMBER_STR_ISIDENTIFIER: {
      if (n == 0) return 0;
      uint32_t first = code_point(x, 0);
      if (first != '_' && !h.is_xid_start(first)) return 0;
      for (int64_t i = 1; i < n; ++i)
        if (!h.is_xid_continue(code_point(x, i))) return 0;
      return 1;
    }
    default: return 0;
  }
}

}  // extern "C"
