// Typing rules for calls: builtins (Builtins.def), number classes used as conversions, exception
// classes, bound methods and other jitted functions.
#include "typeinfer/CallRules.h"

#include <algorithm>
#include <sstream>

#include "typeinfer/InferTypes.h"
#include "typeinfer/TypeRules.h"

namespace ember {

const BuiltinSignature &builtin_signature(BuiltinId id) {
  static const BuiltinSignature varargs{{}, 0, true};
  static const BuiltinSignature one{{"x"}, 1, false};
  static const BuiltinSignature two{{"x", "y"}, 2, false};
  static const BuiltinSignature round{{"number", "ndigits"}, 1, false};
  static const BuiltinSignature enumerate{{"iterable", "start"}, 1, false};
  static const BuiltinSignature shape_dtype{{"shape", "dtype"}, 1, false};
  static const BuiltinSignature full{{"shape", "fill_value", "dtype"}, 2, false};
  static const BuiltinSignature like{{"a", "dtype"}, 1, false};
  static const BuiltinSignature full_like{{"a", "fill_value", "dtype"}, 2, false};
  static const BuiltinSignature linspace{{"start", "stop", "num"}, 2, false};
  static const BuiltinSignature eye{{"N", "M", "k", "dtype"}, 1, false};
  static const BuiltinSignature identity{{"n", "dtype"}, 1, false};
  static const BuiltinSignature array_only{{"a"}, 1, false};
  switch (id) {
    case BuiltinId::Range:
    case BuiltinId::Prange:
    case BuiltinId::Min:
    case BuiltinId::Max:
    case BuiltinId::Zip:
    case BuiltinId::NpArange: return varargs;
    case BuiltinId::Round: return round;
    case BuiltinId::Enumerate: return enumerate;
    case BuiltinId::Pow:
    case BuiltinId::MathAtan2:
    case BuiltinId::MathCopysign:
    case BuiltinId::MathHypot:
    case BuiltinId::MathPow:
    case BuiltinId::MathFmod:
    case BuiltinId::NpArctan2:
    case BuiltinId::NpMinimum:
    case BuiltinId::NpMaximum: return two;
    case BuiltinId::NpEmpty:
    case BuiltinId::NpZeros:
    case BuiltinId::NpOnes: return shape_dtype;
    case BuiltinId::NpFull: return full;
    case BuiltinId::NpEmptyLike:
    case BuiltinId::NpZerosLike:
    case BuiltinId::NpOnesLike: return like;
    case BuiltinId::NpFullLike: return full_like;
    case BuiltinId::NpLinspace: return linspace;
    case BuiltinId::NpEye: return eye;
    case BuiltinId::NpIdentity: return identity;
    case BuiltinId::NpCopy:
    case BuiltinId::NpAscontiguousarray: return array_only;
    default: return one;
  }
}

std::vector<int> bind_call_args(const RuleContext &cx, const std::vector<const char *> &names,
                                int required, const std::string &fname) {
  const InstData &d = cx.inst;
  size_t nargs = d.operands.size() - 1;
  size_t nkw = d.imm >= 0 ? cx.f.kwnames[static_cast<size_t>(d.imm)].size() : 0;
  size_t npos = nargs - nkw;
  std::vector<int> bound(names.size(), -1);
  if (npos > names.size())
    typing_error(cx.loc()) << fname << "() takes at most " << names.size()
                           << " arguments but " << npos << " were given";
  for (size_t i = 0; i < npos; ++i) bound[i] = static_cast<int>(i + 1);
  for (size_t k = 0; k < nkw; ++k) {
    const std::string &kw = cx.f.kwnames[static_cast<size_t>(d.imm)][k];
    size_t p = 0;
    while (p < names.size() && kw != names[p]) ++p;
    if (p == names.size())
      typing_error(cx.loc()) << fname << "() got an unexpected keyword argument '" << kw << "'";
    if (bound[p] >= 0)
      typing_error(cx.loc()) << fname << "() got multiple values for argument '" << kw << "'";
    bound[p] = static_cast<int>(npos + k + 1);
  }
  for (int p = 0; p < required; ++p)
    if (bound[static_cast<size_t>(p)] < 0)
      typing_error(cx.loc()) << fname << "() missing required argument '"
                             << names[static_cast<size_t>(p)] << "'";
  return bound;
}

bool parse_dtype_name(const std::string &name, ScalarKind *out) {
  static const struct {
    const char *name;
    ScalarKind kind;
  } table[] = {
      {"bool", ScalarKind::Bool},        {"b1", ScalarKind::Bool},
      {"?", ScalarKind::Bool},           {"bool_", ScalarKind::Bool},
      {"int8", ScalarKind::Int8},        {"i1", ScalarKind::Int8},
      {"int16", ScalarKind::Int16},      {"i2", ScalarKind::Int16},
      {"int32", ScalarKind::Int32},      {"i4", ScalarKind::Int32},
      {"int64", ScalarKind::Int64},      {"i8", ScalarKind::Int64},
      {"int", ScalarKind::Int64},        {"intp", ScalarKind::Int64},
      {"uint8", ScalarKind::UInt8},      {"u1", ScalarKind::UInt8},
      {"uint16", ScalarKind::UInt16},    {"u2", ScalarKind::UInt16},
      {"uint32", ScalarKind::UInt32},    {"u4", ScalarKind::UInt32},
      {"uint64", ScalarKind::UInt64},    {"u8", ScalarKind::UInt64},
      {"uintp", ScalarKind::UInt64},     {"float32", ScalarKind::Float32},
      {"f4", ScalarKind::Float32},       {"single", ScalarKind::Float32},
      {"float64", ScalarKind::Float64},  {"f8", ScalarKind::Float64},
      {"float", ScalarKind::Float64},    {"double", ScalarKind::Float64},
      {"complex64", ScalarKind::Complex64}, {"c8", ScalarKind::Complex64},
      {"complex128", ScalarKind::Complex128}, {"c16", ScalarKind::Complex128},
      {"complex", ScalarKind::Complex128},
  };
  for (const auto &e : table)
    if (name == e.name) {
      *out = e.kind;
      return true;
    }
  return false;
}

bool dtype_of(const TypeContext &types, TypeId t, ScalarKind *out) {
  switch (types.kind(t)) {
    case TypeKind::NumberClass: *out = static_cast<ScalarKind>(types.get(t).a); return true;
    case TypeKind::Str: return parse_dtype_name(types.string(types.get(t).a), out);
    default: return false;
  }
}

namespace {

class CallTyper {
 public:
  explicit CallTyper(RuleContext &cx) : cx_(cx), types_(cx.types) {}

