// Run-time descriptions of the values containers hold (ember_typeinfo, ember/containers.h):
// built once per ABI type code and interned, they give an item's size and alignment (the rules
// of ember/abi.h, which DataModel.cpp and bindings/Boxing.cpp also follow), where its
// references are, and the hooks a hash table and a sort need: hash, equality, order, repr.
// Strings (ember/str.h) are one pointer, their MemInfo, hashed and compared by code points.
#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ember/containers.h"
#include "ember/runtime.h"
#include "ember/str.h"

struct ember_typeinfo {
  enum class Kind { Scalar, None, Array, Tuple, Optional, List, Dict, Set, Str, Instance };
  Kind kind = Kind::Scalar;
  int64_t tag = 0;  // the scalar's EMBER_T_* tag
  int64_t size = 0, align = 1;
  bool has_refs = false;
  std::vector<int64_t> code;
  std::vector<const ember_typeinfo *> children;  // tuple fields; optional: its inner type
  std::vector<int64_t> offsets;
};

namespace {

using Kind = ember_typeinfo::Kind;

std::mutex g_types_mutex;
std::map<std::vector<int64_t>, std::unique_ptr<ember_typeinfo>> *g_types = nullptr;
std::atomic<ember_adopt_fn> g_adopt{nullptr};

int64_t align_up(int64_t x, int64_t a) { return (x + a - 1) / a * a; }

// The code of the value starting at code[*pos]; advances *pos (no allocation: a dry walk).
bool skip_code(const int64_t *code, int64_t n, int64_t *pos) {
  if (*pos >= n) return false;
  int64_t tag = code[(*pos)++];
  if (ember_scalar_size(tag) || tag == EMBER_T_NONE || tag == EMBER_T_UNICODE) return true;
  switch (tag) {
    case EMBER_T_JITCLASS: ++*pos; return *pos <= n;
    case EMBER_T_ARRAY: *pos += 4; return *pos <= n;
    case EMBER_T_BYTES: *pos += 2; return *pos <= n;
    case EMBER_T_TUPLE: {
      if (*pos >= n) return false;
      int64_t k = code[(*pos)++];
      for (int64_t i = 0; i < k; ++i)
        if (!skip_code(code, n, pos)) return false;
      return true;
    }
    case EMBER_T_OPTIONAL:
    case EMBER_T_SET: return skip_code(code, n, pos);
    case EMBER_T_LIST: ++*pos; return skip_code(code, n, pos);
    case EMBER_T_DICT: return skip_code(code, n, pos) && skip_code(code, n, pos);
    default: return false;
  }
}

const ember_typeinfo *intern(const int64_t *code, int64_t n);

// Builds the typeinfo of code[0..n) (one whole value); caller holds the lock.
std::unique_ptr<ember_typeinfo> build(const int64_t *code, int64_t n) {
  auto t = std::make_unique<ember_typeinfo>();
  t->code.assign(code, code + n);
  int64_t tag = code[0];
  t->tag = tag;
  if (int64_t s = ember_scalar_size(tag)) {
    t->size = s;
    t->align = tag == EMBER_T_COMPLEX128 ? 8 : tag == EMBER_T_COMPLEX64 ? 4 : s;
    return t;
  }
  switch (tag) {
    case EMBER_T_NONE:
      t->kind = Kind::None;
      t->size = 1;
      return t;
    case EMBER_T_ARRAY:
    case EMBER_T_BYTES:  // a bytes or bytearray: a 1-d array struct
      t->kind = Kind::Array;
      t->size =
          static_cast<int64_t>(sizeof(ember_array)) + 16 * (tag == EMBER_T_BYTES ? 1 : code[2]);
      t->align = 8;
      t->has_refs = true;
      return t;
    case EMBER_T_UNICODE:
      t->kind = Kind::Str;
      t->size = 8;
      t->align = 8;
      t->has_refs = true;
      return t;
    case EMBER_T_JITCLASS:  // a jitclass instance: its MemInfo, compared by identity
      t->kind = Kind::Instance;
      t->size = 8;
      t->align = 8;
      t->has_refs = true;
      return t;
    case EMBER_T_LIST:
    case EMBER_T_DICT:
    case EMBER_T_SET:
      t->kind = tag == EMBER_T_LIST ? Kind::List : tag == EMBER_T_DICT ? Kind::Dict : Kind::Set;
      t->size = 8;
      t->align = 8;
      t->has_refs = true;
      return t;
    case EMBER_T_TUPLE: {
      t->kind = Kind::Tuple;
      int64_t k = code[1], pos = 2, off = 0;
      for (int64_t i = 0; i < k; ++i) {
        int64_t start = pos;
        if (!skip_code(code, n, &pos)) return nullptr;
        const ember_typeinfo *c = intern(code + start, pos - start);
        if (!c) return nullptr;
        off = align_up(off, c->align);
        t->offsets.push_back(off);
        off += c->size;
        t->align = std::max(t->align, c->align);
        t->has_refs |= c->has_refs;
        t->children.push_back(c);
      }
      t->size = align_up(off, t->align);
      return t;
    }
    case EMBER_T_OPTIONAL: {
      t->kind = Kind::Optional;
      const ember_typeinfo *c = intern(code + 1, n - 1);
      if (!c) return nullptr;
      t->children.push_back(c);
      t->offsets.push_back(align_up(1, c->align));
      t->align = c->align;
      t->size = align_up(t->offsets[0] + c->size, t->align);
      t->has_refs = c->has_refs;
      return t;
    }
    default: return nullptr;
  }
}

const ember_typeinfo *intern(const int64_t *code, int64_t n) {
  if (n <= 0) return nullptr;
  int64_t pos = 0;
  if (!skip_code(code, n, &pos) || pos != n) return nullptr;
  if (!g_types) g_types = new std::map<std::vector<int64_t>, std::unique_ptr<ember_typeinfo>>();
  std::vector<int64_t> key(code, code + n);
  auto it = g_types->find(key);
  if (it != g_types->end()) return it->second.get();
  auto t = build(code, n);
  if (!t) return nullptr;
  const ember_typeinfo *p = t.get();
  g_types->emplace(std::move(key), std::move(t));
  return p;
}

template <typename T>
T load(const void *p) {
  T x;
  std::memcpy(&x, p, sizeof x);
  return x;
}

uint64_t mix(uint64_t x) {  // splitmix64's finalizer: sequential keys spread over the table
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t hash_double(double d) {
  if (d == 0.0) return 0;  // 0.0 == -0.0
  if (d == std::trunc(d) && std::fabs(d) < 9.2e18)
    return static_cast<uint64_t>(static_cast<int64_t>(d));  // 1.0 hashes as 1, as in Python
  return load<uint64_t>(&d);
}

// Signed and unsigned integers and floats of one scalar, widened for hashing and comparing.
bool is_float_tag(int64_t tag) { return tag == EMBER_T_FLOAT32 || tag == EMBER_T_FLOAT64; }

int64_t as_int(int64_t tag, const void *p) {
  switch (tag) {
    case EMBER_T_BOOL:
    case EMBER_T_UINT8: return load<uint8_t>(p);
    case EMBER_T_INT8: return load<int8_t>(p);
    case EMBER_T_INT16: return load<int16_t>(p);
    case EMBER_T_UINT16: return load<uint16_t>(p);
    case EMBER_T_INT32: return load<int32_t>(p);
    case EMBER_T_UINT32: return load<uint32_t>(p);
    default: return load<int64_t>(p);  // int64, uint64 (bits)
  }
}

double as_double(int64_t tag, const void *p) {
  return tag == EMBER_T_FLOAT32 ? static_cast<double>(load<float>(p)) : load<double>(p);
}

int32_t cmp3(double a, double b) { return a < b ? -1 : b < a ? 1 : 0; }

void append_double_repr(std::string &out, double d) {
  if (std::isnan(d)) {
    out += "nan";
    return;
  }
  if (std::isinf(d)) {
    out += d > 0 ? "inf" : "-inf";
    return;
  }
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {  // the shortest text that reads back, as repr()
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  out += s;
}

// repr() of a string as Python writes it for ASCII text: quoted, with \\, the quote and control
// characters escaped; other code points as UTF-8 (ast.literal_eval reads it back either way).
void append_str_repr(std::string &out, ember_meminfo *mi) {
  const ember_str *s = ember_str_of(mi);
  out += '\'';
  for (int64_t i = 0; i < s->length; ++i) {
    uint32_t c = s->kind == 1   ? static_cast<const uint8_t *>(s->chars)[i]
                 : s->kind == 2 ? static_cast<const uint16_t *>(s->chars)[i]
                                : static_cast<const uint32_t *>(s->chars)[i];
    char buf[12];
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xe0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (c & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  out += '\'';
}

void append_repr(std::string &out, const ember_typeinfo *t, const void *p) {
  const auto *c = static_cast<const char *>(p);
  switch (t->kind) {
    case Kind::Scalar: {
      char buf[48];
      if (t->tag == EMBER_T_BOOL) {
        out += load<uint8_t>(p) ? "True" : "False";
      } else if (is_float_tag(t->tag)) {
        append_double_repr(out, as_double(t->tag, p));
      } else if (t->tag == EMBER_T_UINT64) {
        std::snprintf(buf, sizeof buf, "%" PRIu64, load<uint64_t>(p));
        out += buf;
      } else if (t->tag == EMBER_T_COMPLEX64 || t->tag == EMBER_T_COMPLEX128) {
        bool f = t->tag == EMBER_T_COMPLEX64;
        double re = f ? load<float>(p) : load<double>(p);
        double im = f ? load<float>(c + 4) : load<double>(c + 8);
        out += "(";
        append_double_repr(out, re);
        out += im < 0 ? "-" : "+";
        append_double_repr(out, std::fabs(im));
        out += "j)";
      } else {
        std::snprintf(buf, sizeof buf, "%" PRId64, as_int(t->tag, p));
        out += buf;
      }
      return;
    }
    case Kind::None: out += "None"; return;
    case Kind::Tuple:
      out += "(";
      for (size_t i = 0; i < t->children.size(); ++i) {
        if (i) out += ", ";
        append_repr(out, t->children[i], c + t->offsets[i]);
      }
      out += t->children.size() == 1 ? ",)" : ")";
      return;
    case Kind::Optional:
      if (!load<uint8_t>(p))
        out += "None";
      else
        append_repr(out, t->children[0], c + t->offsets[0]);
      return;
    case Kind::Str: append_str_repr(out, load<ember_meminfo *>(p)); return;
    case Kind::Array: out += "array(...)"; return;
    case Kind::List: out += "[...]"; return;
    case Kind::Dict: out += "{...}"; return;
    case Kind::Set: out += "{...}"; return;
    case Kind::Instance: out += "<jitclass instance>"; return;
  }
}

}  // namespace

extern "C" {

int64_t ember_scalar_size(int64_t tag) {
  switch (tag) {
    case EMBER_T_BOOL:
    case EMBER_T_INT8:
    case EMBER_T_UINT8: return 1;
    case EMBER_T_INT16:
    case EMBER_T_UINT16: return 2;
    case EMBER_T_INT32:
    case EMBER_T_UINT32:
    case EMBER_T_FLOAT32: return 4;
    case EMBER_T_INT64:
    case EMBER_T_UINT64:
    case EMBER_T_FLOAT64:
    case EMBER_T_COMPLEX64: return 8;
    case EMBER_T_COMPLEX128: return 16;
    default:  // datetime64 / timedelta64: an int64 count, the unit in the tag's second byte
      return (tag & 0xff) == EMBER_T_DATETIME || (tag & 0xff) == EMBER_T_TIMEDELTA ? 8 : 0;
  }
}

const ember_typeinfo *ember_typeinfo_get(const int64_t *code, int64_t n) {
  std::lock_guard<std::mutex> lock(g_types_mutex);
  return intern(code, n);
}

int64_t ember_typeinfo_size(const ember_typeinfo *t) { return t ? t->size : 0; }

const int64_t *ember_typeinfo_code(const ember_typeinfo *t, int64_t *n) {
  *n = static_cast<int64_t>(t->code.size());
  return t->code.data();
}

void ember_set_adopt_hook(ember_adopt_fn fn) { g_adopt.store(fn); }

uint64_t ember_value_hash(const ember_typeinfo *t, const void *p) {
  const auto *c = static_cast<const char *>(p);
  switch (t->kind) {
    case Kind::Scalar:
      if (is_float_tag(t->tag)) return mix(hash_double(as_double(t->tag, p)));
      if (t->tag == EMBER_T_COMPLEX64 || t->tag == EMBER_T_COMPLEX128) {
        bool f = t->tag == EMBER_T_COMPLEX64;
        double re = f ? load<float>(p) : load<double>(p);
        double im = f ? load<float>(c + 4) : load<double>(c + 8);
        return mix(hash_double(re) * 1000003u ^ hash_double(im));
      }
      return mix(static_cast<uint64_t>(as_int(t->tag, p)));
    case Kind::None: return 0;
    case Kind::Str: return mix(static_cast<uint64_t>(ember_str_hash(load<ember_meminfo *>(p))));
    case Kind::Tuple: {
      uint64_t h = 0x345678u;
      for (size_t i = 0; i < t->children.size(); ++i)
        h = (h ^ ember_value_hash(t->children[i], c + t->offsets[i])) * 1000003u + i;
      return mix(h);
    }
    case Kind::Optional:
      return load<uint8_t>(p) ? ember_value_hash(t->children[0], c + t->offsets[0]) : 0;
    case Kind::Array:
    case Kind::List:
    case Kind::Dict:
    case Kind::Set:
    case Kind::Instance: return 0;  // unhashable: typing never makes such keys
  }
  return 0;
}

int32_t ember_value_eq(const ember_typeinfo *t, const void *a, const void *b) {
  const auto *ca = static_cast<const char *>(a);
  const auto *cb = static_cast<const char *>(b);
  switch (t->kind) {
    case Kind::Scalar:
      if (is_float_tag(t->tag)) return as_double(t->tag, a) == as_double(t->tag, b);
      if (t->tag == EMBER_T_COMPLEX64)
        return load<float>(ca) == load<float>(cb) && load<float>(ca + 4) == load<float>(cb + 4);
      if (t->tag == EMBER_T_COMPLEX128)
        return load<double>(ca) == load<double>(cb) && load<double>(ca + 8) == load<double>(cb + 8);
      return as_int(t->tag, a) == as_int(t->tag, b);
    case Kind::None: return 1;
    case Kind::Str: return ember_str_equal(load<ember_meminfo *>(a), load<ember_meminfo *>(b));
    case Kind::Tuple:
      for (size_t i = 0; i < t->children.size(); ++i)
        if (!ember_value_eq(t->children[i], ca + t->offsets[i], cb + t->offsets[i])) return 0;
      return 1;
    case Kind::Optional: {
      uint8_t pa = load<uint8_t>(a), pb = load<uint8_t>(b);
      if (pa != pb) return 0;
      return !pa || ember_value_eq(t->children[0], ca + t->offsets[0], cb + t->offsets[0]);
    }
    case Kind::List: return ember_list_eq(load<ember_meminfo *>(a), load<ember_meminfo *>(b));
    case Kind::Set:
      return ember_set_compare(load<ember_meminfo *>(a), load<ember_meminfo *>(b), EMBER_SET_EQUAL);
    case Kind::Dict: return ember_dict_eq(load<ember_meminfo *>(a), load<ember_meminfo *>(b));
    case Kind::Array:
    case Kind::Instance: return std::memcmp(a, b, static_cast<size_t>(t->size)) == 0;  // identity
  }
  return 0;
}

int32_t ember_value_cmp(const ember_typeinfo *t, const void *a, const void *b) {
  const auto *ca = static_cast<const char *>(a);
  const auto *cb = static_cast<const char *>(b);
  switch (t->kind) {
    case Kind::Scalar:
      if (is_float_tag(t->tag)) return cmp3(as_double(t->tag, a), as_double(t->tag, b));
      if (t->tag == EMBER_T_UINT64) {
        uint64_t x = load<uint64_t>(a), y = load<uint64_t>(b);
        return x < y ? -1 : y < x ? 1 : 0;
      }
      if (t->tag == EMBER_T_COMPLEX64 || t->tag == EMBER_T_COMPLEX128) return 0;
      {
        int64_t x = as_int(t->tag, a), y = as_int(t->tag, b);
        return x < y ? -1 : y < x ? 1 : 0;
      }
    case Kind::Tuple:
      // Python: the first unequal pair decides (NaN is unequal to itself, and then neither
      // less nor greater).
      for (size_t i = 0; i < t->children.size(); ++i) {
        const void *x = ca + t->offsets[i], *y = cb + t->offsets[i];
        if (ember_value_eq(t->children[i], x, y)) continue;
        return ember_value_cmp(t->children[i], x, y);
      }
      return 0;
    case Kind::List: return ember_list_cmp(load<ember_meminfo *>(a), load<ember_meminfo *>(b));
    case Kind::Str: return ember_str_compare(load<ember_meminfo *>(a), load<ember_meminfo *>(b));
    case Kind::Optional:
    case Kind::None:
    case Kind::Array:
    case Kind::Dict:
    case Kind::Set:
    case Kind::Instance: return 0;
  }
  return 0;
}

void ember_value_incref(const ember_typeinfo *t, void *p) {
  if (!t->has_refs) return;
  auto *c = static_cast<char *>(p);
  switch (t->kind) {
    case Kind::Array: {
      auto *a = static_cast<ember_array *>(p);
      if (a->meminfo) {
        ember_meminfo_incref(a->meminfo);
      } else if (a->parent) {
        ember_adopt_fn adopt = g_adopt.load();
        if (adopt) a->meminfo = adopt(a->parent);
      }
      return;
    }
    case Kind::List:
    case Kind::Dict:
    case Kind::Set:
    case Kind::Instance:
    case Kind::Str: ember_meminfo_incref(load<ember_meminfo *>(p)); return;
    case Kind::Tuple:
      for (size_t i = 0; i < t->children.size(); ++i)
        ember_value_incref(t->children[i], c + t->offsets[i]);
      return;
    case Kind::Optional:
      if (load<uint8_t>(p)) ember_value_incref(t->children[0], c + t->offsets[0]);
      return;
    case Kind::Scalar:
    case Kind::None: return;
  }
}

int32_t ember_typeinfo_has_refs(const ember_typeinfo *t) { return t->has_refs ? 1 : 0; }

void ember_value_decref(const ember_typeinfo *t, void *p) {
  if (!t->has_refs) return;
  auto *c = static_cast<char *>(p);
  switch (t->kind) {
    case Kind::Array: ember_meminfo_decref(static_cast<ember_array *>(p)->meminfo); return;
    case Kind::List:
    case Kind::Dict:
    case Kind::Set:
    case Kind::Instance:
    case Kind::Str: ember_meminfo_decref(load<ember_meminfo *>(p)); return;
    case Kind::Tuple:
      for (size_t i = 0; i < t->children.size(); ++i)
        ember_value_decref(t->children[i], c + t->offsets[i]);
      return;
    case Kind::Optional:
      if (load<uint8_t>(p)) ember_value_decref(t->children[0], c + t->offsets[0]);
      return;
    case Kind::Scalar:
    case Kind::None: return;
  }
}

const char *ember_value_repr(const ember_typeinfo *t, const void *p) {
  thread_local std::string buf;
  buf.clear();
  append_repr(buf, t, p);
  return buf.c_str();
}

}  // extern "C"
