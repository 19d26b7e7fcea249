// float16 conversions (ember/half.h): integer code, so that they are the same on every host and
// need no F16C; rounding to nearest even with the remainder's bits compared against the half-way
// point, as a hardware conversion does.
#include "ember/half.h"

#include <cstring>

namespace {

template <typename To, typename From>
To bits_as(From v) {
  static_assert(sizeof(To) == sizeof(From), "same width");
  To out;
  std::memcpy(&out, &v, sizeof out);
  return out;
}

/// Rounds a magnitude to half bits.  `exp` is the unbiased exponent of the value's leading bit,
/// `sig` its significand with the leading bit at position `top` (set for normal numbers), so the
/// value is sig * 2^(exp - top).  Returns the half's magnitude bits; overflow gives infinity.
uint16_t round_to_half(int exp, uint64_t sig, int top) {
  if (exp > 15) return 0x7c00;
  // Units of the result: 2^-24 for subnormals, 2^(exp - 10) for normal numbers.
  int unit = exp < -14 ? -24 : exp - 10;
  int shift = (exp - top) - unit;  // sig * 2^shift units; shift < 0 drops bits
  uint64_t q;
  if (shift >= 0) {
    q = sig << shift;  // exact: no bits drop (only when the source is narrower than half)
  } else {
    int s = -shift;
    if (s > top + 1) return 0;  // below half of the smallest subnormal: rounds to zero
    q = sig >> s;
    uint64_t rem = sig & ((uint64_t{1} << s) - 1), halfway = uint64_t{1} << (s - 1);
    if (rem > halfway || (rem == halfway && (q & 1))) ++q;
  }
  if (exp < -14) return static_cast<uint16_t>(q);  // subnormal; a carry makes it the least normal
  // q holds 1.mmmmmmmmmm (a carry may have made it 2.0: the exponent field absorbs it).
  uint32_t bits = (static_cast<uint32_t>(exp + 15) << 10) + static_cast<uint32_t>(q - 0x400);
  return bits >= 0x7c00 ? 0x7c00 : static_cast<uint16_t>(bits);
}

}  // namespace

extern "C" {

uint16_t ember_half_from_float(float f) {
  uint32_t b = bits_as<uint32_t>(f);
  uint16_t sign = static_cast<uint16_t>((b >> 16) & 0x8000);
  uint32_t field = (b >> 23) & 0xff, mant = b & 0x7fffff;
  if (field == 0xff) {
    if (mant == 0) return sign | 0x7c00;
    uint16_t payload = static_cast<uint16_t>(mant >> 13);
    return sign | 0x7c00 | (payload ? payload : 1);
  }
  if (field == 0) return sign;  // zero, or a float subnormal: far below half's range
  return sign | round_to_half(static_cast<int>(field) - 127, mant | 0x800000, 23);
}

uint16_t ember_half_from_double(double d) {
  uint64_t b = bits_as<uint64_t>(d);
  uint16_t sign = static_cast<uint16_t>((b >> 48) & 0x8000);
  uint32_t field = static_cast<uint32_t>((b >> 52) & 0x7ff);
  uint64_t mant = b & 0xfffffffffffffull;
  if (field == 0x7ff) {
    if (mant == 0) return sign | 0x7c00;
    uint16_t payload = static_cast<uint16_t>(mant >> 42);
    return sign | 0x7c00 | (payload ? payload : 1);
  }
  if (field == 0) return sign;
  return sign | round_to_half(static_cast<int>(field) - 1023, mant | (uint64_t{1} << 52), 52);
}

float ember_half_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t field = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (field == 0x1f) return bits_as<float>(sign | 0x7f800000 | (mant << 13));
  if (field == 0) {
    if (mant == 0) return bits_as<float>(sign);
    int exp = -14;  // normalize the subnormal: shift its leading bit to position 10
    while (!(mant & 0x400)) {
      mant <<= 1;
      --exp;
    }
    return bits_as<float>(sign | (static_cast<uint32_t>(exp + 127) << 23) | ((mant & 0x3ff) << 13));
  }
  return bits_as<float>(sign | ((field - 15 + 127) << 23) | (mant << 13));
}

double ember_half_to_double(uint16_t h) {
  // Every half is a float exactly, and NaN payloads keep their place (bits 13.. -> 42..).
  uint32_t f = bits_as<uint32_t>(ember_half_to_float(h));
  uint64_t sign = static_cast<uint64_t>(f & 0x80000000u) << 32;
  uint32_t field = (f >> 23) & 0xff;
  uint64_t mant = f & 0x7fffff;
  if (field == 0xff) return bits_as<double>(sign | 0x7ff0000000000000ull | (mant << 29));
  if (field == 0) return bits_as<double>(sign);
  return bits_as<double>(sign | (static_cast<uint64_t>(field - 127 + 1023) << 52) | (mant << 29));
}

float ember_half_to_float_sse(float half_bits) {
  return ember_half_to_float(static_cast<uint16_t>(bits_as<uint32_t>(half_bits)));
}

float ember_half_from_float_sse(float f) {
  return bits_as<float>(uint32_t{ember_half_from_float(f)});
}

float ember_half_from_double_sse(double d) {
  return bits_as<float>(uint32_t{ember_half_from_double(d)});
}

}  // extern "C"
