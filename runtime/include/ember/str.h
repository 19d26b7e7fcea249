/* ember/str.h — Unicode strings in compiled code (Numba's unicode_type).
 *
 * A string value is an ember_meminfo* (reference counted like an array's buffer) whose data
 * points at an ember_str.  The code points are stored as in CPython (PEP 393): `kind` bytes
 * each (1, 2 or 4), always the narrowest kind that holds the widest code point, so indexing by
 * code point is O(1) and two equal strings have the same kind.  A string made in compiled code
 * keeps its code points in the same allocation, after the header; a string passed in from
 * Python borrows the str object's buffer (`parent`), so an argument is never copied.  String
 * literals are module constants whose count starts so high it never reaches zero.
 *
 * Functions returning a string return a new reference; arguments are borrowed.  Every function
 * here is pure C, no Python: the Unicode database (case mapping, isalpha, isspace...) is
 * reached through hooks the Python bindings install at import (ASCII rules until then).
 *
 * hash(s) in compiled code is ember's own (FNV-1a over the code points, so independent of the
 * kind), stable within and across processes, and not equal to CPython's randomized str hash.
 */
#ifndef EMBER_STR_H
#define EMBER_STR_H

#include <stdint.h>

#include "ember/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ember_str {
  int64_t length; /* in code points */
  int64_t hash;   /* -1 until computed */
  void *chars;    /* length code points of `kind` bytes */
  int32_t kind;   /* 1, 2 or 4 */
  int32_t ascii;  /* every code point < 128 */
  void *parent;   /* the PyObject* whose buffer `chars` points into, or NULL */
} ember_str;

/* The reference count literals start with: never reaches zero however often they are shared. */
#define EMBER_STR_IMMORTAL (INT64_C(1) << 60)

/* The Unicode database, installed by the bindings (CPython's own tables). */
typedef struct ember_unicode_hooks {
  /* Full case mappings ('ß'.upper() == 'SS'): write up to 3 code points, return how many. */
  int (*to_upper)(uint32_t, uint32_t *out);
  int (*to_lower)(uint32_t, uint32_t *out);
  int (*is_alpha)(uint32_t);
  int (*is_digit)(uint32_t);
  int (*is_space)(uint32_t);
  int (*is_decimal)(uint32_t);
  int (*decimal_value)(uint32_t);            /* -1 when not a decimal digit */
  int (*to_title)(uint32_t, uint32_t *out);  /* full mappings, as to_upper */
  int (*to_folded)(uint32_t, uint32_t *out); /* casefold() */
  int (*is_upper)(uint32_t);
  int (*is_lower)(uint32_t);
  int (*is_title)(uint32_t);
  int (*is_cased)(uint32_t);
  int (*is_case_ignorable)(uint32_t);
  int (*is_numeric)(uint32_t);
  int (*is_printable)(uint32_t);
  int (*is_xid_start)(uint32_t);
  int (*is_xid_continue)(uint32_t);
} ember_unicode_hooks;
void ember_str_set_unicode_hooks(const ember_unicode_hooks *hooks);

/* A new string of `length` code points of `kind` bytes, uninitialised (the caller fills the
 * code points and sets `ascii`); refcount 1. */
ember_meminfo *ember_str_alloc(int64_t length, int32_t kind);
/* A new string holding a copy of these code points (narrowed to the canonical kind). */
ember_meminfo *ember_str_from_units(const void *units, int64_t length, int32_t kind);
ember_meminfo *ember_str_from_utf8(const char *text, int64_t nbytes);
/* The string's header. */
static inline ember_str *ember_str_of(ember_meminfo *s) { return (ember_str *)s->data; }

/* Operators. */
ember_meminfo *ember_str_concat(ember_meminfo *a, ember_meminfo *b);
ember_meminfo *ember_str_repeat(ember_meminfo *a, int64_t n);
/* a + b where the caller's reference to `a` dies right after (`s += t`): when that reference is
 * the only one and a's block has room, b is appended in place and `a` is returned with one more
 * reference (for the caller to drop); otherwise a new string with room to grow (twice the
 * length), as CPython's in-place concatenation, so a loop of `+=` is linear. */
ember_meminfo *ember_str_append(ember_meminfo *a, ember_meminfo *b);
int32_t ember_str_equal(ember_meminfo *a, ember_meminfo *b);
int32_t ember_str_compare(ember_meminfo *a, ember_meminfo *b); /* -1, 0, 1 by code points */
int32_t ember_str_contains(ember_meminfo *haystack, ember_meminfo *needle);
int64_t ember_str_hash(ember_meminfo *s);
/* Python's hash of a PEP 393 buffer (runtime/PyStrHash.cpp): SipHash-1-3 keyed by the
 * interpreter's _Py_HashSecret, so hash(s) in compiled code equals Python's. */
int64_t ember_py_hash_bytes(const void *data, int64_t nbytes);
/* s[i] for 0 <= i < len(s) (the caller checks). */
ember_meminfo *ember_str_char_at(ember_meminfo *s, int64_t i);
/* The code point at i (0 <= i < len(s)). */
int64_t ember_str_code_at(ember_meminfo *s, int64_t i);
/* s[start::step] for count code points (a resolved slice). */
ember_meminfo *ember_str_slice(ember_meminfo *s, int64_t start, int64_t step, int64_t count);
/* chr(cp) for 0 <= cp <= 0x10FFFF (the caller checks). */
ember_meminfo *ember_str_chr(int64_t cp);

/* Searching: [start, end) already clamped by Python's slice rules (ember_str_clamp). */
void ember_str_clamp(ember_meminfo *s, int64_t *start, int64_t *end);
int64_t ember_str_find(ember_meminfo *s, ember_meminfo *sub, int64_t start, int64_t end,
                       int32_t reverse);
