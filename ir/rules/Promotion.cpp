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
  if (is_complex(a) || is_complex(b)) {
    bool single = (a == ScalarKind::Complex64 || a == ScalarKind::Float32 || small_int(a)) &&
                  (b == ScalarKind::Complex64 || b == ScalarKind::Float32 || small_int(b));
    return single ? ScalarKind::Complex64 : ScalarKind::Complex128;
  }
  if (is_float(a) || is_float(b)) {
    bool single =
        (a == ScalarKind::Float32 || small_int(a)) && (b == ScalarKind::Float32 || small_int(b));
    return single ? ScalarKind::Float32 : ScalarKind::Float64;
  }
  return int_promote(a, b);
}

}  // namespace ember
