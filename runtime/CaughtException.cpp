// Reading an exception compiled code has caught (`except E as e`): e.args converted to the
// tuple type its handler was typed with (typeinfer/CaughtArgs.cpp), and str(e) formatted as
// Python formats it.  The error record holds either the arguments (ember_exc_args: a type code
// and the values) or a message, which stands for a one-element args tuple (none when empty).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ember/abi.h"
#include "ember/runtime.h"
#include "ember/str.h"

namespace ember_str_internal {
std::string repr_double_text(double v);
}  // namespace ember_str_internal

namespace {

// One argument of the record: where its value is and what it is.
struct Arg {
  int64_t tag;
  const unsigned char *data;
};

size_t size_of(int64_t tag) {
  switch (tag) {
    case EMBER_T_BOOL:
    case EMBER_T_INT8:
    case EMBER_T_UINT8: return 1;
    case EMBER_T_INT16:
    case EMBER_T_UINT16:
    case EMBER_T_FLOAT16: return 2;
    case EMBER_T_INT32:
    case EMBER_T_UINT32:
    case EMBER_T_FLOAT32: return 4;
    case EMBER_T_COMPLEX64: return 8;
    case EMBER_T_COMPLEX128: return 16;
    default: return 8;  // 64-bit numbers, CSTR and UNICODE pointers
  }
}

size_t align_of(int64_t tag) {
  if (tag == EMBER_T_COMPLEX64) return 4;
  if (tag == EMBER_T_COMPLEX128) return 8;
  return size_of(tag);
}

// The element tags of a flat tuple code [TUPLE, n, tags...]; false for anything else.
bool tuple_tags(const int64_t *code, int64_t ncode, std::vector<int64_t> *tags) {
  if (ncode < 2 || code[0] != EMBER_T_TUPLE || code[1] != ncode - 2) return false;
  tags->assign(code + 2, code + ncode);
  return true;
}

// The offsets of a C struct of these elements (natural alignment, ember/abi.h).
std::vector<size_t> offsets(const std::vector<int64_t> &tags) {
  std::vector<size_t> out;
  size_t pos = 0;
  for (int64_t t : tags) {
    size_t a = align_of(t);
    pos = (pos + a - 1) / a * a;
    out.push_back(pos);
    pos += size_of(t);
  }
  return out;
}

// The caught exception's arguments; the message, when the record has no values.
bool record_args(const ember_error *err, std::vector<Arg> *args, const char **msg_slot) {
  args->clear();
  if (!err->args) {
    *msg_slot = err->msg;
    if (err->msg && *err->msg)
      args->push_back({EMBER_T_CSTR, reinterpret_cast<const unsigned char *>(msg_slot)});
    return true;
  }
  const auto *words = static_cast<const int64_t *>(err->args);
  std::vector<int64_t> tags;
  if (!tuple_tags(words + 1, words[0], &tags)) return false;
  size_t header = (static_cast<size_t>(words[0]) + 1) * sizeof(int64_t);
  header = (header + 15) / 16 * 16;
  const auto *base = static_cast<const unsigned char *>(err->args) + header;
  std::vector<size_t> at = offsets(tags);
  for (size_t k = 0; k < tags.size(); ++k) args->push_back({tags[k], base + at[k]});
  return true;
}

bool is_float_tag(int64_t t) { return t == EMBER_T_FLOAT32 || t == EMBER_T_FLOAT64; }
bool is_complex_tag(int64_t t) { return t == EMBER_T_COMPLEX64 || t == EMBER_T_COMPLEX128; }
bool is_number_tag(int64_t t) {
  return (t >= EMBER_T_BOOL && t <= EMBER_T_COMPLEX128) || t == EMBER_T_FLOAT16;
}

template <typename T>
T load(const unsigned char *p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

double as_double(const Arg &a) {
  switch (a.tag) {
    case EMBER_T_FLOAT32: return load<float>(a.data);
    case EMBER_T_FLOAT64: return load<double>(a.data);
    case EMBER_T_COMPLEX64: return load<float>(a.data);
    case EMBER_T_COMPLEX128: return load<double>(a.data);
    case EMBER_T_UINT64: return static_cast<double>(load<uint64_t>(a.data));
    default: break;
  }
  int64_t v = 0;
  switch (a.tag) {
    case EMBER_T_BOOL: v = load<uint8_t>(a.data) != 0; break;
    case EMBER_T_INT8: v = load<int8_t>(a.data); break;
    case EMBER_T_INT16: v = load<int16_t>(a.data); break;
    case EMBER_T_INT32: v = load<int32_t>(a.data); break;
    case EMBER_T_INT64: v = load<int64_t>(a.data); break;
    case EMBER_T_UINT8: v = load<uint8_t>(a.data); break;
    case EMBER_T_UINT16: v = load<uint16_t>(a.data); break;
    case EMBER_T_UINT32: v = load<uint32_t>(a.data); break;
    default: break;
  }
  return static_cast<double>(v);
}

int64_t as_int(const Arg &a) {
  switch (a.tag) {
    case EMBER_T_BOOL: return load<uint8_t>(a.data) != 0;
    case EMBER_T_INT8: return load<int8_t>(a.data);
    case EMBER_T_INT16: return load<int16_t>(a.data);
    case EMBER_T_INT32: return load<int32_t>(a.data);
    case EMBER_T_UINT8: return load<uint8_t>(a.data);
    case EMBER_T_UINT16: return load<uint16_t>(a.data);
    case EMBER_T_UINT32: return load<uint32_t>(a.data);
    default: return load<int64_t>(a.data);  // INT64, UINT64 (same bits)
  }
}

double imag_of(const Arg &a) {
  if (a.tag == EMBER_T_COMPLEX64) return load<float>(a.data + 4);
  if (a.tag == EMBER_T_COMPLEX128) return load<double>(a.data + 8);
  return 0.0;
}

// Whether a value of tag `from` may be read as `to` (typing unified them: a wider number).
bool convertible(int64_t from, int64_t to) {
  if (to == EMBER_T_UNICODE) return from == EMBER_T_CSTR;
  if (!is_number_tag(to) || !is_number_tag(from)) return false;
  if (is_complex_tag(from)) return is_complex_tag(to);
  if (is_float_tag(from) || from == EMBER_T_FLOAT16)
    return is_float_tag(to) || is_complex_tag(to) || to == EMBER_T_FLOAT16;
  return true;
}

template <typename T>
void store(unsigned char *p, T v) {
  std::memcpy(p, &v, sizeof v);
}

void write(const Arg &a, int64_t to, unsigned char *out) {
  switch (to) {
    case EMBER_T_UNICODE: {
      const char *s = load<const char *>(a.data);
      store(out, ember_str_from_utf8(s, static_cast<int64_t>(std::strlen(s))));
      return;
    }
    case EMBER_T_FLOAT32: store(out, static_cast<float>(as_double(a))); return;
    case EMBER_T_FLOAT64: store(out, as_double(a)); return;
    case EMBER_T_COMPLEX64:
      store(out, static_cast<float>(as_double(a)));
      store(out + 4, static_cast<float>(imag_of(a)));
      return;
    case EMBER_T_COMPLEX128:
      store(out, as_double(a));
      store(out + 8, imag_of(a));
      return;
    case EMBER_T_BOOL: store(out, static_cast<uint8_t>(as_int(a) != 0)); return;
    default: break;
  }
  int64_t v = as_int(a);
  std::memcpy(out, &v, size_of(to));  // little-endian: the low bytes
}

std::string str_quoted(const char *s) {
  bool single = std::strchr(s, '\'') != nullptr, dbl = std::strchr(s, '"') != nullptr;
  char q = single && !dbl ? '"' : '\'';
  std::string out(1, q);
  for (const char *p = s; *p; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '\\' || c == static_cast<unsigned char>(q)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);  // UTF-8 bytes of printable characters stay as they are
    }
  }
  return out + q;
}