int64_t ember_str_count(ember_meminfo *s, ember_meminfo *sub, int64_t start, int64_t end);
int32_t ember_str_startswith(ember_meminfo *s, ember_meminfo *affix, int64_t start, int64_t end,
                             int32_t at_end);

/* Transformations.  strip: chars NULL strips whitespace; sides 1 = left, 2 = right, 3 = both. */
ember_meminfo *ember_str_strip(ember_meminfo *s, ember_meminfo *chars, int32_t sides);
ember_meminfo *ember_str_replace(ember_meminfo *s, ember_meminfo *old, ember_meminfo *repl,
                                 int64_t count);
/* upper = 1 for upper(), 0 for lower(). */
ember_meminfo *ember_str_change_case(ember_meminfo *s, int32_t upper);
/* which: 0 isdigit, 1 isalpha, 2 isspace, 3 isdecimal, 4 isalnum (false of ''). */
int32_t ember_str_is(ember_meminfo *s, int32_t which);
/* The other predicates (runtime/StrCase.cpp), each with Python's answer for ''. */
enum {
  EMBER_STR_ISUPPER = 0,
  EMBER_STR_ISLOWER,
  EMBER_STR_ISTITLE,
  EMBER_STR_ISNUMERIC,
  EMBER_STR_ISPRINTABLE,
  EMBER_STR_ISASCII,
  EMBER_STR_ISIDENTIFIER
};
int32_t ember_str_predicate(ember_meminfo *s, int32_t which);
/* title(), capitalize(), swapcase(), casefold(). */
enum {
  EMBER_RECASE_TITLE = 0,
  EMBER_RECASE_CAPITALIZE,
  EMBER_RECASE_SWAPCASE,
  EMBER_RECASE_CASEFOLD
};
ember_meminfo *ember_str_recase(ember_meminfo *s, int32_t how);
/* how: 0 ljust, 1 rjust, 2 center, 3 zfill; fill is a one-code-point string (NULL: space). */
ember_meminfo *ember_str_pad(ember_meminfo *s, int64_t width, ember_meminfo *fill, int32_t how);

/* Splitting and joining (runtime/StrSplit.cpp).  split/rsplit: sep NULL splits at whitespace
 * runs, maxsplit < 0 is unlimited, a non-NULL sep is not empty (the caller checks); the result is
 * a new list whose items have the typeinfo `item` (unicode_type's), NULL when out of memory. */
ember_meminfo *ember_str_split(ember_meminfo *s, ember_meminfo *sep, int64_t maxsplit,
                               int32_t reverse, const struct ember_typeinfo *item);
ember_meminfo *ember_str_splitlines(ember_meminfo *s, int32_t keepends,
                                    const struct ember_typeinfo *item);
/* sep.join(items[0..n)), and sep.join(s) over the characters of s. */
ember_meminfo *ember_str_join(ember_meminfo *sep, ember_meminfo *const *items, int64_t n);
ember_meminfo *ember_str_join_chars(ember_meminfo *sep, ember_meminfo *s);
/* partition (reverse 0) or rpartition (1) into out[0..3), new references; sep not empty.
 * 0, or -1 when out of memory. */
int32_t ember_str_partition(ember_meminfo *s, ember_meminfo *sep, int32_t reverse,
                            ember_meminfo **out);
ember_meminfo *ember_str_expandtabs(ember_meminfo *s, int64_t tabsize);

/* Conversions.  str(int), str(float) (repr-exact, as Python's), int(s), float(s). */
ember_meminfo *ember_str_from_int(int64_t v);
ember_meminfo *ember_str_from_uint(uint64_t v);
ember_meminfo *ember_str_from_float(double v);
ember_meminfo *ember_str_from_bool(int32_t v);
/* 0 ok, 1 not a number (ValueError), 2 outside int64 (OverflowError). */
int32_t ember_str_to_int(ember_meminfo *s, int64_t *out);
int32_t ember_str_to_float(ember_meminfo *s, double *out);
/* format(x, spec) for a standard format spec; NULL when the spec is invalid (ValueError). */
ember_meminfo *ember_str_format_int(int64_t v, ember_meminfo *spec);
ember_meminfo *ember_str_format_float(double v, ember_meminfo *spec);
ember_meminfo *ember_str_format_str(ember_meminfo *v, ember_meminfo *spec);

/* str.translate and friends (runtime/StrTranslate.cpp).  A table is a dict whose keys are
 * integers (code points) and whose values are integers, strings, None or an Optional of one.
 * translate: 0 with *out the new string, 1 when a mapped integer is not in range(0x110000)
 * (ValueError), 2 for a table of another type, -1 when out of memory.  maketrans(x, y[, z]) of
 * strings into a new dict of the given key and value typeinfos (z's characters map to None, so
 * the value type is then an Optional), and maketrans(d) re-keyed by code point: 0 with *out, 1
 * when len(x) != len(y) or a string key is not one character (ValueError), 2 for a
 * value type it cannot write, -1 when out of memory. */
int32_t ember_str_translate(ember_meminfo *s, ember_meminfo *table, ember_meminfo **out);
int32_t ember_str_maketrans(ember_meminfo *x, ember_meminfo *y, ember_meminfo *z,
                            const struct ember_typeinfo *key, const struct ember_typeinfo *value,
                            ember_meminfo **out);
int32_t ember_str_maketrans_dict(ember_meminfo *d, const struct ember_typeinfo *key,
                                 const struct ember_typeinfo *value, ember_meminfo **out);
/* s.removeprefix(affix) (suffix 0) or s.removesuffix(affix) (1): a new reference. */
ember_meminfo *ember_str_remove_affix(ember_meminfo *s, ember_meminfo *affix, int32_t suffix);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_STR_H */
