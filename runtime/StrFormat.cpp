// Numbers to and from strings, as Python does them (ember/str.h): str(int), str(float) as
// repr (the shortest digits that round-trip, in Python's layout), int(s) and float(s) with
// Python's grammar (whitespace, signs, underscores between digits, inf/nan), and format(x, spec)
// for the standard format-spec mini-language used by f-strings and str.format.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ember/runtime.h"
#include "ember/str.h"

namespace ember_str_internal {
const ember_unicode_hooks &hooks();
uint32_t code_point(const ember_str *s, int64_t i);
}  // namespace ember_str_internal

namespace {

using ember_str_internal::code_point;
using ember_str_internal::hooks;

ember_meminfo *ascii(const std::string &s) {
  return ember_str_from_units(s.data(), static_cast<int64_t>(s.size()), 1);
}

ember_meminfo *from_cps(const std::vector<uint32_t> &cps) {
  return ember_str_from_units(cps.data(), static_cast<int64_t>(cps.size()), 4);
}

// Python's repr of a finite, non-negative double: the shortest round-tripping digits, fixed
// notation for 1e-4 <= x < 1e16 and exponent notation otherwise.
std::string repr_abs(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  size_t e = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < e; ++i)
    if (sci[i] != '.') digits += sci[i];
  int exp10 = std::atoi(sci.c_str() + e + 1);
  int decpt = exp10 + 1;
  int n = static_cast<int>(digits.size());
  std::string out;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0)
      out = "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
    else if (decpt >= n)
      out = digits + std::string(static_cast<size_t>(decpt - n), '0') + ".0";
    else
      out = digits.substr(0, static_cast<size_t>(decpt)) + "." +
            digits.substr(static_cast<size_t>(decpt));
    return out;
  }
  out = digits.substr(0, 1);
  if (n > 1) out += "." + digits.substr(1);
  char ebuf[16];
  std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
  return out + ebuf;
}

std::string repr_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  return (std::signbit(v) ? "-" : "") + repr_abs(std::fabs(v));
}

// The code points of s without the surrounding whitespace, as ASCII where they are decimal
// digits (CPython accepts any Unicode decimal digit); false when s holds other non-ASCII.
bool stripped_ascii(ember_meminfo *m, std::string *out) {
  ember_str *s = ember_str_of(m);
  int64_t lo = 0, hi = s->length;
  while (lo < hi && hooks().is_space(code_point(s, lo))) ++lo;
  while (hi > lo && hooks().is_space(code_point(s, hi - 1))) --hi;
  for (int64_t i = lo; i < hi; ++i) {
    uint32_t c = code_point(s, i);
    if (c >= 128) {
      int d = hooks().decimal_value(c);
      if (d < 0) return false;
      c = static_cast<uint32_t>('0' + d);
    }
    out->push_back(static_cast<char>(c));
  }
  return true;
}

// Removes underscores that sit between two digits; false for any other underscore.
bool drop_underscores(std::string *s) {
  std::string out;
  for (size_t i = 0; i < s->size(); ++i) {
    char c = (*s)[i];
    if (c != '_') {
      out += c;
      continue;
    }
    bool ok = i > 0 && i + 1 < s->size() && std::isdigit(static_cast<unsigned char>((*s)[i - 1])) &&
              std::isdigit(static_cast<unsigned char>((*s)[i + 1]));
    if (!ok) return false;
  }
  *s = out;
  return true;
}

// ---- format specs ---------------------------------------------------------------------------

struct Spec {
  uint32_t fill = ' ';
  char align = 0;  // < > ^ =
  char sign = '-';
  bool alt = false, zero = false;
  int64_t width = -1;
  char grouping = 0;
  int64_t precision = -1;
  char type = 0;
};