  TypeId run() {
    TypeId callee = cx_.type(cx_.inst.operands[0]);
    const TypeData &cd = types_.get(callee);
    switch (cd.kind) {
      case TypeKind::Builtin: return builtin(static_cast<BuiltinId>(cd.a));
      case TypeKind::NumberClass: return number_class(static_cast<ScalarKind>(cd.a));
      case TypeKind::ExceptionClass: return exception(static_cast<int32_t>(cd.handle));
      case TypeKind::Dispatcher: return dispatcher(cd.handle);
      case TypeKind::BoundMethod:
        unsupported(cx_.loc()) << "the method " << cx_.str(callee)
                               << " is not supported in compiled code yet";
      default:
        typing_error(cx_.loc()) << "a value of type " << cx_.str(callee) << " is not callable";
    }
  }

 private:
  size_t nargs() const { return cx_.inst.operands.size() - 1; }
  TypeId arg(size_t i) const { return cx_.type(cx_.inst.operands[i + 1]); }
  bool has_kw() const { return cx_.inst.imm >= 0; }
  std::string fname(BuiltinId id) const {
    const BuiltinInfo &b = builtin_info(id);
    std::string m = b.module;
    if (m == "builtins") return b.attr;
    if (m == "numpy") m = "np";
    if (m == "numpy.random") m = "np.random";
    return m + "." + b.attr;
  }

  [[noreturn]] void bad_args(BuiltinId id) {
    std::ostringstream os;
    for (size_t i = 0; i < nargs(); ++i) os << (i ? ", " : "") << cx_.str(arg(i));
    typing_error(cx_.loc()) << "no implementation of " << fname(id) << "() for arguments ("
                            << os.str() << ")";
  }

