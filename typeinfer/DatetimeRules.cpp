// Typing of calls that make or take datetime64 / timedelta64 values: np.datetime64(...),
// np.timedelta64(...), np.isnat, and the ufuncs and reductions NumPy defines on them (abs,
// np.minimum/maximum, np.isnan, min/max/argmin/argmax, np.sum of timedeltas, np.sort).  The
// operators are typed by ir/rules/Datetime.h through ScalarRules.cpp and Elementwise.cpp.
#include "ir/rules/Datetime.h"
#include "ir/rules/Elementwise.h"
#include "typeinfer/CallRules.h"

namespace ember {

namespace {

bool time_scalar(const TypeContext &types, TypeId t, ScalarKind *k) {
  TypeId u = unwrap_optional(types, t);
  if (!types.is_scalar(u) || !is_time(types.scalar_kind(u))) return false;
  *k = types.scalar_kind(u);
  return true;
}

bool time_array(const TypeContext &types, TypeId t) {
  return types.is_array(t) && is_time(types.dtype(t));
}

/// np.datetime64(value[, unit]) / np.timedelta64(value[, unit]).
TypeId type_constructor(BuiltinCall &c) {
  TypeContext &types = c.types;
  bool datetime = c.id == BuiltinId::NpDatetime64;
  TimeUnit unit = TimeUnit::Generic;
  if (c.given(1)) {
    TypeId ut = c.param(1);
    if (types.kind(ut) == TypeKind::Str && time_unit_has_multiple(types.string(types.get(ut).a)))
      unsupported(c.cx.loc()) << c.name() << "(): the unit '" << types.string(types.get(ut).a)
                              << "': datetime64 and timedelta64 units with a multiple ('10s', "
                                 "'2D') are not supported in compiled code yet";
    if (types.kind(ut) != TypeKind::Str || !parse_time_unit(types.string(types.get(ut).a), &unit))
      typing_error(c.cx.loc()) << c.name()
                               << "(): the unit must be a string literal naming a unit without "
                                  "a multiple ('Y', 'M', 'W', 'D', 'h', 'm', 's', 'ms', 'us', "
                                  "'ns', 'ps', 'fs', 'as'), not "
                               << types.to_string(ut);
  }
  auto kind = [&](TimeUnit u) { return datetime ? datetime_kind(u) : timedelta_kind(u); };
  if (!c.given(0)) return types.scalar(kind(unit));  // np.datetime64(): NaT
  TypeId vt = c.param(0);
  if (types.kind(vt) == TypeKind::Str) {
    const std::string &text = types.string(types.get(vt).a);
    int64_t v;
    TimeUnit u = unit;
    bool ok = datetime ? parse_datetime(text, &u, &v) : (text == "NaT" || text == "nat");
    if (!ok)
      unsupported(c.cx.loc()) << c.name() << "(" << '"' << text << '"'
                              << "): ember parses ISO 8601 dates (\"2020-01-02T03:04:05.6\") "
                                 "and \"NaT\" at compile time; other strings are not supported";
    return types.scalar(kind(u));
  }
  ScalarKind k;
  if (time_scalar(types, vt, &k)) {
    if (is_datetime(k) != datetime)
      typing_error(c.cx.loc()) << c.name() << "() of a " << scalar_name(k)
                               << " (NumPy cannot convert between datetimes and timedeltas)";
    if (unit == TimeUnit::Generic) unit = time_unit(k);
    if (!datetime && calendar_conversion(time_unit(k), unit))
      typing_error(c.cx.loc()) << "cannot convert " << scalar_name(k) << " to "
                               << scalar_name(kind(unit))
                               << " (incompatible nonlinear base time units)";
    return types.scalar(kind(unit));
  }
  if (c.is_int_like(vt)) return types.scalar(kind(unit));
  typing_error(c.cx.loc()) << c.name() << "() takes an integer, a string literal or a "
                           << (datetime ? "datetime64" : "timedelta64") << ", not "
                           << types.to_string(vt);
}

}  // namespace

const BuiltinSignature *datetime_builtin_signature(BuiltinId id) {
  static const BuiltinSignature value_unit{{"value", "unit"}, 0, false};
  if (id == BuiltinId::NpDatetime64 || id == BuiltinId::NpTimedelta64) return &value_unit;
  return nullptr;
}

TypeId type_datetime_call(BuiltinCall &c) {
  TypeContext &types = c.types;
  switch (c.id) {
    case BuiltinId::NpDatetime64:
    case BuiltinId::NpTimedelta64: return type_constructor(c);
    case BuiltinId::NpIsnat: {
      ScalarKind k;
      TypeId t = c.param(0);
      if (time_array(types, t)) {
        ElementwiseTyping et;
        type_elementwise(types, c.cx.f, c.cx.inst, &et);
        return types.array(et.result, et.ndim, Layout::C);
      }
      if (time_scalar(types, t, &k)) return types.boolean();
      typing_error(c.cx.loc()) << "np.isnat() is only defined for datetime64 and timedelta64 "
                                  "values, not "
                               << types.to_string(t) << " (as NumPy's ufunc 'isnat')";
    }
    default: break;
  }
  // Other builtins only when a datetime or timedelta is among their arguments.
  bool any_scalar = false, any_array = false;
  for (size_t i = 0; i < c.nargs(); ++i) {
    ScalarKind k;
    any_scalar |= time_scalar(types, c.arg(i), &k);
    any_array |= time_array(types, c.arg(i));
  }
  if (!any_scalar && !any_array) return TypeId{};
  switch (c.id) {
    case BuiltinId::Abs:
    case BuiltinId::NpAbsolute:
    case BuiltinId::NpMinimum:
    case BuiltinId::NpMaximum:
    case BuiltinId::NpIsnan:
    case BuiltinId::NpIsinf:
    case BuiltinId::NpIsfinite:
    case BuiltinId::NpWhere: {
      ElementwiseTyping et;
      if (any_array && type_elementwise(types, c.cx.f, c.cx.inst, &et))
        return types.array(et.result, et.ndim, Layout::C);
      if (c.id == BuiltinId::NpWhere)
        unsupported(c.cx.loc()) << "np.where() of datetime64/timedelta64 scalars (pass arrays)";
      ScalarKind a = c.kind_of(c.arg(0));
      if (c.id == BuiltinId::NpIsnan || c.id == BuiltinId::NpIsinf || c.id == BuiltinId::NpIsfinite)
        return types.boolean();
      if (c.id == BuiltinId::Abs || c.id == BuiltinId::NpAbsolute) {
        if (!is_timedelta(a)) c.bad_args();
        return types.scalar(a);
      }
      TimeOp op;
      if (!c.is_number(c.arg(1)) ||
          !type_time_compare(CmpKind::Lt, a, c.kind_of(c.arg(1)), c.cx.loc(), &op))
        c.bad_args();
      return types.scalar(op.lhs);
    }
    case BuiltinId::Min:
    case BuiltinId::Max: {
      if (c.nargs() != 2 || !c.is_number(c.arg(0)) || !c.is_number(c.arg(1)))
        unsupported(c.cx.loc()) << c.name()
                                << "() of datetime64/timedelta64 values takes two of them";
      TimeOp op;
      type_time_compare(CmpKind::Lt, c.kind_of(c.arg(0)), c.kind_of(c.arg(1)), c.cx.loc(), &op);
      return types.scalar(op.lhs);
    }
    case BuiltinId::NpMin:
    case BuiltinId::NpMax:
    case BuiltinId::NpArgmin:
    case BuiltinId::NpArgmax:
    case BuiltinId::NpSum:
    case BuiltinId::NpMean:
    case BuiltinId::NpCumsum:
    case BuiltinId::NpProd:
    case BuiltinId::NpCumprod:
    case BuiltinId::NpStd:
    case BuiltinId::NpVar: {
      // Whole array or one axis (or a scalar): type_reduction (NumpyRules.cpp) types them as
      // for numbers, the result in the array's kind; lowering propagates NaT.  Here only what NumPy
      // has no loop for: adding datetimes, multiplying or squaring timedeltas.
      TypeId a = c.param(0);
      ScalarKind k;
      if (time_array(types, a))
        k = types.dtype(a);
      else if (!time_scalar(types, a, &k))
        return TypeId{};
      bool adds =
          c.id == BuiltinId::NpSum || c.id == BuiltinId::NpMean || c.id == BuiltinId::NpCumsum;
      bool multiplies = c.id == BuiltinId::NpProd || c.id == BuiltinId::NpCumprod ||
                        c.id == BuiltinId::NpStd || c.id == BuiltinId::NpVar;
      if ((adds && is_datetime(k)) || multiplies)
        typing_error(c.cx.loc()) << c.name() << "() of " << scalar_name(k) << " values (NumPy "
                                 << (multiplies ? "cannot multiply timedeltas or datetimes"
                                                : "cannot add datetimes")
                                 << ")";
      return TypeId{};
    }
    case BuiltinId::NpClip: {
      ElementwiseTyping et;
      if (any_array && type_elementwise(types, c.cx.f, c.cx.inst, &et))
        return types.array(et.result, et.ndim, Layout::C);
      TimeOp lo, hi;
      for (size_t i = 0; i < 3; ++i)
        if (!c.is_number(c.param(i))) c.bad_args();
      type_time_compare(CmpKind::Lt, c.kind_of(c.param(0)), c.kind_of(c.param(1)), c.cx.loc(), &lo);
      type_time_compare(CmpKind::Lt, lo.lhs, c.kind_of(c.param(2)), c.cx.loc(), &hi);
      return types.scalar(hi.lhs);
    }
    case BuiltinId::NpSort:
    case BuiltinId::ArraySort:
    case BuiltinId::NpArgsort: return TypeId{};  // NumpyRules types them; lowering puts NaT last
    default: return TypeId{};
  }
}

}  // namespace ember
