#include "ir/rules/Elementwise.h"

#include <algorithm>

#include "ir/Error.h"
#include "ir/rules/Datetime.h"

namespace ember {

namespace {

enum class Category : uint8_t { Bool, Int, Float, Complex };

Category category(ScalarKind k) {
  if (k == ScalarKind::Bool) return Category::Bool;
  if (is_integer(k)) return Category::Int;
  if (is_float(k)) return Category::Float;
  return Category::Complex;
}

ScalarKind signed_of_width(int bits) {
  switch (bits) {
    case 8: return ScalarKind::Int8;
    case 16: return ScalarKind::Int16;
    case 32: return ScalarKind::Int32;
    default: return ScalarKind::Int64;
  }
}

/// A weak (scalar) operand of kind s joining an array result of kind a (NEP 50).
ScalarKind weak_promote(ScalarKind a, ScalarKind s) {
  Category ca = category(a), cs = category(s);
  if (cs <= ca) return a;
  switch (cs) {
    case Category::Int: return ScalarKind::Int64;
    case Category::Float: return ScalarKind::Float64;
    case Category::Complex:
      return a == ScalarKind::Float32 || a == ScalarKind::Float16 ? ScalarKind::Complex64
                                                                  : ScalarKind::Complex128;
    case Category::Bool: break;
  }
  return a;
}

ScalarKind float_of(ScalarKind k) {
  if (k == ScalarKind::Float16 || k == ScalarKind::Float32) return k;
  return ScalarKind::Float64;
}

}  // namespace

ScalarKind numpy_promote(ScalarKind a, ScalarKind b) {
  if (a == b) return a;
  Category ca = category(a), cb = category(b);
  if (ca == Category::Bool) return b;
  if (cb == Category::Bool) return a;
  if (ca > cb) {
    std::swap(a, b);
    std::swap(ca, cb);
  }
  int wa = bit_width(a), wb = bit_width(b);
  if (ca == Category::Int && cb == Category::Int) {
    if (is_signed(a) == is_signed(b)) return wa >= wb ? a : b;
    ScalarKind s = is_signed(a) ? a : b, u = is_signed(a) ? b : a;
    if (bit_width(u) < bit_width(s)) return s;
    return bit_width(u) < 64 ? signed_of_width(2 * bit_width(u)) : ScalarKind::Float64;
  }
  if (ca == Category::Int && cb == Category::Float) {
    if (b == ScalarKind::Float16 && wa <= 8) return ScalarKind::Float16;
    if (b != ScalarKind::Float64 && wa <= 16) return ScalarKind::Float32;
    return ScalarKind::Float64;
  }
  if (ca == Category::Float && cb == Category::Float) return wa >= wb ? a : b;
  // one complex
  if (b == ScalarKind::Complex64 &&
      (a == ScalarKind::Float32 || a == ScalarKind::Float16 || (ca == Category::Int && wa <= 16)))
    return ScalarKind::Complex64;
  if (a == ScalarKind::Complex64 && b == ScalarKind::Complex64) return a;
  return ScalarKind::Complex128;
}

bool is_ufunc_builtin(BuiltinId id) {
  switch (id) {
    case BuiltinId::Abs:
    case BuiltinId::NpAbsolute:
    case BuiltinId::NpSqrt:
    case BuiltinId::NpExp:
    case BuiltinId::NpLog:
    case BuiltinId::NpLog2:
    case BuiltinId::NpLog10:
    case BuiltinId::NpLog1p:
    case BuiltinId::NpExpm1:
    case BuiltinId::NpCbrt:
    case BuiltinId::NpSin:
    case BuiltinId::NpCos:
    case BuiltinId::NpTan:
    case BuiltinId::NpArcsin:
    case BuiltinId::NpArccos:
    case BuiltinId::NpArctan:
    case BuiltinId::NpArctan2:
    case BuiltinId::NpSinh:
    case BuiltinId::NpCosh:
    case BuiltinId::NpTanh:
    case BuiltinId::NpFloor:
    case BuiltinId::NpCeil:
    case BuiltinId::NpTrunc:
    case BuiltinId::NpMinimum:
    case BuiltinId::NpMaximum:
    case BuiltinId::NpClip:
    case BuiltinId::NpIsnan:
    case BuiltinId::NpIsinf:
    case BuiltinId::NpIsfinite:
    case BuiltinId::NpWhere:
    case BuiltinId::NpConjugate:
    case BuiltinId::NpIsnat: return true;
    default: return false;
  }
}

bool is_complex_fn_builtin(BuiltinId id) {
  switch (id) {
    case BuiltinId::NpSqrt:
    case BuiltinId::NpExp:
    case BuiltinId::NpLog:
    case BuiltinId::NpLog2:
    case BuiltinId::NpLog10:
    case BuiltinId::NpLog1p:
    case BuiltinId::NpExpm1:
    case BuiltinId::NpSin:
    case BuiltinId::NpCos:
    case BuiltinId::NpTan:
    case BuiltinId::NpArcsin:
    case BuiltinId::NpArccos:
    case BuiltinId::NpArctan:
    case BuiltinId::NpSinh:
    case BuiltinId::NpCosh:
    case BuiltinId::NpTanh: return true;
    default: return false;
  }
}

bool type_elementwise(TypeContext &types, const Function &f, const InstData &d,
                      ElementwiseTyping *out) {
  // Which operands hold data, and what operation it is.
  size_t first = 0;
  BuiltinId ufunc = BuiltinId::NumBuiltins;
  switch (d.op) {
    case Op::BinOp:
      if (static_cast<BinOpKind>(d.imm) == BinOpKind::MatMul) return false;
      break;
    case Op::Compare:
    case Op::Unary: break;
    case Op::Call: {
      TypeId callee = f.type(d.operands[0]);
      if (types.kind(callee) == TypeKind::Dispatcher &&
          types.get(callee).a == static_cast<int64_t>(CalleeKind::UfuncKernel)) {
        // A @vectorize kernel over arrays: typed when its call was (the result's dtype).
        TypeId rt = f.type(d.result);
        if (!d.result.valid() || !types.is_array(rt)) return false;
        out->compute = out->result = types.dtype(rt);
        out->ndim = types.ndim(rt);
        return true;
      }
      if (types.kind(callee) != TypeKind::Builtin) return false;
      ufunc = static_cast<BuiltinId>(types.get(callee).a);
      if (!is_ufunc_builtin(ufunc)) return false;
      first = 1;
      break;
    }
    default: return false;
  }
  bool any_array = false;
  int ndim = 0;
  for (size_t k = first; k < d.operands.size(); ++k) {
    TypeId t = f.type(d.operands[k]);
    // An operator on a bytes is Python's, not element-wise (typeinfer/BytesRules.cpp).
    if (d.op != Op::Call && types.bytes_kind(t) != BytesKind::None) return false;
    if (types.is_array(t)) {
      any_array = true;
      ndim = std::max(ndim, types.ndim(t));
    }
  }
  if (!any_array) return false;
  // The dtype arrays promote to, then weak scalars (np.where's condition does not take part).
  bool have = false;
  ScalarKind strong = ScalarKind::Bool;
  std::vector<ScalarKind> weak;
  size_t data_first = ufunc == BuiltinId::NpWhere ? first + 1 : first;
  for (size_t k = first; k < d.operands.size(); ++k) {
    TypeId t = unwrap_optional(types, f.type(d.operands[k]));
    if (types.is_array(t)) {
      if (k < data_first) continue;
      strong = have ? numpy_promote(strong, types.dtype(t)) : types.dtype(t);
      have = true;
    } else if (types.is_scalar(t)) {
      if (k >= data_first) weak.push_back(types.scalar_kind(t));
    } else {
      typing_error(d.loc) << "an element-wise operation on arrays cannot take a "
                          << types.to_string(f.type(d.operands[k]));
    }
  }
  bool time = false;  // datetime64 / timedelta64 operands follow their own rules
  for (size_t k = first; k < d.operands.size(); ++k) {
    TypeId t = unwrap_optional(types, f.type(d.operands[k]));
    time |= is_time(types.is_array(t) ? types.dtype(t) : types.scalar_kind(t));
  }
  if (time) return type_time_elementwise(types, f, d, ufunc, first, ndim, out);
  if (ufunc == BuiltinId::NpIsnat)
    typing_error(d.loc) << "np.isnat() is only defined for datetime64 and timedelta64 values, "
                           "not arrays of "
                        << scalar_name(strong) << " (as NumPy's ufunc 'isnat')";
  for (ScalarKind s : weak) {
    strong = have ? weak_promote(strong, s) : s;
    have = true;
  }
  ScalarKind compute = strong, result = strong;
  auto no = [&](const char *what) {
    typing_error(d.loc) << what << " is not supported on arrays of " << scalar_name(strong);
  };
  switch (d.op) {
    case Op::BinOp: {
      auto kind = static_cast<BinOpKind>(d.imm);
      Category c = category(strong);
      switch (kind) {
        case BinOpKind::TrueDiv:
          if (c == Category::Bool || c == Category::Int) compute = result = ScalarKind::Float64;
          break;
        case BinOpKind::Sub:
          if (c == Category::Bool) no("the boolean `-` (use ^ or np.logical_xor)");
          break;
        case BinOpKind::FloorDiv:
        case BinOpKind::Mod:
        case BinOpKind::Pow:
          if (c == Category::Complex && kind != BinOpKind::Pow) no(binop_symbol(kind));
          if (c == Category::Complex) no("`**`");
          if (c == Category::Bool) compute = result = ScalarKind::Int8;
          break;
        case BinOpKind::LShift:
        case BinOpKind::RShift:
          if (c != Category::Int && c != Category::Bool) no(binop_symbol(kind));
          if (c == Category::Bool) compute = result = ScalarKind::Int8;
          break;
        case BinOpKind::And:
        case BinOpKind::Or:
        case BinOpKind::Xor:
          if (c != Category::Int && c != Category::Bool) no(binop_symbol(kind));
          break;
        default: break;
      }
      if (d.imm2) {
        // a op= b writes into a: the result must cast to a's dtype (NumPy's same_kind rule).
        TypeId lhs = f.type(d.operands[0]);
        if (types.is_array(lhs)) {
          ScalarKind lk = types.dtype(lhs);
          if (category(result) > category(lk))
            typing_error(d.loc) << "cannot cast the result of " << binop_symbol(kind) << "= from "
                                << scalar_name(result) << " to the array's " << scalar_name(lk)
                                << " (NumPy's same_kind casting)";
          if (types.readonly(lhs))
            typing_error(d.loc) << "cannot update a read-only array in place";
          result = lk;
          ndim = types.ndim(lhs);
        }
      }
      break;
    }
    case Op::Compare:
      if (is_complex(strong) && static_cast<CmpKind>(d.imm) != CmpKind::Eq &&
          static_cast<CmpKind>(d.imm) != CmpKind::Ne)
        no("ordering");
      result = ScalarKind::Bool;
      break;
    case Op::Unary:
      switch (static_cast<UnaryKind>(d.imm)) {
        case UnaryKind::Not:
          typing_error(d.loc) << "the truth value of an array is ambiguous; use ~mask or "
                                 "np.logical_not";
        case UnaryKind::Neg:
          if (strong == ScalarKind::Bool) no("unary `-`");
          break;
        case UnaryKind::Invert:
          if (is_float(strong) || is_complex(strong)) no("`~`");
          break;
        case UnaryKind::Pos: break;
      }
      break;
    case Op::Call:
      if (is_complex(strong)) {
        if (ufunc == BuiltinId::Abs || ufunc == BuiltinId::NpAbsolute)
          result = strong == ScalarKind::Complex64 ? ScalarKind::Float32 : ScalarKind::Float64;
        else if (ufunc == BuiltinId::NpIsnan || ufunc == BuiltinId::NpIsinf ||
                 ufunc == BuiltinId::NpIsfinite)
          result = ScalarKind::Bool;
        else if (ufunc != BuiltinId::NpConjugate && ufunc != BuiltinId::NpWhere &&
                 !is_complex_fn_builtin(ufunc))
          no("this ufunc");
        break;
      }
      switch (ufunc) {
        case BuiltinId::NpConjugate:
        case BuiltinId::Abs:
        case BuiltinId::NpAbsolute:
        case BuiltinId::NpMinimum:
        case BuiltinId::NpMaximum:
        case BuiltinId::NpClip:
        case BuiltinId::NpWhere: break;
        case BuiltinId::NpIsnan:
        case BuiltinId::NpIsinf:
        case BuiltinId::NpIsfinite: result = ScalarKind::Bool; break;
        case BuiltinId::NpFloor:
        case BuiltinId::NpCeil:
        case BuiltinId::NpTrunc:
          // NumPy 2 rounds integers to themselves, keeping the dtype.
          if (!is_float(strong)) break;
          compute = result = float_of(strong);
          break;
        default: compute = result = float_of(strong); break;
      }
      break;
    default: break;
  }
  out->compute = compute;
  out->result = result;
  out->ndim = ndim;
  return true;
}

}  // namespace ember