bool parse_spec(ember_meminfo *m, Spec *sp) {
  ember_str *s = ember_str_of(m);
  int64_t n = s->length, i = 0;
  auto at = [&](int64_t k) { return k < n ? code_point(s, k) : 0u; };
  auto is_align = [](uint32_t c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (n >= 2 && is_align(at(1))) {
    sp->fill = at(0);
    sp->align = static_cast<char>(at(1));
    i = 2;
  } else if (n >= 1 && is_align(at(0))) {
    sp->align = static_cast<char>(at(0));
    i = 1;
  }
  if (at(i) == '+' || at(i) == '-' || at(i) == ' ') sp->sign = static_cast<char>(at(i++));
  if (at(i) == 'z') ++i;
  if (at(i) == '#') {
    sp->alt = true;
    ++i;
  }
  if (at(i) == '0') {
    sp->zero = true;
    ++i;
  }
  while (at(i) >= '0' && at(i) <= '9') {
    sp->width = (sp->width < 0 ? 0 : sp->width) * 10 + (at(i++) - '0');
    if (sp->width > (int64_t{1} << 30)) return false;
  }
  if (at(i) == ',' || at(i) == '_') sp->grouping = static_cast<char>(at(i++));
  if (at(i) == '.') {
    ++i;
    if (!(at(i) >= '0' && at(i) <= '9')) return false;
    sp->precision = 0;
    while (at(i) >= '0' && at(i) <= '9') {
      sp->precision = sp->precision * 10 + (at(i++) - '0');
      if (sp->precision > (int64_t{1} << 20)) return false;
    }
  }
  if (i < n) {
    uint32_t type = at(i++);
    if (type >= 128) return false;
    sp->type = static_cast<char>(type);
  }
  if (i != n) return false;
  if (sp->zero && !sp->align) {
    sp->fill = '0';
    sp->align = '=';
  }
  return true;
}

// Inserts the grouping separator every `every` digits of the integer part of body.
std::string group(const std::string &body, char sep, int every) {
  size_t end = 0;
  while (end < body.size() && std::isxdigit(static_cast<unsigned char>(body[end]))) ++end;
  if (body.find_first_of("eE") != std::string::npos && body.find('.') == std::string::npos)
    end = body.find_first_of("eE");
  std::string head = body.substr(0, end), out;
  int k = 0;
  for (size_t i = head.size(); i-- > 0;) {
    out.insert(out.begin(), head[i]);
    if (++k % every == 0 && i > 0) out.insert(out.begin(), sep);
  }
  return out + body.substr(end);
}

// Pads sign + body to the spec's width.
ember_meminfo *finish(const Spec &sp, const std::string &sign, const std::string &body,
                      char default_align) {
  std::vector<uint32_t> text;
  for (char c : sign) text.push_back(static_cast<unsigned char>(c));
  for (char c : body) text.push_back(static_cast<unsigned char>(c));
  int64_t pad = sp.width - static_cast<int64_t>(text.size());
  if (pad <= 0) return from_cps(text);
  char align = sp.align ? sp.align : default_align;
  std::vector<uint32_t> out;
  auto fill = [&](int64_t k) { out.insert(out.end(), static_cast<size_t>(k), sp.fill); };
  switch (align) {
    case '<':
      out = text;
      fill(pad);
      break;
    case '^':
      fill(pad / 2);
      out.insert(out.end(), text.begin(), text.end());
      fill(pad - pad / 2);
      break;
    case '=':
      for (char c : sign) out.push_back(static_cast<unsigned char>(c));
      fill(pad);
      for (char c : body) out.push_back(static_cast<unsigned char>(c));
      break;
    default:
      fill(pad);
      out.insert(out.end(), text.begin(), text.end());
      break;
  }
  return from_cps(out);
}

std::string sign_of(bool negative, char sign) {
  if (negative) return "-";
  return sign == '+' ? "+" : sign == ' ' ? " " : "";
}

// A double in the spec's float presentation (type none, e, E, f, F, g, G, %), without a sign.
bool float_body(double a, const Spec &sp, std::string *out) {
  char type = sp.type;
  if (std::isnan(a) || std::isinf(a)) {
    std::string t = std::isnan(a) ? "nan" : "inf";
    if (type == 'E' || type == 'F' || type == 'G')
      for (char &c : t) c = static_cast<char>(std::toupper(c));
    *out = type == '%' ? t + "%" : t;
    return true;
  }
  std::vector<char> buf(static_cast<size_t>(sp.precision + 400));
  auto print = [&](char conversion, int64_t prec, double x) {
    char fmt[8] = "%";
    std::strcat(fmt, sp.alt ? "#.*" : ".*");
    size_t n = std::strlen(fmt);
    fmt[n] = conversion;
    fmt[n + 1] = 0;
    std::snprintf(buf.data(), buf.size(), fmt, static_cast<int>(prec), x);
    return std::string(buf.data());
  };
  switch (type) {
    case 0: {
      if (sp.precision < 0) {
        *out = repr_abs(a);
        return true;
      }
      int64_t p = sp.precision == 0 ? 1 : sp.precision;
      std::string e = print('e', p - 1, a);
      int x = std::atoi(e.c_str() + e.find('e') + 1);
      if (x >= -4 && x < p - 1) {
        std::string f = print('f', p - 1 - x, a);
        if (!sp.alt && f.find('.') != std::string::npos) {
          while (f.back() == '0') f.pop_back();
          if (f.back() == '.') f += '0';
        }
        *out = f;
      } else {
        std::string g = print('g', p, a);
        *out = g;
      }
      return true;
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      int64_t p = sp.precision < 0 ? 6 : sp.precision;
      if ((type == 'g' || type == 'G') && p == 0) p = 1;
      *out = print(type, p, a);
      return true;
    }
    case '%': {
      int64_t p = sp.precision < 0 ? 6 : sp.precision;
      *out = print('f', p, a * 100.0) + "%";
      return true;
    }
    default: return false;
  }
}

}  // namespace

