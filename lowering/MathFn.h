/** \file MathFn.h
 * The math functions lowering asks the target for (Target::math), on float or double
 * arguments: the CPU answers with LLVM intrinsics or libm calls (vectorized through libmvec and
 * ember's xsimd library), a GPU target with libdevice or ocml.
 */
#pragma once

#include <cstdint>

namespace ember {

enum class MathFn : uint8_t {
  Sqrt,
  Exp,
  Exp2,
  Log,
  Log2,
  Log10,
  Log1p,
  Expm1,
  Sin,
  Cos,
  Tan,
  Asin,
  Acos,
  Atan,
  Atan2,
  Sinh,
  Cosh,
  Tanh,
  Asinh,
  Acosh,
  Atanh,
  Floor,
  Ceil,
  Trunc,
  RoundEven,
  Fabs,
  Copysign,
  Hypot,
  Pow,
  Fmod,
  Erf,
  Erfc,
  Gamma,
  Lgamma,
  Cbrt,
};

}  // namespace ember
