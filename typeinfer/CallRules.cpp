// Typing rules for calls: Python's builtins and the math module, number classes used as
// conversions, exception classes, other jitted functions, and the dispatch of NumPy functions
// and array methods to NumpyRules.cpp.
#include "typeinfer/CallRules.h"

#include "typeinfer/ContainerRules.h"

#include <algorithm>
#include <sstream>

#include "ir/rules/Datetime.h"
#include "ir/rules/Elementwise.h"
#include "ir/rules/IndexAnalysis.h"
#include "ir/rules/Isinstance.h"
#include "ir/rules/Promotion.h"
#include "typeinfer/InferTypes.h"
#include "typeinfer/TypeRules.h"

namespace ember {

const BuiltinSignature &builtin_signature(BuiltinId id) {
  using S = BuiltinSignature;
  static const S varargs{{}, 0, true};
  static const S nothing{{}, 0, false};
  static const S one{{"x"}, 1, false}, two{{"x", "y"}, 2, false};
  static const S round{{"number", "ndigits"}, 1, false};
  static const S pow3{{"base", "exp", "mod"}, 2, false};
  static const S isinstance{{"obj", "class_or_tuple"}, 2, false};
  static const S enumerate{{"iterable", "start"}, 1, false};
  static const S shape_dtype{{"shape", "dtype"}, 1, false};
  static const S full{{"shape", "fill_value", "dtype"}, 2, false};
  static const S like{{"a", "dtype"}, 1, false};
  static const S full_like{{"a", "fill_value", "dtype"}, 2, false};
  static const S linspace{{"start", "stop", "num"}, 2, false};
  static const S arange{{"start", "stop", "step", "dtype"}, 1, false};
  static const S eye{{"N", "M", "k", "dtype"}, 1, false};
  static const S identity{{"n", "dtype"}, 1, false};
  static const S array_only{{"a"}, 1, false};
  static const S where{{"condition", "x", "y"}, 3, false};
  static const S clip{{"a", "a_min", "a_max"}, 3, false};
  static const S reduce{{"a", "axis"}, 1, false};
  static const S sort{{"a", "axis", "kind"}, 1, false};
  static const S moments{{"a", "axis", "dtype", "out", "ddof"}, 1, false};
  static const S dot{{"a", "b"}, 2, false};
  static const S unique{{"ar"}, 1, false};
  static const S fill{{"a", "value"}, 2, false};
  static const S astype{{"a", "dtype"}, 2, false};
  static const S seed{{"seed"}, 0, false};
  static const S size_only{{"size"}, 0, false};
  static const S uniform{{"low", "high", "size"}, 0, false};
  static const S normal{{"loc", "scale", "size"}, 0, false};
  static const S randint{{"low", "high", "size"}, 1, false};
  static const S choice{{"a", "size", "replace", "p"}, 1, false};
  if (const S *kernel = kernel_builtin_signature(id)) return *kernel;
  if (const S *container = container_builtin_signature(id)) return *container;
  if (const S *lapack = lapack_builtin_signature(id)) return *lapack;
  if (const S *bitgen = bitgen_builtin_signature(id)) return *bitgen;
  if (const S *view = view_builtin_signature(id)) return *view;
  if (const S *str = string_builtin_signature(id)) return *str;
  if (const S *cfunc = cfunc_builtin_signature(id)) return *cfunc;
  if (const S *time = datetime_builtin_signature(id)) return *time;
  if (const S *bytes = bytes_builtin_signature(id)) return *bytes;
  switch (id) {
    case BuiltinId::Range:
    case BuiltinId::Prange:
    case BuiltinId::Min:
    case BuiltinId::Max:
    case BuiltinId::Zip:
    case BuiltinId::MathGcd:
    case BuiltinId::MathLcm:
    case BuiltinId::Print:
    case BuiltinId::NpReshape:
    case BuiltinId::NpRandomRand:
    case BuiltinId::NpRandomRandn: return varargs;
    case BuiltinId::Round: return round;
    case BuiltinId::NpDtype: {
      static const S dtype{{"dtype", "align", "copy"}, 1, false};
      return dtype;
    }
    case BuiltinId::ObjmodeCall: {
      static const S objmode{{"block", "types", "inputs"}, 3, false};
      return objmode;
    }
    case BuiltinId::EmberGetThreadId:
    case BuiltinId::EmberGetNumThreads: return nothing;
    case BuiltinId::Enumerate: return enumerate;
    case BuiltinId::Iter: {
      static const S iter{{"object"}, 1, false};
      return iter;
    }
    case BuiltinId::Next: {
      static const S next{{"iterator", "default"}, 1, false};
      return next;
    }
    case BuiltinId::Pow: return pow3;
    case BuiltinId::Isinstance: return isinstance;
    case BuiltinId::Divmod:
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
    case BuiltinId::NpArange: return arange;
    case BuiltinId::NpEye: return eye;
    case BuiltinId::NpIdentity: return identity;
    case BuiltinId::NpCopy:
    case BuiltinId::NpAscontiguousarray:
    case BuiltinId::NpRavel:
    case BuiltinId::ArrayFlatten: return array_only;
    case BuiltinId::NpTranspose:
    case BuiltinId::ArrayItem: return varargs;  // axes / indices after the array
    case BuiltinId::ArraySort:
    case BuiltinId::NpSort:
    case BuiltinId::NpArgsort: return sort;
    case BuiltinId::NpWhere: return where;
    case BuiltinId::NpClip: return clip;
    case BuiltinId::NpSum:
    case BuiltinId::NpProd:
    case BuiltinId::NpMin:
    case BuiltinId::NpMax:
    case BuiltinId::NpMean:
    case BuiltinId::NpArgmin:
    case BuiltinId::NpArgmax:
    case BuiltinId::NpAny:
    case BuiltinId::NpAll:
    case BuiltinId::NpCumsum:
    case BuiltinId::NpCumprod:

    case BuiltinId::NpStd:
    case BuiltinId::NpVar: return moments;
    case BuiltinId::NpDot:
    case BuiltinId::NpMatmul: return dot;
    case BuiltinId::NpUnique: return unique;
    case BuiltinId::ArrayFill: return fill;
    case BuiltinId::ArrayAstype: return astype;
    case BuiltinId::NpRandomSeed: return seed;
    case BuiltinId::NpRandomRandom:
    case BuiltinId::NpRandomStandardNormal: return size_only;
    case BuiltinId::NpRandomUniform: return uniform;
    case BuiltinId::NpRandomNormal: return normal;
    case BuiltinId::NpRandomRandint: return randint;
    case BuiltinId::NpRandomChoice: return choice;
    default: return one;
  }
}

BuiltinId method_builtin(MethodId m, TypeKind receiver) {
  if (receiver == TypeKind::List || receiver == TypeKind::Dict || receiver == TypeKind::Set)
    return container_method_builtin(m, receiver);
  if (receiver != TypeKind::Array && receiver != TypeKind::Scalar) return BuiltinId::NumBuiltins;
  switch (m) {
    case MethodId::Sum: return BuiltinId::NpSum;
    case MethodId::Prod: return BuiltinId::NpProd;
    case MethodId::Min: return BuiltinId::NpMin;
    case MethodId::Max: return BuiltinId::NpMax;
    case MethodId::Mean: return BuiltinId::NpMean;
    case MethodId::Std: return BuiltinId::NpStd;
    case MethodId::Var: return BuiltinId::NpVar;
    case MethodId::Argmin: return BuiltinId::NpArgmin;
    case MethodId::Argmax: return BuiltinId::NpArgmax;
    case MethodId::Any: return BuiltinId::NpAny;
    case MethodId::All: return BuiltinId::NpAll;
    case MethodId::Cumsum: return BuiltinId::NpCumsum;
    case MethodId::Cumprod: return BuiltinId::NpCumprod;
    case MethodId::Copy: return BuiltinId::NpCopy;
    case MethodId::Fill: return BuiltinId::ArrayFill;
    case MethodId::Astype: return BuiltinId::ArrayAstype;
    case MethodId::Reshape: return BuiltinId::NpReshape;
    case MethodId::Ravel: return BuiltinId::NpRavel;
    case MethodId::Flatten: return BuiltinId::ArrayFlatten;
    case MethodId::Sort: return BuiltinId::ArraySort;
    case MethodId::Argsort: return BuiltinId::NpArgsort;
    case MethodId::Transpose: return BuiltinId::NpTranspose;
    case MethodId::Dot: return BuiltinId::NpDot;
    case MethodId::Item: return BuiltinId::ArrayItem;
    case MethodId::Conjugate: return BuiltinId::NpConjugate;
    case MethodId::Tobytes: return BuiltinId::ArrayTobytes;
    default: return BuiltinId::NumBuiltins;
  }
}

CallArgs call_args(const Function &f, const InstData &d) {
  CallArgs a;
  const TypeContext &types = f.types();
  TypeId callee = f.type(d.operands[0]);
  if (types.kind(callee) == TypeKind::BoundMethod) {
    Inst get = f.def(d.operands[0]);
    internal_assert(get.valid() && f.inst(get).op == Op::GetAttr)
        << "a bound method without getattr";
    a.values.push_back(f.inst(get).operands[0]);
  }
  a.values.insert(a.values.end(), d.operands.begin() + 1, d.operands.end());
  if (d.imm >= 0) a.kwnames = f.kwnames[static_cast<size_t>(d.imm)];
  return a;
}

BuiltinId callee_builtin(const TypeContext &types, const Function &f, const InstData &d) {
  const TypeData &cd = types.get(f.type(d.operands[0]));
  if (cd.kind == TypeKind::Builtin) return static_cast<BuiltinId>(cd.a);
  if (cd.kind == TypeKind::BoundMethod) {
    auto m = static_cast<MethodId>(cd.a);
    return types.is_string(cd.elems[0]) ? string_method_builtin(m)
                                        : method_builtin(m, types.kind(cd.elems[0]));
  }
  return BuiltinId::NumBuiltins;
}

std::vector<int> bind_call_args(const CallArgs &args, const std::vector<const char *> &names,
                                int required, const std::string &fname, SourceLoc loc) {
  size_t npos = args.npos();
  std::vector<int> bound(names.size(), -1);
  if (npos > names.size())
    typing_error(loc) << fname << "() takes at most " << names.size() << " arguments but " << npos
                      << " were given";
  for (size_t i = 0; i < npos; ++i) bound[i] = static_cast<int>(i);
  for (size_t k = 0; k < args.kwnames.size(); ++k) {
    const std::string &kw = args.kwnames[k];
    size_t p = 0;
    while (p < names.size() && kw != names[p]) ++p;
    if (p == names.size())
      typing_error(loc) << fname << "() got an unexpected keyword argument '" << kw << "'";
    if (bound[p] >= 0)
      typing_error(loc) << fname << "() got multiple values for argument '" << kw << "'";
    bound[p] = static_cast<int>(npos + k);
  }
  for (int p = 0; p < required; ++p)
    if (bound[static_cast<size_t>(p)] < 0)
      typing_error(loc) << fname << "() missing required argument '"
                        << names[static_cast<size_t>(p)] << "'";
  return bound;
}

bool parse_dtype_name(const std::string &name, ScalarKind *out) {
  static const struct {
    const char *name;
    ScalarKind kind;
  } table[] = {
      {"bool", ScalarKind::Bool},
      {"b1", ScalarKind::Bool},
      {"?", ScalarKind::Bool},
      {"bool_", ScalarKind::Bool},
      {"int8", ScalarKind::Int8},
      {"i1", ScalarKind::Int8},
      {"int16", ScalarKind::Int16},
      {"i2", ScalarKind::Int16},
      {"int32", ScalarKind::Int32},
      {"i4", ScalarKind::Int32},
      {"int64", ScalarKind::Int64},
      {"i8", ScalarKind::Int64},
      {"int", ScalarKind::Int64},
      {"intp", ScalarKind::Int64},
      {"uint8", ScalarKind::UInt8},
      {"u1", ScalarKind::UInt8},
      {"uint16", ScalarKind::UInt16},
      {"u2", ScalarKind::UInt16},
      {"uint32", ScalarKind::UInt32},
      {"u4", ScalarKind::UInt32},
      {"uint64", ScalarKind::UInt64},
      {"u8", ScalarKind::UInt64},
      {"uintp", ScalarKind::UInt64},
      {"float16", ScalarKind::Float16},
      {"f2", ScalarKind::Float16},
      {"half", ScalarKind::Float16},
      {"float32", ScalarKind::Float32},
      {"f4", ScalarKind::Float32},
      {"single", ScalarKind::Float32},
      {"float64", ScalarKind::Float64},
      {"f8", ScalarKind::Float64},
      {"float", ScalarKind::Float64},
      {"double", ScalarKind::Float64},
      {"complex64", ScalarKind::Complex64},
      {"c8", ScalarKind::Complex64},
      {"complex128", ScalarKind::Complex128},
      {"c16", ScalarKind::Complex128},
      {"complex", ScalarKind::Complex128},
  };
  for (const auto &e : table)
    if (name == e.name) {
      *out = e.kind;
      return true;
    }
  // NumPy's one-letter codes and C names ('d', 'l', 'uint', 'longlong', ...), and a native or
  // little-endian byte order mark ('<f8', '=i4'): the machines ember targets are little-endian.
  static const struct {
    const char *name;
    ScalarKind kind;
  } more[] = {
      {"b", ScalarKind::Int8},
      {"B", ScalarKind::UInt8},
      {"h", ScalarKind::Int16},
      {"H", ScalarKind::UInt16},
      {"i", ScalarKind::Int32},
      {"I", ScalarKind::UInt32},
      {"l", ScalarKind::Int64},
      {"L", ScalarKind::UInt64},
      {"q", ScalarKind::Int64},
      {"Q", ScalarKind::UInt64},
      {"p", ScalarKind::Int64},
      {"P", ScalarKind::UInt64},
      {"e", ScalarKind::Float16},
      {"f", ScalarKind::Float32},
      {"d", ScalarKind::Float64},
      {"F", ScalarKind::Complex64},
      {"D", ScalarKind::Complex128},
      {"uint", ScalarKind::UInt64},
      {"byte", ScalarKind::Int8},
      {"ubyte", ScalarKind::UInt8},
      {"short", ScalarKind::Int16},
      {"ushort", ScalarKind::UInt16},
      {"intc", ScalarKind::Int32},
      {"uintc", ScalarKind::UInt32},
      {"long", ScalarKind::Int64},
      {"ulong", ScalarKind::UInt64},
      {"longlong", ScalarKind::Int64},
      {"ulonglong", ScalarKind::UInt64},
      {"csingle", ScalarKind::Complex64},
      {"cdouble", ScalarKind::Complex128},
  };
  for (const auto &e : more)
    if (name == e.name) {
      *out = e.kind;
      return true;
    }
  if (name.size() > 1 && (name[0] == '<' || name[0] == '=' || name[0] == '|') && name[1] != '<' &&
      name[1] != '=' && name[1] != '|' && name[1] != '>')
    return parse_dtype_name(name.substr(1), out);
  // 'datetime64[s]', 'M8[ns]', 'timedelta64[D]', 'm8' (generic)
  for (const char *family : {"datetime64", "M8", "timedelta64", "m8"}) {
    std::string f = family;
    if (name.compare(0, f.size(), f) != 0) continue;
    std::string rest = name.substr(f.size());
    TimeUnit u = TimeUnit::Generic;
    if (!rest.empty() && !(rest.size() > 2 && rest.front() == '[' && rest.back() == ']' &&
                           parse_time_unit(rest.substr(1, rest.size() - 2), &u)))
      return false;
    bool datetime = f == "datetime64" || f == "M8";
    *out = datetime ? datetime_kind(u) : timedelta_kind(u);
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

// ---- BuiltinCall ----------------------------------------------------------------------------

BuiltinCall::BuiltinCall(RuleContext &c, BuiltinId i)
    : cx(c), types(c.types), id(i), args(call_args(c.f, c.inst)) {
  const BuiltinSignature &sig = builtin_signature(id);
  if (sig.varargs) {
    if (!args.kwnames.empty())
      typing_error(cx.loc()) << name() << "() takes no keyword arguments in compiled code";
    return;
  }
  bound = bind_call_args(args, sig.names, sig.required, name(), cx.loc());
}

std::string BuiltinCall::name() const { return builtin_display_name(id); }

bool BuiltinCall::given(size_t p) const {
  return p < bound.size() && bound[p] >= 0 && types.kind(param(p)) != TypeKind::None;
}

void BuiltinCall::bad_args() const {
  std::ostringstream os;
  for (size_t i = 0; i < nargs(); ++i) os << (i ? ", " : "") << types.to_string(arg(i));
  typing_error(cx.loc()) << "no implementation of " << name() << "() for arguments (" << os.str()
                         << ")";
}

bool BuiltinCall::is_number(TypeId t) const { return types.is_scalar(unwrap_optional(types, t)); }

bool BuiltinCall::is_int_like(TypeId t) const {
  t = unwrap_optional(types, t);
  return types.is_scalar(t) &&
         (is_integer(types.scalar_kind(t)) || types.scalar_kind(t) == ScalarKind::Bool);
}

ScalarKind BuiltinCall::kind_of(TypeId t) const {
  return types.scalar_kind(unwrap_optional(types, t));
}

ScalarKind BuiltinCall::dtype_param(size_t p, ScalarKind dflt) const {
  if (!given(p)) return dflt;
  ScalarKind k;
  if (dtype_of(types, param(p), &k)) return k;
  if (types.kind(param(p)) == TypeKind::Str &&
      time_dtype_has_multiple(types.string(types.get(param(p)).a)))
    unsupported(cx.loc()) << name() << "(): dtype " << types.string(types.get(param(p)).a)
                          << ": datetime64 and timedelta64 units with a multiple ('10s', '2D') "
                             "are not supported in compiled code yet";
  typing_error(cx.loc()) << name() << "(): dtype must be a NumPy type such as np.float32 or a "
                         << "string such as 'f4', known when the function is compiled; got "
                         << types.to_string(param(p));
}

int BuiltinCall::shape_ndim(TypeId shape) const {
  if (is_int_like(shape)) return 1;
  if (types.kind(shape) == TypeKind::Tuple) {
    for (TypeId e : types.get(shape).elems)
      if (!is_int_like(e))
        typing_error(cx.loc()) << name() << "(): a shape is an int or a tuple of ints, not "
                               << types.to_string(shape);
    return static_cast<int>(types.get(shape).elems.size());
  }
  typing_error(cx.loc()) << name() << "(): a shape is an int or a tuple of ints, not "
                         << types.to_string(shape);
}

bool BuiltinCall::const_param(size_t p, int64_t *out) const {
  return p < bound.size() && bound[p] >= 0 && cx.f.const_int(value(p), out);
}

// ---- Python builtins and math ---------------------------------------------------------------

TypeId iterator_of(BuiltinCall &c, TypeId t) {
  return iterator_type(c.types, t, c.cx.loc(), c.name());
}

namespace {

/// next(it) is the iterator's item type.  next(it, default) is the type holding both: numbers
/// unify, a None default makes it Optional, and any other default must convert to the item.
TypeId type_next(BuiltinCall &c) {
  TypeContext &types = c.types;
  TypeId it = c.param(0);
  if (it.unknown()) return TypeId{};
  if (!is_iterator(types, it))
    typing_error(c.cx.loc()) << "next() takes an iterator (iter(x), a generator, enumerate(), "
                                "zip(), ...), not "
                             << types.to_string(it);
  TypeId item = iterator_value_type(types, it);
  if (c.bound[1] < 0 || item.unknown()) return item;
  TypeId d = c.param(1);
  if (types.kind(d) == TypeKind::None) return types.optional(item);
  if (d == item) return item;
  if (types.is_scalar(item) && types.is_scalar(d)) return unify(types, item, d, c.cx.loc());
  if (types.kind(d) == TypeKind::Str && types.kind(item) == TypeKind::Unicode) return item;
  if (!can_convert(types, d, item))
    typing_error(c.cx.loc()) << "next(): the default (" << types.to_string(d)
                             << ") must have the type of the iterator's items, "
                             << types.to_string(item);
  return item;
}

}  // namespace

namespace {

bool is_math_unary(BuiltinId id) {
  switch (id) {
    case BuiltinId::MathSqrt:
    case BuiltinId::MathExp:
    case BuiltinId::MathLog:
    case BuiltinId::MathLog2:
    case BuiltinId::MathLog10:
    case BuiltinId::MathLog1p:
    case BuiltinId::MathExpm1:
    case BuiltinId::MathSin:
    case BuiltinId::MathCos:
    case BuiltinId::MathTan:
    case BuiltinId::MathAsin:
    case BuiltinId::MathAcos:
    case BuiltinId::MathAtan:
    case BuiltinId::MathSinh:
    case BuiltinId::MathCosh:
    case BuiltinId::MathTanh:
    case BuiltinId::MathAsinh:
    case BuiltinId::MathAcosh:
    case BuiltinId::MathAtanh:
    case BuiltinId::MathFabs:
    case BuiltinId::MathErf:
    case BuiltinId::MathCbrt:
    case BuiltinId::NpCbrt:
    case BuiltinId::MathErfc:
    case BuiltinId::MathGamma:
    case BuiltinId::MathLgamma:
    case BuiltinId::MathRadians:
    case BuiltinId::MathDegrees:
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
    case BuiltinId::NpTanh:
    case BuiltinId::NpFloor:
    case BuiltinId::NpCeil:
    case BuiltinId::NpTrunc: return true;
    default: return false;
  }
}

/// The float type math on a value of kind k computes in: float16 and float32 keep theirs.
ScalarKind float_for(ScalarKind k) {
  if (k == ScalarKind::Float16 || k == ScalarKind::Float32) return k;
  return ScalarKind::Float64;
}

TypeId fold_promote(BuiltinCall &c, const std::vector<TypeId> &ts) {
  ScalarKind acc = ScalarKind::Bool;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (!c.is_number(ts[i]) || is_complex(c.kind_of(ts[i]))) c.bad_args();
    ScalarKind k = c.kind_of(ts[i]);
    acc = i == 0 ? k : (acc == k ? k : promote(acc, k));
  }
  return c.types.scalar(acc);
}

TypeId elementwise_call(BuiltinCall &c) {
  ElementwiseTyping et;
  if (!type_elementwise(c.types, c.cx.f, c.cx.inst, &et)) c.bad_args();
  return c.types.array(et.result, et.ndim, Layout::C);
}

TypeId type_python_builtin(BuiltinCall &c) {
  TypeContext &types = c.types;
  auto any_array = [&] {
    for (size_t i = 0; i < c.nargs(); ++i)
      if (types.is_array(c.arg(i))) return true;
    return false;
  };
  switch (c.id) {
    case BuiltinId::Range:
    case BuiltinId::Prange: {
      if (c.nargs() < 1 || c.nargs() > 3)
        typing_error(c.cx.loc()) << c.name() << "() takes 1 to 3 arguments";
      for (size_t i = 0; i < c.nargs(); ++i)
        if (!c.is_int_like(c.arg(i)))
          typing_error(c.cx.loc())
              << c.name() << "() arguments must be integers, not " << types.to_string(c.arg(i));
      return types.range(c.id == BuiltinId::Prange);
    }
    case BuiltinId::EmberGetThreadId:
    case BuiltinId::EmberGetNumThreads: return types.int64();
    case BuiltinId::Len: {
      TypeId t = c.param(0);
      if (types.is_array_like(t)) {
        if (types.ndim(t) == 0) typing_error(c.cx.loc()) << "len() of a 0-d array";
        return types.int64();
      }
      if (types.kind(t) == TypeKind::Tuple || types.kind(t) == TypeKind::Range ||
          types.is_container(t) || types.kind(t) == TypeKind::DictView || types.is_string(t))
        return types.int64();
      c.bad_args();
    }
    case BuiltinId::Abs:
    case BuiltinId::NpAbsolute: {
      TypeId t = unwrap_optional(types, c.param(0));
      if (types.is_array(t)) return elementwise_call(c);
      if (!types.is_scalar(t)) c.bad_args();
      ScalarKind k = types.scalar_kind(t);
      if (k == ScalarKind::Bool) return c.id == BuiltinId::Abs ? types.int64() : types.boolean();
      if (k == ScalarKind::Complex64) return types.scalar(ScalarKind::Float32);
      if (k == ScalarKind::Complex128) return types.float64();
      if (c.id == BuiltinId::Abs && is_integer(k))
        return is_signed(k) ? types.int64() : types.scalar(ScalarKind::UInt64);
      return t;
    }
    case BuiltinId::Min:
    case BuiltinId::Max: {
      if (c.nargs() == 1) {
        TypeId t = c.arg(0);
        if (types.kind(t) == TypeKind::Tuple) return fold_promote(c, types.get(t).elems);
        if (types.kind(t) == TypeKind::Generator) {  // Python's order: the first of the extremes
          TypeId e = types.get(t).elems[0];
          if (!types.is_scalar(e) || is_complex(types.scalar_kind(e))) c.bad_args();
          return e;
        }
        if (types.is_array(t)) {
          if (types.ndim(t) != 1) c.bad_args();
          return types.scalar(types.dtype(t));
        }
        // Any other iterable (list, set, dict view, str, range, ...): its items' type, numbers
        // (not complex: Python does not order them) or strings.
        TypeId item = iterator_value_type(types, iterator_of(c, t));
        if (item.unknown()) return TypeId{};
        if (types.kind(item) == TypeKind::Unicode) return item;
        if (!c.is_number(item) || is_complex(c.kind_of(item))) c.bad_args();
        return types.scalar(c.kind_of(item));
      }
      if (c.nargs() == 0) c.bad_args();
      std::vector<TypeId> ts;
      for (size_t i = 0; i < c.nargs(); ++i) ts.push_back(c.arg(i));
      return fold_promote(c, ts);
    }
    case BuiltinId::Round: {
      TypeId t = unwrap_optional(types, c.param(0));
      if (!types.is_scalar(t) || is_complex(types.scalar_kind(t))) c.bad_args();
      if (c.given(1)) {
        if (!c.is_int_like(c.param(1))) c.bad_args();
        return is_float(types.scalar_kind(t)) ? t : types.int64();
      }
      return types.int64();
    }
    case BuiltinId::Print: {
      if (c.cx.inst.imm >= 0)
        unsupported(c.cx.loc()) << "print() with keyword arguments (sep=, end=, file=) is not "
                                   "supported in compiled code";
      for (size_t i = 0; i < c.nargs(); ++i) {
        TypeId t = c.arg(i);
        std::vector<int64_t> code;
        if (types.kind(t) != TypeKind::Str && !types.to_code(t, &code))
          unsupported(c.cx.loc()) << "print() of a " << types.to_string(t)
                                  << " is not supported in compiled code";
      }
      return types.none();
    }
    case BuiltinId::Isinstance: {
      bool known = false;
      isinstance_of(types, c.param(0), c.param(1), &known);
      if (!known)
        unsupported(c.cx.loc()) << "isinstance() with " << types.to_string(c.param(1))
                                << " is not supported in compiled code (number classes, str, "
                                   "list, dict, set and tuples of them are)";
      return types.boolean();
    }
    case BuiltinId::Pow:
      if (c.given(2)) {  // pow(base, exp, mod): integers only, as Python's
        for (size_t k = 0; k < 3; ++k)
          if (!c.is_int_like(c.param(k)) || c.kind_of(c.param(k)) == ScalarKind::UInt64)
            typing_error(c.cx.loc())
                << "pow() with a modulus takes integers, not " << types.to_string(c.param(k));
        return types.int64();
      }
      return type_binop(types, BinOpKind::Pow, c.param(0), c.param(1), c.cx.loc()).result;
    case BuiltinId::Divmod: {
      // (a // b, a % b), each typed as the operator is
      if (!c.is_number(c.param(0)) || !c.is_number(c.param(1)) ||
          is_complex(c.kind_of(c.param(0))) || is_complex(c.kind_of(c.param(1))))
        c.bad_args();
      TypeId q = type_binop(types, BinOpKind::FloorDiv, c.param(0), c.param(1), c.cx.loc()).result;
      TypeId r = type_binop(types, BinOpKind::Mod, c.param(0), c.param(1), c.cx.loc()).result;
      return types.tuple({q, r});
    }
    case BuiltinId::MathGcd:
    case BuiltinId::MathLcm:
      for (size_t i = 0; i < c.nargs(); ++i)
        if (!c.is_int_like(c.arg(i)) || c.kind_of(c.arg(i)) == ScalarKind::UInt64) c.bad_args();
      return types.int64();
    case BuiltinId::ObjmodeCall: return type_objmode_call(c);
    case BuiltinId::Enumerate:
      if (c.given(1) && !c.is_int_like(c.param(1))) c.bad_args();
      return types.enumerate_iter(iterator_of(c, c.param(0)));
    case BuiltinId::Iter: return iterator_of(c, c.param(0));
    case BuiltinId::Next: return type_next(c);
    case BuiltinId::Zip: {
      std::vector<TypeId> inners;
      for (size_t i = 0; i < c.nargs(); ++i) inners.push_back(iterator_of(c, c.arg(i)));
      return types.zip_iter(inners);
    }
    case BuiltinId::MathFloor:
    case BuiltinId::MathCeil:
    case BuiltinId::MathTrunc:
      if (!c.is_number(c.param(0)) || is_complex(c.kind_of(c.param(0)))) c.bad_args();
      return types.int64();
    case BuiltinId::MathIsnan:
    case BuiltinId::MathIsinf:
    case BuiltinId::MathIsfinite:
      if (!c.is_number(c.param(0)) || is_complex(c.kind_of(c.param(0)))) c.bad_args();
      return types.boolean();
    case BuiltinId::MathAtan2:
    case BuiltinId::MathCopysign:
    case BuiltinId::MathHypot:
    case BuiltinId::MathPow:
    case BuiltinId::MathFmod: {
      for (size_t p = 0; p < 2; ++p)
        if (!c.is_number(c.param(p)) || is_complex(c.kind_of(c.param(p)))) c.bad_args();
      ScalarKind a = float_for(c.kind_of(c.param(0))), b = float_for(c.kind_of(c.param(1)));
      return types.scalar(a == b ? a : promote(a, b));
    }
    case BuiltinId::NpArctan2:
    case BuiltinId::NpMinimum:
    case BuiltinId::NpMaximum: {
      if (any_array()) return elementwise_call(c);
      if (!c.is_number(c.param(0)) || !c.is_number(c.param(1))) c.bad_args();
      ScalarKind p = promote(c.kind_of(c.param(0)), c.kind_of(c.param(1)));
      if (c.id == BuiltinId::NpArctan2) p = is_integer(p) ? ScalarKind::Float64 : p;
      return types.scalar(p);
    }
    case BuiltinId::NpWhere:
    case BuiltinId::NpClip: {
      if (any_array()) return elementwise_call(c);
      size_t first = c.id == BuiltinId::NpWhere ? 1 : 0;
      for (size_t i = first; i < 3; ++i)
        if (!c.is_number(c.param(i))) c.bad_args();
      if (c.id == BuiltinId::NpWhere) check_truth(types, c.param(0), c.cx.loc());
      ScalarKind p = c.kind_of(c.param(first));
      for (size_t i = first + 1; i < 3; ++i) p = promote(p, c.kind_of(c.param(i)));
      // NumPy's np.where of scalars is a 0-d array; np.clip of scalars a scalar.
      if (c.id == BuiltinId::NpWhere) return types.array(p, 0, Layout::C);
      return types.scalar(p);
    }
    case BuiltinId::NpConjugate:
      if (any_array() && c.nargs() == 1 &&
          types.kind(c.cx.type(c.cx.inst.operands[0])) != TypeKind::Builtin)  // a.conjugate()
        return types.array(types.dtype(c.arg(0)), types.ndim(c.arg(0)), Layout::C);
      if (any_array()) return elementwise_call(c);
      if (!c.is_number(c.param(0))) c.bad_args();
      return unwrap_optional(types, c.param(0));
    case BuiltinId::NpIsnan:
    case BuiltinId::NpIsinf:
    case BuiltinId::NpIsfinite:
      if (any_array()) return elementwise_call(c);
      if (!c.is_number(c.param(0))) c.bad_args();
      return types.boolean();
    default: break;
  }
  if (is_math_unary(c.id)) {
    TypeId t = c.param(0);
    if (types.is_array(unwrap_optional(types, t))) {
      if (builtin_info(c.id).module == std::string("numpy")) return elementwise_call(c);
      c.bad_args();
    }
    if (c.is_number(t) && is_complex(c.kind_of(t)) && is_complex_fn_builtin(c.id))
      return types.scalar(c.kind_of(t));
    if (!c.is_number(t) || is_complex(c.kind_of(t))) c.bad_args();
    bool rounding =
        c.id == BuiltinId::NpFloor || c.id == BuiltinId::NpCeil || c.id == BuiltinId::NpTrunc;
    if (rounding && !is_float(c.kind_of(t))) return types.scalar(c.kind_of(t));  // NumPy 2: exact
    return types.scalar(float_for(c.kind_of(t)));
  }
  return TypeId{};
}

// ---- other callees --------------------------------------------------------------------------

TypeId type_number_class(RuleContext &cx, ScalarKind k, bool python) {
  TypeContext &types = cx.types;
  size_t nargs = cx.inst.operands.size() - 1;
  if (is_complex(k) && nargs == 2 && cx.inst.imm < 0) {  // complex(real, imag)
    for (size_t i = 1; i <= 2; ++i)
      if (!types.is_scalar(cx.type(cx.inst.operands[i])))
        typing_error(cx.loc()) << scalar_name(k) << "() arguments must be numbers, not "
                               << types.to_string(cx.type(cx.inst.operands[i]));
    return types.scalar(k);
  }
  if (cx.inst.imm >= 0 || nargs > 1)
    typing_error(cx.loc()) << scalar_name(k) << "() takes one positional argument"
                           << (is_complex(k) ? " or two (real, imag)" : "");
  if (nargs == 0) return types.scalar(k);
  TypeId t = cx.type(cx.inst.operands[1]);
  if (types.is_string(t)) {
    // int(s) and float(s), with Python's grammar (ember/str.h); np.int32("5") is not Python.
    if (python && (k == ScalarKind::Int64 || k == ScalarKind::Float64)) return types.scalar(k);
    unsupported(cx.loc()) << "converting a string to " << scalar_name(k)
                          << " is not supported in compiled code (int() and float() are)";
  }
  if (types.is_array(t))
    unsupported(cx.loc()) << "use a.astype(" << scalar_name(k) << ") to convert an array";
  if (k == ScalarKind::Bool && python && types.is_container(t)) return types.boolean();
  if (!types.is_scalar(unwrap_optional(types, t)))
    typing_error(cx.loc()) << "cannot convert " << types.to_string(t) << " to " << scalar_name(k);
  ScalarKind from = types.scalar_kind(unwrap_optional(types, t));
  if (is_complex(from) && !is_complex(k) && k != ScalarKind::Bool)
    typing_error(cx.loc()) << "cannot convert complex to " << scalar_name(k);
  // Python's int() keeps a uint64's value (Numba types it uint64); np.int64() wraps it.
  if (python && k == ScalarKind::Int64 && from == ScalarKind::UInt64) return types.scalar(from);
  return types.scalar(k);
}

TypeId type_exception(RuleContext &cx, int32_t exc_id) {
  TypeContext &types = cx.types;
  size_t nargs = cx.inst.operands.size() - 1;
  if (cx.inst.imm >= 0) typing_error(cx.loc()) << "exceptions take no keyword arguments";
  if (nargs == 0) return types.exception_value(exc_id, "");
  TypeId t = cx.type(cx.inst.operands[1]);
  if (nargs == 1 && types.kind(t) == TypeKind::Str)
    return types.exception_value(exc_id, types.string(types.get(t).a));
  // Run-time arguments: numbers and string literals, kept as the exception's args.
  std::vector<TypeId> args;
  for (size_t k = 1; k < cx.inst.operands.size(); ++k) {
    TypeId a = cx.type(cx.inst.operands[k]);
    if (!types.is_scalar(a) && types.kind(a) != TypeKind::Str)
      unsupported(cx.loc()) << "exceptions raised in compiled code take numbers and string "
                               "literals as arguments, not "
                            << types.to_string(a);
    args.push_back(a);
  }
  return types.exception_args(exc_id, args);
}

/// A @guvectorize gufunc called with its outputs: the kernel runs over the arguments' outer
/// dimensions (broadcast as NumPy does) and the call's value is the output (a tuple of them).
TypeId type_gufunc_call(RuleContext &cx, const CalleeRef &ref, const std::vector<TypeId> &args) {
  TypeContext &types = cx.types;
  for (size_t k = 0; k < args.size(); ++k) {
    TypeId a = args[k], p = ref.params[k];
    int core = static_cast<int>(ref.core_dims[k].size());
    bool output = static_cast<int>(k) >= ref.gufunc_inputs;
    if (!types.is_array(a)) {
      if (output || types.is_array(p))
        typing_error(cx.loc()) << "argument " << k + 1 << " of the gufunc must be an array with "
                               << core << " core dimension(s), not " << types.to_string(a);
      continue;
    }
    if (types.ndim(a) < core)
      typing_error(cx.loc()) << "argument " << k + 1 << " of the gufunc needs at least " << core
                             << " dimension(s); it has " << types.ndim(a);
    if (output && types.readonly(a)) typing_error(cx.loc()) << "a gufunc's output is read-only";
  }
  std::vector<TypeId> outs(args.begin() + ref.gufunc_inputs, args.end());
  return outs.size() == 1 ? outs[0] : types.tuple(outs);
}

/// `leading`: a closure's captured values, passed before the call's arguments.
TypeId type_dispatcher_call(RuleContext &cx, uint64_t handle, CalleeKind kind,
                            const std::vector<TypeId> &leading = {}) {
  bool ufunc = kind == CalleeKind::UfuncKernel;
  TypeContext &types = cx.types;
  std::vector<TypeId> args = leading;
  // A @vectorize ufunc called with arrays: its kernel, element by element.
  int ndim = -1;
  for (size_t i = 1; ufunc && i < cx.inst.operands.size(); ++i) {
    TypeId t = cx.type(cx.inst.operands[i]);
    if (types.is_array(t)) ndim = std::max(ndim, types.ndim(t));
  }
  for (size_t i = 1; i < cx.inst.operands.size(); ++i) {
    TypeId t = cx.type(cx.inst.operands[i]);
    if (ndim >= 0 && types.is_array(t)) t = types.scalar(types.dtype(t));
    // A list or dict whose item types a later statement tells (`xs = []` ... `xs.append(v)`):
    // the callee is specialized once they are known.
    if (types.is_unresolved_container(t)) return TypeId{};
    // String literals and number classes reach the resolver: a NumPy function implemented in
    // Python (ember/npapi) picks its implementation by them (side="left", dtype=np.float32)
    // and passes them on to no compiled code; a jitted function refuses them there.
    bool literal = types.kind(t) == TypeKind::Str || types.kind(t) == TypeKind::NumberClass;
    if (types.is_compile_time(t) && !literal && !passable_function(types, t))
      unsupported(cx.loc()) << "passing a " << types.to_string(t)
                            << " to a jitted function is not supported";
    args.push_back(t);
  }
  std::vector<std::string> kwnames;
  if (cx.inst.imm >= 0) kwnames = cx.f.kwnames[static_cast<size_t>(cx.inst.imm)];
  CalleeRef ref;
  if (handle == cx.self_handle && kwnames.empty() && cx.self_params && args == *cx.self_params) {
    // Recursion: the result is Unknown until a non-recursive return has been typed.
    ref.dispatcher = handle;
    ref.self = true;
    ref.params = args;
    ref.result = cx.self_return;
    for (size_t i = 0; i < args.size(); ++i) ref.arg_map.push_back(static_cast<int32_t>(i));
  } else {
    internal_assert(cx.resolver) << "no callee resolver";
    ref = cx.resolver->resolve(handle, args, kwnames, cx.loc());
    if (ref.self) {
      // The callee is being compiled: only the function itself (keywords bound) is typeable.
      if (handle != cx.self_handle || !cx.self_params || ref.params != *cx.self_params)
        typing_error(cx.loc()) << "cannot type this call: it is a recursive call (through "
                                  "another function, or with other argument types) whose "
                                  "result type is still being inferred; give the function an "
                                  "explicit signature";
      ref.result = cx.self_return;
    }
  }
  if (cx.callee_out) *cx.callee_out = ref;
  if (kind == CalleeKind::GufuncKernel) return type_gufunc_call(cx, ref, args);
  if (ndim >= 0) {
    if (cx.inst.imm >= 0) unsupported(cx.loc()) << "keyword arguments to a ufunc over arrays";
    if (ref.result.unknown() || !types.is_scalar(ref.result))
      typing_error(cx.loc()) << "a ufunc's kernel must return a number";
    return types.array(types.scalar_kind(ref.result), ndim, Layout::C);
  }
  return ref.result;
}

}  // namespace

TypeId type_compiled_call(RuleContext &cx, uint64_t handle, const std::vector<TypeId> &leading) {
  return type_dispatcher_call(cx, handle, CalleeKind::Function, leading);
}

namespace {

/// The inputs of a NumPy ufunc lowered in C++ that takes an output array; 0 for other builtins.
int ufunc_inputs(BuiltinId id) {
  switch (id) {
    case BuiltinId::NpArctan2:
    case BuiltinId::NpMinimum:
    case BuiltinId::NpMaximum: return 2;
    case BuiltinId::NpClip: return 3;
    case BuiltinId::Abs:      // Python's abs()
    case BuiltinId::NpWhere:  // not a ufunc: no out=
      return 0;
    default: return is_ufunc_builtin(id) ? 1 : 0;
  }
}

/// NumPy's casting='same_kind': a safe cast, or one within a kind, in the order
/// bool < unsigned < signed < float < complex.
int kind_rank(ScalarKind k) {
  if (k == ScalarKind::Bool) return 0;
  if (is_integer(k)) return is_signed(k) ? 2 : 1;
  return is_complex(k) ? 4 : 3;
}

TypeId type_ufunc_out_call(RuleContext &cx, size_t out_index) {
  TypeContext &types = cx.types;
  BuiltinId id = static_cast<BuiltinId>(types.get(cx.type(cx.inst.operands[0])).a);
  std::string name = builtin_display_name(id);
  InstData d = cx.inst;  // the call without its output array
  d.operands.erase(d.operands.begin() + static_cast<std::ptrdiff_t>(out_index));
  if (d.imm >= 0) {
    if (cx.f.kwnames[static_cast<size_t>(d.imm)].size() != 1)
      unsupported(cx.loc()) << name
                            << "(): keyword arguments other than out= are not "
                               "supported in compiled code";
    d.imm = -1;
  }
  RuleContext inner{
      types,          cx.f,          d,         cx.resolver, cx.self_handle, cx.self_return,
      cx.self_params, cx.callee_out, cx.kernel, cx.sites,    cx.warp_size};
  TypeId result = type_call(inner);
  TypeId out = cx.type(cx.inst.operands[out_index]);
  if (types.kind(out) == TypeKind::None) return result;  // out=None: NumPy allocates
  if (!types.is_array(out))
    typing_error(cx.loc()) << name << "(): out must be an array, not " << types.to_string(out);
  if (types.readonly(out))
    typing_error(cx.loc()) << name << "(): out is a read-only array (" << types.to_string(out)
                           << ")";
  ScalarKind from = types.is_array(result) ? types.dtype(result) : types.scalar_kind(result);
  ScalarKind to = types.dtype(out);
  if (kind_rank(from) > kind_rank(to))
    typing_error(cx.loc()) << "Cannot cast ufunc '" << builtin_info(id).attr
                           << "' output from dtype('" << scalar_name(from) << "') to dtype('"
                           << scalar_name(to) << "') with casting rule 'same_kind'";
  return out;
}

}  // namespace

size_t ufunc_out_operand(const TypeContext &types, const Function &f, const InstData &d) {
  if (d.op != Op::Call || d.operands.empty()) return 0;
  const TypeData &cd = types.get(f.type(d.operands[0]));
  if (cd.kind != TypeKind::Builtin) return 0;
  auto nin = static_cast<size_t>(ufunc_inputs(static_cast<BuiltinId>(cd.a)));
  if (nin == 0) return 0;
  size_t nkw = d.imm >= 0 ? f.kwnames[static_cast<size_t>(d.imm)].size() : 0;
  size_t npos = d.operands.size() - 1 - nkw;
  if (npos == nin + 1) return nin + 1;  // np.sqrt(x, y)
  for (size_t k = 0; k < nkw; ++k)
    if (f.kwnames[static_cast<size_t>(d.imm)][k] == "out") return 1 + npos + k;
  return 0;
}

TypeId type_call(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId callee = cx.type(cx.inst.operands[0]);
  const TypeData &cd = types.get(callee);
  switch (cd.kind) {
    case TypeKind::Builtin:
      if (size_t out = ufunc_out_operand(types, cx.f, cx.inst)) return type_ufunc_out_call(cx, out);
      [[fallthrough]];
    case TypeKind::BoundMethod: {
      BuiltinId id = callee_builtin(types, cx.f, cx.inst);
      BuiltinCall call(cx, id);
      TypeId t = type_kernel_call(call);
      if (t.unknown()) t = type_datetime_call(call);
      if (t.unknown()) t = type_bytes_call(call);
      if (t.unknown()) t = type_record_call(call);
      if (t.unknown()) t = type_container_call(call);
      if (t.unknown()) t = type_string_call(call);
      if (t.unknown()) t = type_carray_call(call);
      if (t.unknown()) t = type_python_builtin(call);
      if (t.unknown()) t = type_numpy_call(call);
      if (t.unknown())
        unsupported(cx.loc()) << call.name() << "() is not supported in compiled code yet";
      return t;
    }
    case TypeKind::NumberClass:
      return type_number_class(cx, static_cast<ScalarKind>(cd.a), cd.b != 0);
    case TypeKind::ExceptionClass: return type_exception(cx, static_cast<int32_t>(cd.handle));
    case TypeKind::Dispatcher:
      return type_dispatcher_call(cx, cd.handle, static_cast<CalleeKind>(cd.a));
    case TypeKind::Closure: {
      std::vector<TypeId> captured = cd.elems;  // copied: typing interns more types
      return type_dispatcher_call(cx, cd.handle, CalleeKind::Function, captured);
    }
    case TypeKind::JitClass: return type_jitclass_new(cx);
    case TypeKind::FunctionPtr: return type_function_ptr_call(cx);
    case TypeKind::CFunction: return type_cfunction_call(cx);
    case TypeKind::ArrayCTypes:
      if (cd.a == 1) return type_data_as_call(cx);
      [[fallthrough]];
    default:
      typing_error(cx.loc()) << "a value of type " << types.to_string(callee) << " is not callable";
  }
}

}  // namespace ember