extern "C" {

ember_meminfo *ember_str_from_int(int64_t v) { return ascii(std::to_string(v)); }
ember_meminfo *ember_str_from_uint(uint64_t v) { return ascii(std::to_string(v)); }
ember_meminfo *ember_str_from_float(double v) { return ascii(repr_double(v)); }
ember_meminfo *ember_str_from_bool(int32_t v) { return ascii(v ? "True" : "False"); }

int32_t ember_str_to_int(ember_meminfo *s, int64_t *out) {
  std::string t;
  if (!stripped_ascii(s, &t)) return 1;
  size_t i = 0;
  bool neg = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
  std::string digits = t.substr(i);
  if (digits.empty() || !drop_underscores(&digits)) return 1;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 1;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return 2;
    v = v * 10 + d;
  }
  uint64_t limit = neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (v > limit) return 2;
  *out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return 0;
}

int32_t ember_str_to_float(ember_meminfo *s, double *out) {
  std::string t;
  if (!stripped_ascii(s, &t)) return 1;
  size_t i = 0;
  bool neg = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
  std::string rest = t.substr(i), lower;
  for (char c : rest) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double v;
  if (lower == "inf" || lower == "infinity") {
    v = HUGE_VAL;
  } else if (lower == "nan") {
    v = std::nan("");
  } else {
    if (!drop_underscores(&rest)) return 1;
    // Python's grammar: digits [. digits] or . digits, then an optional exponent.
    size_t k = 0, nd = 0;
    while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) ++k, ++nd;
    if (k < rest.size() && rest[k] == '.') {
      ++k;
      while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) ++k, ++nd;
    }
    if (nd == 0) return 1;
    if (k < rest.size() && (rest[k] == 'e' || rest[k] == 'E')) {
      ++k;
      if (k < rest.size() && (rest[k] == '+' || rest[k] == '-')) ++k;
      size_t ed = 0;
      while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) ++k, ++ed;
      if (ed == 0) return 1;
    }
    if (k != rest.size()) return 1;
    auto r = std::from_chars(rest.data(), rest.data() + rest.size(), v);
    // Out of range: from_chars reports it and leaves v; Python gives inf or 0.
    if (r.ec == std::errc::result_out_of_range) {
      size_t e = rest.find_first_of("eE");
      bool tiny = e != std::string::npos && rest.find('-', e) != std::string::npos;
      v = tiny ? 0.0 : HUGE_VAL;
    } else if (r.ec != std::errc() || r.ptr != rest.data() + rest.size()) {
      return 1;
    }
  }
  *out = neg ? -v : v;
  return 0;
}