  bool is_int_like(TypeId t) const {
    t = unwrap_optional(types_, t);
    return types_.is_scalar(t) &&
           (is_integer(types_.scalar_kind(t)) || types_.scalar_kind(t) == ScalarKind::Bool);
  }
  bool is_number(TypeId t) const { return types_.is_scalar(unwrap_optional(types_, t)); }
  ScalarKind kind_of(TypeId t) const { return types_.scalar_kind(unwrap_optional(types_, t)); }

  /// The float type a math function computes in for an argument of kind k.
  ScalarKind float_for(ScalarKind k) const {
    return k == ScalarKind::Float32 ? ScalarKind::Float32 : ScalarKind::Float64;
  }

  TypeId builtin(BuiltinId id) {
    const BuiltinSignature &sig = builtin_signature(id);
    if (sig.varargs && has_kw())
      typing_error(cx_.loc()) << fname(id) << "() takes no keyword arguments in compiled code";
    std::vector<int> bound;
    if (!sig.varargs) bound = bind_call_args(cx_, sig.names, sig.required, fname(id));
    auto given = [&](size_t p) { return p < bound.size() && bound[p] >= 0; };
    auto bt = [&](size_t p) { return cx_.type(cx_.inst.operands[static_cast<size_t>(bound[p])]); };
    switch (id) {
      case BuiltinId::Range:
      case BuiltinId::Prange: {
        if (nargs() < 1 || nargs() > 3) typing_error(cx_.loc()) << fname(id) << "() takes 1 to 3 arguments";
        for (size_t i = 0; i < nargs(); ++i)
          if (!is_int_like(arg(i)))
            typing_error(cx_.loc()) << fname(id) << "() arguments must be integers, not "
                                    << cx_.str(arg(i));
        return types_.range(id == BuiltinId::Prange);
      }
      case BuiltinId::Len: {
        TypeKind k = types_.kind(bt(0));
        if (k == TypeKind::Array) {
          if (types_.ndim(bt(0)) == 0) typing_error(cx_.loc()) << "len() of a 0-d array";
          return types_.int64();
        }
        if (k == TypeKind::Tuple || k == TypeKind::Range) return types_.int64();
        bad_args(id);
      }
      case BuiltinId::Abs:
      case BuiltinId::NpAbsolute: {
        TypeId t = unwrap_optional(types_, bt(0));
        if (types_.is_array(t)) return array_ufunc(id);
        if (!types_.is_scalar(t)) bad_args(id);
        ScalarKind k = types_.scalar_kind(t);
        if (k == ScalarKind::Bool) return id == BuiltinId::Abs ? types_.int64() : types_.boolean();
        if (k == ScalarKind::Complex64) return types_.scalar(ScalarKind::Float32);
        if (k == ScalarKind::Complex128) return types_.float64();
        if (id == BuiltinId::Abs && is_integer(k))
          return is_signed(k) ? types_.int64() : types_.scalar(ScalarKind::UInt64);
        return t;
      }
      case BuiltinId::Min:
      case BuiltinId::Max: {
        if (nargs() == 1) {
          TypeId t = arg(0);
          if (types_.kind(t) == TypeKind::Tuple) return fold_promote(types_.get(t).elems, id);
          if (types_.is_array(t)) return array_reduction(id);
          bad_args(id);
        }
        if (nargs() == 0) bad_args(id);
        std::vector<TypeId> ts;
        for (size_t i = 0; i < nargs(); ++i) ts.push_back(arg(i));
        return fold_promote(ts, id);
      }
      case BuiltinId::Round: {
        TypeId t = unwrap_optional(types_, bt(0));
        if (!types_.is_scalar(t) || is_complex(types_.scalar_kind(t))) bad_args(id);
        ScalarKind k = types_.scalar_kind(t);
        if (given(1) && types_.kind(bt(1)) != TypeKind::None) {
          if (!is_int_like(bt(1))) bad_args(id);
          return is_float(k) ? t : types_.int64();
        }
        return types_.int64();
      }
      case BuiltinId::Pow:
        return type_binop(types_, BinOpKind::Pow, bt(0), bt(1), cx_.loc()).result;
      case BuiltinId::Enumerate: {
        if (given(1) && !is_int_like(bt(1))) bad_args(id);
        return types_.enumerate_iter(iterator_of(bt(0), id));
      }
      case BuiltinId::Zip: {
        std::vector<TypeId> inners;
        for (size_t i = 0; i < nargs(); ++i) inners.push_back(iterator_of(arg(i), id));
        return types_.zip_iter(inners);
      }
      case BuiltinId::MathFloor:
      case BuiltinId::MathCeil:
      case BuiltinId::MathTrunc: {
        if (!is_number(bt(0)) || is_complex(kind_of(bt(0)))) bad_args(id);
        return types_.int64();
      }
      case BuiltinId::MathIsnan:
      case BuiltinId::MathIsinf:
      case BuiltinId::MathIsfinite: {
        if (!is_number(bt(0)) || is_complex(kind_of(bt(0)))) bad_args(id);
        return types_.boolean();
      }
      case BuiltinId::MathAtan2:
      case BuiltinId::MathCopysign:
      case BuiltinId::MathHypot:
      case BuiltinId::MathPow:
      case BuiltinId::MathFmod: {
        if (!is_number(bt(0)) || !is_number(bt(1)) || is_complex(kind_of(bt(0))) ||
            is_complex(kind_of(bt(1))))
          bad_args(id);
        ScalarKind a = float_for(kind_of(bt(0))), b = float_for(kind_of(bt(1)));
        return types_.scalar(a == ScalarKind::Float32 && b == ScalarKind::Float32
                                 ? ScalarKind::Float32
                                 : ScalarKind::Float64);
      }
      case BuiltinId::NpArctan2:
      case BuiltinId::NpMinimum:
      case BuiltinId::NpMaximum: {
        if (types_.is_array(bt(0)) || types_.is_array(bt(1))) return array_ufunc(id);
        if (!is_number(bt(0)) || !is_number(bt(1))) bad_args(id);
        ScalarKind p = promote(kind_of(bt(0)), kind_of(bt(1)));
        if (id == BuiltinId::NpArctan2) p = is_integer(p) ? ScalarKind::Float64 : p;
        return types_.scalar(p);
      }
      case BuiltinId::NpIsnan:
      case BuiltinId::NpIsinf:
      case BuiltinId::NpIsfinite: {
        if (types_.is_array(bt(0))) return array_ufunc(id);
        if (!is_number(bt(0))) bad_args(id);
        return types_.boolean();
      }
      case BuiltinId::NpEmpty:
      case BuiltinId::NpZeros:
      case BuiltinId::NpOnes:
        return types_.array(dtype_arg(bound, 1, ScalarKind::Float64, id), shape_ndim(bt(0), id),
                            Layout::C);
      case BuiltinId::NpFull: {
        if (!is_number(bt(1))) bad_args(id);
        ScalarKind fill = kind_of(bt(1));
        return types_.array(dtype_arg(bound, 2, fill, id), shape_ndim(bt(0), id), Layout::C);
      }
      case BuiltinId::NpEmptyLike:
      case BuiltinId::NpZerosLike:
      case BuiltinId::NpOnesLike:
      case BuiltinId::NpFullLike: {
        TypeId a = bt(0);
        size_t dtype_pos = id == BuiltinId::NpFullLike ? 2 : 1;
        if (id == BuiltinId::NpFullLike && !is_number(bt(1))) bad_args(id);
        if (types_.is_array(a))
          return types_.array(dtype_arg(bound, dtype_pos, types_.dtype(a), id), types_.ndim(a),
                              Layout::C);
        if (is_number(a))
          return types_.array(dtype_arg(bound, dtype_pos, kind_of(a), id), 0, Layout::C);
        bad_args(id);
      }
      case BuiltinId::NpArange: {
        if (nargs() < 1 || nargs() > 3) bad_args(id);
        ScalarKind k = ScalarKind::Int64;
        for (size_t i = 0; i < nargs(); ++i) {
          if (!is_number(arg(i)) || is_complex(kind_of(arg(i)))) bad_args(id);
          if (is_float(kind_of(arg(i)))) k = ScalarKind::Float64;
        }
        return types_.array(k, 1, Layout::C);
      }
      case BuiltinId::NpLinspace: {
        if (!is_number(bt(0)) || !is_number(bt(1)) || (given(2) && !is_int_like(bt(2))))
          bad_args(id);
        return types_.array(ScalarKind::Float64, 1, Layout::C);
      }
      case BuiltinId::NpEye: {
        if (!is_int_like(bt(0)) || (given(1) && types_.kind(bt(1)) != TypeKind::None &&
                                    !is_int_like(bt(1))) ||
            (given(2) && !is_int_like(bt(2))))
          bad_args(id);
        return types_.array(dtype_arg(bound, 3, ScalarKind::Float64, id), 2, Layout::C);
      }
      case BuiltinId::NpIdentity: {
        if (!is_int_like(bt(0))) bad_args(id);
        return types_.array(dtype_arg(bound, 1, ScalarKind::Float64, id), 2, Layout::C);
      }
      case BuiltinId::NpCopy:
      case BuiltinId::NpAscontiguousarray: {
        TypeId a = bt(0);
        if (!types_.is_array(a)) bad_args(id);
        return types_.array(types_.dtype(a), std::max(types_.ndim(a), id == BuiltinId::NpCopy ? 0 : 1),
                            Layout::C);
      }
      default: break;
    }
    if (is_math_unary(id)) {
      TypeId t = bt(0);
      if (types_.is_array(unwrap_optional(types_, t))) {
        if (builtin_info(id).module == std::string("numpy")) return array_ufunc(id);
        bad_args(id);
      }
      if (!is_number(t) || is_complex(kind_of(t))) bad_args(id);
      return types_.scalar(float_for(kind_of(t)));
    }
    unsupported(cx_.loc()) << fname(id) << "() is not supported in compiled code yet";
  }

