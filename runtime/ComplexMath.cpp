// NumPy's complex ufuncs for compiled code (ember/numeric.h): one entry point, the function
// chosen by an ember_complex_fn code, so lowering declares a single runtime function.  The C++
// <complex> functions call glibc's C99 ones (csqrt, cexp, casin, ...), which NumPy uses too.
#include <cmath>
#include <complex>

#include "ember/numeric.h"

namespace {

using C = std::complex<double>;

C complex_fn(int32_t fn, C z) {
  constexpr double kLog2E = 1.4426950408889634074, kLog10E = 0.43429448190325182765;
  switch (static_cast<ember_complex_fn_code>(fn)) {
    case EMBER_CFN_SQRT: return std::sqrt(z);
    case EMBER_CFN_EXP: return std::exp(z);
    case EMBER_CFN_LOG: return std::log(z);
    case EMBER_CFN_LOG2: {
      C l = std::log(z);
      return {l.real() * kLog2E, l.imag() * kLog2E};
    }
    case EMBER_CFN_LOG10: {
      C l = std::log(z);
      return {l.real() * kLog10E, l.imag() * kLog10E};
    }
    case EMBER_CFN_LOG1P: {
      // NumPy: log(|1 + z|) + i arg(1 + z), without rounding 1 + z as a whole
      double x = z.real() + 1.0;
      return {std::log(std::hypot(x, z.imag())), std::atan2(z.imag(), x)};
    }
    case EMBER_CFN_EXPM1: {
      // exp(x)(cos y + i sin y) - 1, with cos y - 1 as -2 sin^2(y/2) so small z keeps its digits
      double x = z.real(), y = z.imag(), s = std::sin(y / 2);
      return {std::expm1(x) * std::cos(y) - 2 * s * s, std::exp(x) * std::sin(y)};
    }
    case EMBER_CFN_SIN: return std::sin(z);
    case EMBER_CFN_COS: return std::cos(z);
    case EMBER_CFN_TAN: return std::tan(z);
    case EMBER_CFN_ARCSIN: return std::asin(z);
    case EMBER_CFN_ARCCOS: return std::acos(z);
    case EMBER_CFN_ARCTAN: return std::atan(z);
    case EMBER_CFN_SINH: return std::sinh(z);
    case EMBER_CFN_COSH: return std::cosh(z);
    case EMBER_CFN_TANH: return std::tanh(z);
  }
  return {NAN, NAN};
}

}  // namespace

extern "C" void ember_complex_fn(int32_t fn, double re, double im, double *out) {
  C r = complex_fn(fn, C(re, im));
  out[0] = r.real();
  out[1] = r.imag();
}