// A component of complex's repr: integral values without ".0", as Python writes them.
std::string complex_part(double v) {
  std::string s = ember_str_internal::repr_double_text(v);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

std::string text_of(const Arg &a, bool repr) {
  switch (a.tag) {
    case EMBER_T_CSTR: {
      const char *s = load<const char *>(a.data);
      return repr ? str_quoted(s) : std::string(s);
    }
    case EMBER_T_BOOL: return as_int(a) ? "True" : "False";
    case EMBER_T_FLOAT16:
    case EMBER_T_FLOAT32:
    case EMBER_T_FLOAT64: return ember_str_internal::repr_double_text(as_double(a));
    case EMBER_T_COMPLEX64:
    case EMBER_T_COMPLEX128: {
      double re = as_double(a), im = imag_of(a);
      if (re == 0.0 && !std::signbit(re)) return complex_part(im) + "j";
      std::string i = complex_part(im);
      if (i[0] != '-') i = "+" + i;
      return "(" + complex_part(re) + i + "j)";
    }
    case EMBER_T_UINT64: return std::to_string(load<uint64_t>(a.data));
    default: return std::to_string(as_int(a));
  }
}

}  // namespace

extern "C" {

int32_t ember_exc_read_args(const ember_error *err, const int64_t *code, int64_t ncode, void *out) {
  std::vector<int64_t> want;
  std::vector<Arg> have;
  const char *msg = nullptr;
  if (!tuple_tags(code, ncode, &want) || !record_args(err, &have, &msg)) return 1;
  if (want.size() != have.size()) return 1;
  for (size_t k = 0; k < want.size(); ++k)
    if (!convertible(have[k].tag, want[k])) return 1;
  std::vector<size_t> at = offsets(want);
  for (size_t k = 0; k < want.size(); ++k)
    write(have[k], want[k], static_cast<unsigned char *>(out) + at[k]);
  return 0;
}

ember_meminfo *ember_exc_str(const ember_error *err) {
  std::vector<Arg> args;
  const char *msg = nullptr;
  std::string text;
  if (record_args(err, &args, &msg)) {
    if (args.size() == 1) {
      text = text_of(args[0], false);
    } else if (args.size() > 1) {
      text = "(";
      for (size_t k = 0; k < args.size(); ++k) text += (k ? ", " : "") + text_of(args[k], true);
      text += ")";
    }
  }
  return ember_str_from_utf8(text.data(), static_cast<int64_t>(text.size()));
}

}  // extern "C"