  bool is_math_unary(BuiltinId id) const {
    switch (id) {
      case BuiltinId::MathSqrt: case BuiltinId::MathExp: case BuiltinId::MathLog:
      case BuiltinId::MathLog2: case BuiltinId::MathLog10: case BuiltinId::MathLog1p:
      case BuiltinId::MathExpm1: case BuiltinId::MathSin: case BuiltinId::MathCos:
      case BuiltinId::MathTan: case BuiltinId::MathAsin: case BuiltinId::MathAcos:
      case BuiltinId::MathAtan: case BuiltinId::MathSinh: case BuiltinId::MathCosh:
      case BuiltinId::MathTanh: case BuiltinId::MathAsinh: case BuiltinId::MathAcosh:
      case BuiltinId::MathAtanh: case BuiltinId::MathFabs: case BuiltinId::MathErf:
      case BuiltinId::MathErfc: case BuiltinId::MathGamma: case BuiltinId::MathLgamma:
      case BuiltinId::MathRadians: case BuiltinId::MathDegrees:
      case BuiltinId::NpSqrt: case BuiltinId::NpExp: case BuiltinId::NpLog:
      case BuiltinId::NpLog2: case BuiltinId::NpLog10: case BuiltinId::NpLog1p:
      case BuiltinId::NpExpm1: case BuiltinId::NpSin: case BuiltinId::NpCos:
      case BuiltinId::NpTan: case BuiltinId::NpArcsin: case BuiltinId::NpArccos:
      case BuiltinId::NpArctan: case BuiltinId::NpSinh: case BuiltinId::NpCosh:
      case BuiltinId::NpTanh: case BuiltinId::NpFloor: case BuiltinId::NpCeil:
      case BuiltinId::NpTrunc: return true;
      default: return false;
    }
  }

