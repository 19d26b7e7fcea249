// Typing rules for scalars: constants, unification, arithmetic, comparisons.  Promotion follows
// Numba (ir/rules/Promotion.h), and int / int is float64.
#include <algorithm>

#include "ir/rules/Datetime.h"
#include "ir/rules/Promotion.h"
#include "typeinfer/TypeRules.h"

namespace ember {

namespace {
/// Unification of two scalars for phis: the narrowest kind holding both.
ScalarKind unify_scalar(ScalarKind a, ScalarKind b) {
  if (a == b) return a;
  if ((a == ScalarKind::Float16 || b == ScalarKind::Float16) && !is_complex(a) && !is_complex(b))
    return promote(a, b);
  if (is_complex(a) || is_complex(b) || is_float(a) || is_float(b)) {
    if (is_complex(a) || is_complex(b))
      return (a == ScalarKind::Complex64 || a == ScalarKind::Float32 || a == ScalarKind::Bool) &&
                     (b == ScalarKind::Complex64 || b == ScalarKind::Float32 ||
                      b == ScalarKind::Bool)
                 ? ScalarKind::Complex64
                 : ScalarKind::Complex128;
    bool single = (a == ScalarKind::Float32 || a == ScalarKind::Bool) &&
                  (b == ScalarKind::Float32 || b == ScalarKind::Bool);
    return single ? ScalarKind::Float32 : ScalarKind::Float64;
  }
  if (a == ScalarKind::Bool) return b;
  if (b == ScalarKind::Bool) return a;
  if (is_signed(a) == is_signed(b)) return bit_width(a) >= bit_width(b) ? a : b;
  return ScalarKind::Int64;
}
}  // namespace

TypeId unify(TypeContext &types, TypeId a, TypeId b, SourceLoc loc) {
  if (a.unknown()) return b;
  if (b.unknown() || a == b) return a;
  TypeKind ka = types.kind(a), kb = types.kind(b);
  if (types.is_string(a) && types.is_string(b)) return types.unicode();  // literals merge
  // A literal that may be None is a runtime string that may be None.
  auto runtime = [&](TypeId t) { return types.kind(t) == TypeKind::Str ? types.unicode() : t; };
  if (ka == TypeKind::None) return types.optional(runtime(b));
  if (kb == TypeKind::None) return types.optional(runtime(a));
  if (ka == TypeKind::Optional || kb == TypeKind::Optional)
    return types.optional(
        runtime(unify(types, unwrap_optional(types, a), unwrap_optional(types, b), loc)));
  if (ka == TypeKind::Scalar && kb == TypeKind::Scalar) {
    ScalarKind x = types.scalar_kind(a), y = types.scalar_kind(b);
    if (is_time(x) || is_time(y)) {  // one family; the finer unit
      TimeUnit u;
      if (is_datetime(x) != is_datetime(y) || is_timedelta(x) != is_timedelta(y) ||
          !common_time_unit(time_unit(x), time_unit(y), is_datetime(x), &u))
        typing_error(loc) << "a variable holds a " << types.to_string(a) << " on one path and a "
                          << types.to_string(b) << " on another; give it one type on every path";
      return types.scalar(is_datetime(x) ? datetime_kind(u) : timedelta_kind(u));
    }
    return types.scalar(unify_scalar(x, y));
  }
  if (ka == TypeKind::Array && kb == TypeKind::Array && types.dtype(a) == types.dtype(b) &&
      types.ndim(a) == types.ndim(b)) {
    Layout la = types.layout(a), lb = types.layout(b);
    Layout l = la == lb ? la : Layout::A;
    return types.array(types.dtype(a), types.ndim(a), l, types.readonly(a) || types.readonly(b));
  }
  if (ka == TypeKind::Tuple && kb == TypeKind::Tuple &&
      types.get(a).elems.size() == types.get(b).elems.size()) {
    std::vector<TypeId> elems;
    for (size_t i = 0; i < types.get(a).elems.size(); ++i)
      elems.push_back(unify(types, types.get(a).elems[i], types.get(b).elems[i], loc));
    return types.tuple(elems);
  }
  if (ka == kb && types.is_container(a)) {
    // An empty display whose item type is not known yet takes the other's.
    if (types.is_unresolved_container(a)) return b;
    if (types.is_unresolved_container(b)) return a;
  }
  typing_error(loc) << "a variable holds a " << types.to_string(a) << " on one path and a "
                    << types.to_string(b)
                    << " on another; give it one type on every path (ember, like Numba, "
                       "compiles each variable with a single type)";
}

bool can_convert(const TypeContext &types, TypeId from, TypeId to) {
  if (from == to) return true;
  TypeKind kf = types.kind(from), kt = types.kind(to);
  if (kf == kt && types.is_container(from))
    return types.is_unresolved_container(from) || types.is_unresolved_container(to) ||
           types.get(from).elems == types.get(to).elems;  // typed.List and list alike
  if (kf == TypeKind::Scalar && kt == TypeKind::Scalar) return true;
  if (kt == TypeKind::Unicode) return kf == TypeKind::Str;
  if (kt == TypeKind::Optional)
    return kf == TypeKind::None || can_convert(types, from, types.get(to).elems[0]);
  if (kf == TypeKind::Optional) return can_convert(types, types.get(from).elems[0], to);
  if (kf == TypeKind::Array && kt == TypeKind::Array)
    return types.dtype(from) == types.dtype(to) && types.ndim(from) == types.ndim(to) &&
           (types.layout(to) == Layout::A || types.layout(to) == types.layout(from)) &&
           (types.readonly(to) || !types.readonly(from));
  if (kf == TypeKind::Tuple && kt == TypeKind::Tuple) {
    const auto &ef = types.get(from).elems, &et = types.get(to).elems;
    if (ef.size() != et.size()) return false;
    for (size_t i = 0; i < ef.size(); ++i)
      if (!can_convert(types, ef[i], et[i])) return false;
    return true;
  }
  return false;
}

TypeId type_const(TypeContext &types, const ConstValue &c, SourceLoc loc) {
  using K = ConstValue::Kind;
  if (c.scalar >= 0 && c.kind != K::NumberClass && c.kind != K::Array)  // a NumPy scalar's
    return types.scalar(static_cast<ScalarKind>(c.scalar));
  switch (c.kind) {
    case K::None: return types.none();
    case K::Bool: return types.boolean();
    case K::Int: return types.int64();
    case K::Float: return types.float64();
    case K::Complex: return types.scalar(ScalarKind::Complex128);
    case K::Str: return types.str(c.str);
    case K::Tuple: {
      // A tuple is a runtime value: its string literals are strings (unicode_type).
      std::vector<TypeId> elems;
      for (const ConstValue &e : c.elems) {
        TypeId t = type_const(types, e, loc);
        elems.push_back(types.kind(t) == TypeKind::Str ? types.unicode() : t);
      }
      return types.tuple(elems);
    }
    case K::Module: return types.module(c.handle);
    case K::Builtin: return types.builtin(c.builtin);
    case K::Dispatcher: return types.dispatcher(c.handle, static_cast<CalleeKind>(c.i));
    case K::ExceptionClass: return types.exception_class(static_cast<int32_t>(c.i));
    case K::NumberClass: return types.number_class(static_cast<ScalarKind>(c.i), c.scalar == 1);
    case K::TypeRef: {
      size_t pos = 0;
      return types.type_ref(types.from_code(c.shape, &pos));
    }
    case K::Unsupported: unsupported(loc) << c.str;
    case K::JitClass: return types.jitclass(c.handle);
    case K::CFunction: {
      if (c.i < 0) typing_error(loc) << c.str;  // a ctypes function without argtypes, ...
      size_t pos = 0;
      TypeId result = types.from_code(c.shape, &pos);
      std::vector<TypeId> params;
      for (int64_t k = 0; k < c.i; ++k) params.push_back(types.from_code(c.shape, &pos));
      return types.c_function(c.handle, result, params);
    }
    case K::Array:  // frozen as a constant, as Numba does: compiled code cannot write it
      if (c.scalar == 1) return types.bytes(BytesKind::Bytes);  // a bytes literal
      return types.array(static_cast<ScalarKind>(c.i), static_cast<int>(c.shape.size()), Layout::C,
                         true);
  }
  return types.unknown();
}

namespace {

[[noreturn]] void bad_operands(TypeContext &types, const char *op, TypeId lhs, TypeId rhs,
                               SourceLoc loc) {
  typing_error(loc) << "unsupported operand types for " << op << ": " << types.to_string(lhs)
                    << " and " << types.to_string(rhs);
}

}  // namespace

namespace {

/// The kind a Python number literal takes next to a float16 (complex: complex64), or false when
/// v is not one.
bool weak_literal_kind(const Function &f, Value v, ScalarKind *out) {
  Inst i = f.def(v);
  if (!i.valid() || f.inst(i).op != Op::Const) return false;
  const ConstValue &c = f.consts[static_cast<size_t>(f.inst(i).imm)];
  if (c.scalar >= 0) return false;  // a NumPy scalar keeps its type
  if (c.kind == ConstValue::Kind::Int || c.kind == ConstValue::Kind::Float)
    *out = ScalarKind::Float16;
  else if (c.kind == ConstValue::Kind::Complex)
    *out = ScalarKind::Complex64;
  else
    return false;
  return true;
}

bool is_float16(const TypeContext &types, TypeId t) {
  TypeId u = unwrap_optional(types, t);
  return types.is_scalar(u) && types.scalar_kind(u) == ScalarKind::Float16;
}

}  // namespace

std::pair<TypeId, TypeId> operand_types(TypeContext &types, const Function &f, Value lhs,
                                        Value rhs) {
  TypeId l = f.type(lhs), r = f.type(rhs);
  ScalarKind k;
  if (is_float16(types, l) && weak_literal_kind(f, rhs, &k)) r = types.scalar(k);
  if (is_float16(types, r) && weak_literal_kind(f, lhs, &k)) l = types.scalar(k);
  return {l, r};
}

OperationTypes type_binop(TypeContext &types, BinOpKind kind, TypeId lhs, TypeId rhs,
                          SourceLoc loc) {
  TypeId l = unwrap_optional(types, lhs), r = unwrap_optional(types, rhs);
  const char *sym = binop_symbol(kind);
  OperationTypes str;
  if (type_string_binop(types, kind, l, r, loc, &str)) return str;
  if (kind == BinOpKind::MatMul) {
    TypeId t = type_dot(types, l, r, loc, "@");
    return {t, t};
  }
  if (types.kind(l) == TypeKind::Tuple && types.kind(r) == TypeKind::Tuple &&
      kind == BinOpKind::Add) {
    std::vector<TypeId> elems = types.get(l).elems;
    const auto &more = types.get(r).elems;
    elems.insert(elems.end(), more.begin(), more.end());
    TypeId t = types.tuple(elems);
    return {t, t};
  }
  if (!types.is_scalar(l) || !types.is_scalar(r)) bad_operands(types, sym, lhs, rhs, loc);
  ScalarKind a = types.scalar_kind(l), b = types.scalar_kind(r);
  TimeOp time;  // lowering converts each operand itself: no common operand type
  if (type_time_binop(kind, a, b, loc, &time)) return {TypeId{}, types.scalar(time.result)};
  ScalarKind p = promote(a, b);
  switch (kind) {
    case BinOpKind::Add:
    case BinOpKind::Sub:
    case BinOpKind::Mul: {
      TypeId t = types.scalar(p);
      return {t, t};
    }
    case BinOpKind::TrueDiv: {
      ScalarKind k = is_integer(p) ? ScalarKind::Float64 : p;
      TypeId t = types.scalar(k);
      return {t, t};
    }
    case BinOpKind::FloorDiv:
    case BinOpKind::Mod: {
      if (is_complex(p)) bad_operands(types, sym, lhs, rhs, loc);
      TypeId t = types.scalar(p);
      return {t, t};
    }
    case BinOpKind::Pow: {
      TypeId t = types.scalar(p);
      return {t, t};
    }
    case BinOpKind::LShift:
    case BinOpKind::RShift: {
      if (!(is_integer(a) || a == ScalarKind::Bool) || !(is_integer(b) || b == ScalarKind::Bool))
        bad_operands(types, sym, lhs, rhs, loc);
      TypeId t = types.scalar(int_promote(a, b));
      return {t, t};
    }
    case BinOpKind::And:
    case BinOpKind::Or:
    case BinOpKind::Xor: {
      if (a == ScalarKind::Bool && b == ScalarKind::Bool) return {types.boolean(), types.boolean()};
      if (!(is_integer(a) || a == ScalarKind::Bool) || !(is_integer(b) || b == ScalarKind::Bool))
        bad_operands(types, sym, lhs, rhs, loc);
      TypeId t = types.scalar(int_promote(a, b));
      return {t, t};
    }
    case BinOpKind::MatMul: bad_operands(types, sym, lhs, rhs, loc);
  }
  bad_operands(types, sym, lhs, rhs, loc);
}

OperationTypes type_compare(TypeContext &types, CmpKind kind, TypeId lhs, TypeId rhs,
                            SourceLoc loc) {
  TypeId l = unwrap_optional(types, lhs), r = unwrap_optional(types, rhs);
  OperationTypes str;
  if (type_string_compare(types, kind, l, r, loc, &str)) return str;
  if (types.bytes_kind(l) != BytesKind::None && types.bytes_kind(r) != BytesKind::None)
    return {TypeId{}, types.boolean()};  // Python's comparison (typeinfer/BytesRules.cpp)
  if (types.is_scalar(l) && types.is_scalar(r)) {
    ScalarKind a = types.scalar_kind(l), b = types.scalar_kind(r);
    TimeOp time;
    if (type_time_compare(kind, a, b, loc, &time)) return {TypeId{}, types.boolean()};
    // uint64 against a signed integer has no common type: compared exactly by lowering.
    if ((a == ScalarKind::UInt64 && is_signed(b)) || (b == ScalarKind::UInt64 && is_signed(a)))
      return {TypeId{}, types.boolean()};
    ScalarKind p = (a == ScalarKind::Bool && b == ScalarKind::Bool) ? a : promote(a, b);
    if (is_complex(p) && kind != CmpKind::Eq && kind != CmpKind::Ne)
      typing_error(loc) << "complex numbers cannot be ordered with " << cmp_symbol(kind);
    return {types.scalar(p), types.boolean()};
  }
  if (types.kind(l) == TypeKind::Tuple && types.kind(r) == TypeKind::Tuple) {
    // Lexicographic, element by element (lowering compares the elements).
    const auto &le = types.get(l).elems, &re = types.get(r).elems;
    for (size_t i = 0; i < std::min(le.size(), re.size()); ++i)
      type_compare(types, CmpKind::Eq, le[i], re[i], loc);
    for (size_t i = 0; i < std::min(le.size(), re.size()); ++i)
      if (kind != CmpKind::Eq && kind != CmpKind::Ne) type_compare(types, kind, le[i], re[i], loc);
    return {TypeId{}, types.boolean()};
  }
  if (types.kind(l) == TypeKind::NumberClass && types.kind(r) == TypeKind::NumberClass &&
      (kind == CmpKind::Eq || kind == CmpKind::Ne))
    return {TypeId{}, types.boolean()};  // a.dtype == b.dtype: decided by the types
  if (types.kind(l) == TypeKind::None && types.kind(r) == TypeKind::None &&
      (kind == CmpKind::Eq || kind == CmpKind::Ne))
    return {types.none(), types.boolean()};
  typing_error(loc) << "cannot compare " << types.to_string(lhs) << " " << cmp_symbol(kind) << " "
                    << types.to_string(rhs);
}

TypeId type_unary(TypeContext &types, UnaryKind kind, TypeId v, SourceLoc loc) {
  TypeId t = unwrap_optional(types, v);
  if (kind == UnaryKind::Not) {
    check_truth(types, v, loc);
    return types.boolean();
  }
  if (!types.is_scalar(t))
    typing_error(loc) << "bad operand type for unary " << unary_symbol(kind) << ": "
                      << types.to_string(v);
  ScalarKind k = types.scalar_kind(t);
  if (is_time(k)) return types.scalar(type_time_unary(kind, k, loc));
  if (kind == UnaryKind::Invert && (is_float(k) || is_complex(k)))
    typing_error(loc) << "bad operand type for unary ~: " << types.to_string(v);
  if (k == ScalarKind::Bool) return types.int64();
  // Numba: -uint8(3) is 253, computed in uint8 and then widened to uint64.
  if (is_integer(k)) return is_signed(k) ? types.int64() : types.scalar(ScalarKind::UInt64);
  return t;
}

void check_truth(const TypeContext &types, TypeId t, SourceLoc loc) {
  switch (types.kind(t)) {
    case TypeKind::Scalar:
    case TypeKind::None:
    case TypeKind::Optional:
    case TypeKind::Tuple:
    case TypeKind::List:
    case TypeKind::Dict:
    case TypeKind::Set: return;
    case TypeKind::Str:
    case TypeKind::Unicode: return;
    case TypeKind::Array:
      if (types.bytes_kind(t) != BytesKind::None) return;  // non-empty, as Python's
      typing_error(loc) << "the truth value of an array is ambiguous; use a.any() or a.all()";
    default:
      typing_error(loc) << "a value of type " << types.to_string(t)
                        << " has no truth value in compiled code";
  }
}

}  // namespace ember