ember_meminfo *ember_str_format_int(int64_t v, ember_meminfo *spec) {
  Spec sp;
  if (!parse_spec(spec, &sp)) return nullptr;
  switch (sp.type) {
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
    case '%': return ember_str_format_float(static_cast<double>(v), spec);
    default: break;
  }
  if (sp.precision >= 0) return nullptr;  // "Precision not allowed in integer format specifier"
  bool neg = v < 0;
  uint64_t a = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::string body, prefix;
  int every = 3;
  switch (sp.type) {
    case 0:
    case 'd':
    case 'n': body = std::to_string(a); break;
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      int shift = sp.type == 'o' ? 3 : sp.type == 'b' ? 1 : 4;
      const char *digits = sp.type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
      do {
        body.insert(body.begin(), digits[a & ((1u << shift) - 1)]);
        a >>= shift;
      } while (a);
      if (sp.alt) prefix = std::string("0") + (sp.type == 'X' ? 'X' : sp.type);
      every = 4;
      break;
    }
    case 'c': {
      if (neg || a > 0x10FFFF || sp.sign != '-' || sp.alt) return nullptr;
      int64_t pad = sp.width > 1 ? sp.width - 1 : 0;
      char align = sp.align ? sp.align : '<';
      int64_t left = align == '<' ? 0 : align == '^' ? pad / 2 : pad;
      std::vector<uint32_t> out(static_cast<size_t>(left), sp.fill);
      out.push_back(static_cast<uint32_t>(a));
      out.insert(out.end(), static_cast<size_t>(pad - left), sp.fill);
      return from_cps(out);
    }
    default: return nullptr;
  }
  if (sp.grouping) body = group(body, sp.grouping, every);
  return finish(sp, sign_of(neg, sp.sign) + prefix, body, '>');
}

ember_meminfo *ember_str_format_float(double v, ember_meminfo *spec) {
  Spec sp;
  if (!parse_spec(spec, &sp)) return nullptr;
  bool neg = std::signbit(v) && !std::isnan(v);
  std::string body;
  if (!float_body(std::fabs(v), sp, &body)) return nullptr;
  if (sp.grouping) body = group(body, sp.grouping, 3);
  return finish(sp, sign_of(neg, sp.sign), body, '>');
}

ember_meminfo *ember_str_format_str(ember_meminfo *v, ember_meminfo *spec) {
  Spec sp;
  if (!parse_spec(spec, &sp)) return nullptr;
  if ((sp.type != 0 && sp.type != 's') || sp.sign != '-' || sp.align == '=' || sp.grouping ||
      sp.alt)
    return nullptr;
  ember_str *s = ember_str_of(v);
  int64_t n = s->length;
  if (sp.precision >= 0 && sp.precision < n) n = sp.precision;
  int64_t pad = sp.width - n;
  if (pad <= 0 && n == s->length) {
    ember_meminfo_incref(v);
    return v;
  }
  if (pad < 0) pad = 0;
  char align = sp.align ? sp.align : '<';
  int64_t left = align == '<' ? 0 : align == '^' ? pad / 2 : pad;
  std::vector<uint32_t> out(static_cast<size_t>(left), sp.fill);
  for (int64_t i = 0; i < n; ++i) out.push_back(code_point(s, i));
  out.insert(out.end(), static_cast<size_t>(pad - left), sp.fill);
  return from_cps(out);
}

}  // extern "C"

namespace ember_str_internal {
// Python's repr of a float, for str(e) of a caught exception (runtime/CaughtException.cpp).
std::string repr_double_text(double v) { return repr_double(v); }
}  // namespace ember_str_internal