  TypeId fold_promote(const std::vector<TypeId> &ts, BuiltinId id) {
    ScalarKind acc = ScalarKind::Bool;
    bool first = true;
    for (TypeId t : ts) {
      if (!is_number(t) || is_complex(kind_of(t))) bad_args(id);
      ScalarKind k = kind_of(t);
      if (first) {
        acc = k;
        first = false;
      } else if (acc != k) {
        acc = promote(acc, k);
      }
    }
    return types_.scalar(acc);
  }

  TypeId iterator_of(TypeId t, BuiltinId id) {
    switch (types_.kind(t)) {
      case TypeKind::Range: return types_.range_iter();
      case TypeKind::Array:
        if (types_.ndim(t) == 0) typing_error(cx_.loc()) << "iteration over a 0-d array";
        return types_.array_iter(t);
      case TypeKind::RangeIter:
      case TypeKind::ArrayIter:
      case TypeKind::EnumerateIter:
      case TypeKind::ZipIter: return t;
      default:
        typing_error(cx_.loc()) << fname(id) << "() cannot iterate over " << cx_.str(t);
    }
  }

  int shape_ndim(TypeId shape, BuiltinId id) {
    if (is_int_like(shape)) return 1;
    if (types_.kind(shape) == TypeKind::Tuple) {
      for (TypeId e : types_.get(shape).elems)
        if (!is_int_like(e))
          typing_error(cx_.loc()) << fname(id) << "(): the shape must be an int or a tuple of "
                                  << "ints, not " << cx_.str(shape);
      return static_cast<int>(types_.get(shape).elems.size());
    }
    typing_error(cx_.loc()) << fname(id) << "(): the shape must be an int or a tuple of ints, not "
                            << cx_.str(shape);
  }

