// str.translate, str.maketrans, str.removeprefix and str.removesuffix (ember/str.h).  A
// translation table is a native dict (ember/containers.h) keyed by code points (any integer
// type) whose values are code points, strings or None (an Optional value type), as CPython's
// tables are; the value type is read from the dict's typeinfo, so one function serves every
// table type compiled code can build.  The semantics are CPython's (Objects/unicodeobject.c:
// charmaptranslate), over any code point, not only ASCII.
#include <cstring>
#include <vector>

#include "ember/containers.h"
#include "ember/runtime.h"
#include "ember/str.h"

namespace ember_str_internal {
uint32_t code_point(const ember_str *s, int64_t i);
}  // namespace ember_str_internal

namespace {

using ember_str_internal::code_point;

bool is_int_tag(int64_t tag) { return tag >= EMBER_T_BOOL && tag <= EMBER_T_UINT64; }

bool is_signed(int64_t tag) { return tag >= EMBER_T_INT8 && tag <= EMBER_T_INT64; }

// The integer of type `tag` at p, widened to int64 (uint64 above INT64_MAX stays out of range of
// any code point, which is what matters here).
int64_t read_int(int64_t tag, const void *p) {
  switch (ember_scalar_size(tag)) {
    case 1: {
      uint8_t v;
      std::memcpy(&v, p, 1);
      return is_signed(tag) ? static_cast<int8_t>(v) : v;
    }
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return is_signed(tag) ? static_cast<int16_t>(v) : v;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return is_signed(tag) ? static_cast<int32_t>(v) : v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return (!is_signed(tag) && v < 0) ? INT64_MAX : v;
    }
  }
}

// Writes cp as an integer of type `tag` into out; false when it does not fit (no such key).
bool write_int(int64_t tag, int64_t cp, void *out) {
  int64_t size = ember_scalar_size(tag);
  if (size < 8) {
    int64_t bits = size * 8 - (is_signed(tag) ? 1 : 0);
    if (tag == EMBER_T_BOOL) bits = 1;
    if (cp >= (int64_t{1} << bits)) return false;
  }
  std::memcpy(out, &cp, static_cast<size_t>(size));  // little-endian: the low bytes
  return true;
}

// How a table's values read: an integer of `tag`, a string, None, or an Optional of either.
struct ValueReader {
  bool optional = false;
  int64_t offset = 0;  // of the value inside an Optional
  int64_t tag = 0;     // EMBER_T_UNICODE, EMBER_T_NONE or an integer tag
  bool init(const ember_typeinfo *t) {
    int64_t n = 0;
    const int64_t *code = ember_typeinfo_code(t, &n);
    if (n < 1) return false;
    if (code[0] == EMBER_T_OPTIONAL) {
      optional = true;
      if (n < 2) return false;
      tag = code[1];
      const ember_typeinfo *inner = ember_typeinfo_get(code + 1, n - 1);
      int64_t a = inner ? ember_typeinfo_size(inner) : 8;
      offset = a >= 8 ? 8 : a;  // the inner value's alignment: its size for these scalars
    } else {
      tag = code[0];
    }
    return tag == EMBER_T_UNICODE || tag == EMBER_T_NONE || is_int_tag(tag);
  }
};

// What one code point becomes.
struct Mapping {
  enum Kind : uint8_t { Unknown, Keep, Delete, Char, String } kind = Unknown;
  uint32_t cp = 0;
  ember_meminfo *str = nullptr;  // borrowed from the table
};

class Translator {
 public:
  Translator(ember_meminfo *table) : table_(table) {}

  bool init() {
    int64_t n = 0;
    const int64_t *code = ember_typeinfo_code(ember_dict_key_type(table_), &n);
    if (n != 1 || !is_int_tag(code[0])) return false;
    key_tag_ = code[0];
    return values_.init(ember_dict_value_type(table_));
  }

  // 0, or 1 when a mapped integer is not a code point (ValueError).
  int32_t map(uint32_t c, Mapping *out) {
    if (c < 256 && latin1_[c].kind != Mapping::Unknown) {
      *out = latin1_[c];
      return 0;
    }
    Mapping m;
    int64_t key = 0;
    void *v = write_int(key_tag_, c, &key) ? ember_dict_lookup(table_, &key) : nullptr;
    if (!v) {
      m.kind = Mapping::Keep;
    } else {
      const char *p = static_cast<const char *>(v);
      if (values_.optional) {
        uint8_t present;
        std::memcpy(&present, p, 1);
        if (!present)
          p = nullptr;
        else
          p += values_.offset;
      }
      if (!p || values_.tag == EMBER_T_NONE) {
        m.kind = Mapping::Delete;
      } else if (values_.tag == EMBER_T_UNICODE) {
        std::memcpy(&m.str, p, sizeof m.str);
        m.kind = Mapping::String;
      } else {
        int64_t x = read_int(values_.tag, p);
        if (x < 0 || x > 0x10FFFF) return 1;
        m.kind = Mapping::Char;
        m.cp = static_cast<uint32_t>(x);
      }
    }
    if (c < 256) latin1_[c] = m;
    *out = m;
    return 0;
  }

