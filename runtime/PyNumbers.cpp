// Python's number semantics that compiled code takes from C (ember/runtime.h).
// hash() of numbers (Objects/object.c, longobject.c): integers and floats are reduced modulo
// the Mersenne prime 2**61 - 1, so that hash(2.0) == hash(2) as in Python; -1 is never a hash
// (it becomes -2); infinities hash to +-314159 and a NaN to 0 (Python hashes a NaN by the
// object's identity, which compiled code does not have).  round(x, n) of a float, correctly
// rounded as CPython's (half to even on the exact binary value: round(2.675, 2) == 2.67).
// pow(b, e, m) of int64s in 128-bit arithmetic.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ember/runtime.h"

namespace {
constexpr uint64_t kModulus = (uint64_t{1} << 61) - 1;
constexpr int kBits = 61;

int64_t finish(uint64_t x, bool negative) {
  int64_t h = negative ? -static_cast<int64_t>(x) : static_cast<int64_t>(x);
  return h == -1 ? -2 : h;
}
}  // namespace

extern "C" {

int64_t ember_hash_int(int64_t v) {
  bool negative = v < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return finish(magnitude % kModulus, negative);
}

int64_t ember_hash_uint(uint64_t v) { return finish(v % kModulus, false); }

int64_t ember_hash_double(double v) {
  if (std::isinf(v)) return v > 0 ? 314159 : -314159;
  if (std::isnan(v)) return 0;
  int e;
  double m = std::frexp(v, &e);
  bool negative = m < 0;
  if (negative) m = -m;
  uint64_t x = 0;
  while (m != 0.0) {  // 28 bits of the mantissa at a time
    x = ((x << 28) & kModulus) | x >> (kBits - 28);
    m *= 268435456.0;
    e -= 28;
    auto y = static_cast<uint64_t>(m);
    m -= static_cast<double>(y);
    x += y;
    if (x >= kModulus) x -= kModulus;
  }
  e = e >= 0 ? e % kBits : kBits - 1 - ((-1 - e) % kBits);
  x = ((x << e) & kModulus) | x >> (kBits - e);
  return finish(x, negative);
}

double ember_round_digits(double x, int64_t nd) {
  if (!std::isfinite(x) || x == 0.0 || nd > 1100) return x;
  if (nd < -400) return std::copysign(0.0, x);
  // Every double's exact decimal expansion has at most 1074 fractional digits.
  static thread_local char buf[1500];
  std::snprintf(buf, sizeof buf, "%.1100f", std::fabs(x));
  std::string text(buf), digits;
  size_t dot = text.find('.');
  digits = text.substr(0, dot) + text.substr(dot + 1);
  int64_t point = static_cast<int64_t>(dot), cut = point + nd;  // digits kept
  if (cut >= static_cast<int64_t>(digits.size())) return x;
  if (cut < 0) return std::copysign(0.0, x);
  std::string kept = digits.substr(0, static_cast<size_t>(cut));
  char next = digits[static_cast<size_t>(cut)];
  bool rest = digits.find_first_not_of('0', static_cast<size_t>(cut) + 1) != std::string::npos;
  bool odd = !kept.empty() && (kept.back() - '0') % 2 == 1;
  if (next > '5' || (next == '5' && (rest || odd))) {
    size_t k = kept.size();
    while (k > 0 && kept[k - 1] == '9') kept[--k] = '0';
    if (k == 0)
      kept.insert(kept.begin(), '1');
    else
      ++kept[k - 1];
  }
  if (kept.empty()) kept = "0";
  std::string value = kept + "e" + std::to_string(-nd);
  return std::copysign(std::strtod(value.c_str(), nullptr), x);
}

int64_t ember_pow_mod(int64_t base, int64_t exp, int64_t mod) {
  // exp >= 0 and mod != 0 (checked by compiled code); the result has mod's sign, as Python's.
  unsigned __int128 m = mod < 0 ? 0 - static_cast<unsigned __int128>(mod) : mod;
  __int128 b = static_cast<__int128>(base) % static_cast<__int128>(m);
  if (b < 0) b += static_cast<__int128>(m);
  unsigned __int128 acc = 1 % m, sq = static_cast<unsigned __int128>(b);
  for (uint64_t e = static_cast<uint64_t>(exp); e; e >>= 1) {
    if (e & 1) acc = acc * sq % m;
    sq = sq * sq % m;
  }
  auto r = static_cast<int64_t>(acc);
  return mod < 0 && r != 0 ? r - static_cast<int64_t>(m) : r;
}

}  // extern "C"