  ScalarKind dtype_arg(const std::vector<int> &bound, size_t p, ScalarKind dflt, BuiltinId id) {
    if (p >= bound.size() || bound[p] < 0) return dflt;
    TypeId t = cx_.type(cx_.inst.operands[static_cast<size_t>(bound[p])]);
    if (types_.kind(t) == TypeKind::None) return dflt;
    ScalarKind k;
    if (dtype_of(types_, t, &k)) return k;
    typing_error(cx_.loc()) << fname(id) << "(): dtype must be a NumPy type such as np.float32 or "
                            << "a string such as 'f4', known when the function is compiled; got "
                            << cx_.str(t);
  }

  TypeId array_ufunc(BuiltinId id) {
    unsupported(cx_.loc()) << fname(id) << "() on arrays is not supported in compiled code yet";
  }
  TypeId array_reduction(BuiltinId id) {
    unsupported(cx_.loc()) << fname(id) << "() of an array is not supported in compiled code yet";
  }

  TypeId number_class(ScalarKind k) {
    if (has_kw() || nargs() > 1)
      typing_error(cx_.loc()) << scalar_name(k) << "() takes one positional argument";
    if (nargs() == 0) return types_.scalar(k);
    TypeId t = arg(0);
    if (types_.kind(t) == TypeKind::Str)
      unsupported(cx_.loc()) << "converting a string to " << scalar_name(k)
                             << " is not supported in compiled code";
    if (!is_number(t))
      typing_error(cx_.loc()) << "cannot convert " << cx_.str(t) << " to " << scalar_name(k);
    if (is_complex(kind_of(t)) && !is_complex(k))
      typing_error(cx_.loc()) << "cannot convert complex to " << scalar_name(k);
    return types_.scalar(k);
  }

  TypeId exception(int32_t exc_id) {
    if (has_kw()) typing_error(cx_.loc()) << "exceptions take no keyword arguments";
    if (nargs() == 0) return types_.exception_value(exc_id, "");
    TypeId t = arg(0);
    if (nargs() == 1 && types_.kind(t) == TypeKind::Str)
      return types_.exception_value(exc_id, types_.string(types_.get(t).a));
    unsupported(cx_.loc()) << "exceptions raised in compiled code take one constant string "
                              "message; got ("
                           << cx_.str(t) << (nargs() > 1 ? ", ..." : "") << ")";
  }

  TypeId dispatcher(uint64_t handle) {
    std::vector<TypeId> args;
    for (size_t i = 0; i < nargs(); ++i) {
      TypeId t = arg(i);
      if (types_.is_compile_time(t))
        unsupported(cx_.loc()) << "passing a " << cx_.str(t)
                               << " to a jitted function is not supported";
      args.push_back(t);
    }
    std::vector<std::string> kwnames;
    if (has_kw()) kwnames = cx_.f.kwnames[static_cast<size_t>(cx_.inst.imm)];
    CalleeRef ref;
    if (handle == cx_.self_handle && kwnames.empty() && cx_.self_params &&
        args == *cx_.self_params) {
      // Recursion: the result is Unknown until a non-recursive return has been typed.
      ref.dispatcher = handle;
      ref.self = true;
      ref.params = args;
      ref.result = cx_.self_return;
      for (size_t i = 0; i < args.size(); ++i) ref.arg_map.push_back(static_cast<int32_t>(i));
    } else {
      internal_assert(cx_.resolver) << "no callee resolver";
      ref = cx_.resolver->resolve(handle, args, kwnames, cx_.loc());
    }
    if (cx_.callee_out) *cx_.callee_out = ref;
    return ref.result;
  }

  RuleContext &cx_;
  TypeContext &types_;
};

}  // namespace

TypeId type_call(RuleContext &cx) { return CallTyper(cx).run(); }

}  // namespace ember
