// Numba's scalar promotion (Promotion.h).
#include "ir/rules/Promotion.h"

namespace ember {

namespace {

bool small_int(ScalarKind k) {
  return k == ScalarKind::Bool || k == ScalarKind::Int8 || k == ScalarKind::UInt8 ||
         k == ScalarKind::Int16 || k == ScalarKind::UInt16;
}

}  // namespace

ScalarKind int_promote(ScalarKind a, ScalarKind b) {
  bool ua = !is_signed(a) && a != ScalarKind::Bool, ub = !is_signed(b) && b != ScalarKind::Bool;
  if (ua && ub) return ScalarKind::UInt64;
  return ScalarKind::Int64;
}

ScalarKind promote(ScalarKind a, ScalarKind b) {
  auto single_float = [](ScalarKind k) {
    return k == ScalarKind::Float16 || k == ScalarKind::Float32;
  };
  if (is_complex(a) || is_complex(b)) {
    bool single = (a == ScalarKind::Complex64 || single_float(a) || small_int(a)) &&
                  (b == ScalarKind::Complex64 || single_float(b) || small_int(b));
    return single ? ScalarKind::Complex64 : ScalarKind::Complex128;
  }
  if (a == ScalarKind::Float16 || b == ScalarKind::Float16) {
    // NumPy's table: float16 holds bool and 8-bit integers, float32 16-bit ones.
    ScalarKind o = a == ScalarKind::Float16 ? b : a;
    if (o == ScalarKind::Float16 || o == ScalarKind::Bool || o == ScalarKind::Int8 ||
        o == ScalarKind::UInt8)
      return ScalarKind::Float16;
    if (o == ScalarKind::Float32 || small_int(o)) return ScalarKind::Float32;
    return ScalarKind::Float64;
  }
  if (is_float(a) || is_float(b)) {
    bool single =
        (a == ScalarKind::Float32 || small_int(a)) && (b == ScalarKind::Float32 || small_int(b));
    return single ? ScalarKind::Float32 : ScalarKind::Float64;
  }
  return int_promote(a, b);
}

}  // namespace ember