 private:
  ember_meminfo *table_;
  int64_t key_tag_ = 0;
  ValueReader values_;
  Mapping latin1_[256];
};

}  // namespace

extern "C" {

int32_t ember_str_translate(ember_meminfo *s, ember_meminfo *table, ember_meminfo **out) {
  *out = nullptr;
  Translator tr(table);
  if (!tr.init()) return 2;
  const ember_str *x = ember_str_of(s);
  std::vector<uint32_t> cps;
  cps.reserve(static_cast<size_t>(x->length));
  for (int64_t i = 0; i < x->length; ++i) {
    uint32_t c = code_point(x, i);
    Mapping m;
    if (tr.map(c, &m) != 0) return 1;
    switch (m.kind) {
      case Mapping::Unknown:
      case Mapping::Keep: cps.push_back(c); break;
      case Mapping::Delete: break;
      case Mapping::Char: cps.push_back(m.cp); break;
      case Mapping::String: {
        const ember_str *r = ember_str_of(m.str);
        for (int64_t k = 0; k < r->length; ++k) cps.push_back(code_point(r, k));
        break;
      }
    }
  }
  *out = ember_str_from_units(cps.data(), static_cast<int64_t>(cps.size()), 4);
  return *out ? 0 : -1;
}

int32_t ember_str_maketrans(ember_meminfo *x, ember_meminfo *y, ember_meminfo *z,
                            const ember_typeinfo *key, const ember_typeinfo *value,
                            ember_meminfo **out) {
  *out = nullptr;
  const ember_str *a = ember_str_of(x), *b = ember_str_of(y);
  if (a->length != b->length) return 1;
  ValueReader vr;
  if (!vr.init(value) || !is_int_tag(vr.tag)) return 2;
  ember_meminfo *d = ember_dict_new(key, value);
  if (!d) return -1;
  alignas(8) char slot[16] = {};
  auto put = [&](uint32_t c, bool present, uint32_t to) {
    int64_t k = c;
    std::memset(slot, 0, sizeof slot);
    char *p = slot;
    if (vr.optional) {
      slot[0] = present ? 1 : 0;
      p += vr.offset;
    }
    if (present) write_int(vr.tag, to, p);
    return ember_dict_setitem(d, &k, slot) == 0;
  };
  for (int64_t i = 0; i < a->length; ++i)
    if (!put(code_point(a, i), true, code_point(b, i))) {
      ember_meminfo_decref(d);
      return -1;
    }
  if (z) {
    const ember_str *c = ember_str_of(z);
    for (int64_t i = 0; i < c->length; ++i)
      if (!put(code_point(c, i), false, 0)) {
        ember_meminfo_decref(d);
        return -1;
      }
  }
  *out = d;
  return 0;
}

int32_t ember_str_maketrans_dict(ember_meminfo *src, const ember_typeinfo *key,
                                 const ember_typeinfo *value, ember_meminfo **out) {
  *out = nullptr;
  int64_t n = 0;
  const int64_t *code = ember_typeinfo_code(ember_dict_key_type(src), &n);
  bool str_keys = n == 1 && code[0] == EMBER_T_UNICODE;
  if (n != 1 || !(str_keys || is_int_tag(code[0]))) return 2;
  int64_t src_tag = code[0];
  // A string key must be one character: checked before anything is built (CPython raises on
  // the first bad key it meets; the table is lost either way).
  int64_t pos = 0;
  void *k = nullptr, *v = nullptr;
  if (str_keys)
    while (ember_dict_next(src, &pos, &k, &v)) {
      ember_meminfo *ks;
      std::memcpy(&ks, k, sizeof ks);
      if (ember_str_of(ks)->length != 1) return 1;
    }
  ember_meminfo *d = ember_dict_new(key, value);
  if (!d) return -1;
  pos = 0;
  while (ember_dict_next(src, &pos, &k, &v)) {
    int64_t cp;
    if (str_keys) {
      ember_meminfo *ks;
      std::memcpy(&ks, k, sizeof ks);
      cp = code_point(ember_str_of(ks), 0);
    } else {
      cp = read_int(src_tag, k);
    }
    if (ember_dict_setitem(d, &cp, v) != 0) {  // the value's bytes as they are: same type
      ember_meminfo_decref(d);
      return -1;
    }
  }
  *out = d;
  return 0;
}

ember_meminfo *ember_str_remove_affix(ember_meminfo *s, ember_meminfo *affix, int32_t suffix) {
  int64_t n = ember_str_of(s)->length, m = ember_str_of(affix)->length;
  if (m > 0 && ember_str_startswith(s, affix, 0, n, suffix))
    return ember_str_slice(s, suffix ? 0 : m, 1, n - m);
  ember_meminfo_incref(s);
  return s;
}

}  // extern "C"
