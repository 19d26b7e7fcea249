// Typing rules for NumPy's functions and the array methods that stand for them: array creation,
// reductions (whole array or one constant axis), cumulative sums, shape manipulation, sorting,
// np.dot / @ and np.random.
#include <algorithm>

#include "ir/rules/Elementwise.h"
#include "ir/rules/IndexAnalysis.h"
#include "typeinfer/CallRules.h"
#include "typeinfer/TypeRules.h"

namespace ember {

ScalarKind sum_kind(ScalarKind k) {
  if (k == ScalarKind::Bool || (is_integer(k) && is_signed(k))) return ScalarKind::Int64;
  if (is_integer(k)) return ScalarKind::UInt64;
  return k;
}

namespace {

TypeId array_of(TypeContext &types, ScalarKind k, int ndim) {
  return ndim == 0 ? types.scalar(k) : types.array(k, ndim, Layout::C);
}

/// The `axis` parameter (index p): -1 for None, else the normalized axis of an ndim array.
int axis_param(BuiltinCall &c, size_t p, int ndim) {
  if (!c.given(p)) return -1;
  int64_t axis;
  if (!c.const_param(p, &axis))
    unsupported(c.cx.loc()) << c.name()
                            << "(): the axis must be a constant integer in compiled "
                               "code";
  if (axis < -ndim || axis >= ndim)
    typing_error(c.cx.loc()) << c.name() << "(): axis " << axis << " is out of bounds for an "
                             << ndim << "-d array";
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

TypeId type_creation(BuiltinCall &c) {
  TypeContext &types = c.types;
  switch (c.id) {
    case BuiltinId::NpEmpty:
    case BuiltinId::NpZeros:
    case BuiltinId::NpOnes:
      return types.array(c.dtype_param(1, ScalarKind::Float64), c.shape_ndim(c.param(0)),
                         Layout::C);
    case BuiltinId::NpFull:
      if (!c.is_number(c.param(1))) c.bad_args();
      return types.array(c.dtype_param(2, c.kind_of(c.param(1))), c.shape_ndim(c.param(0)),
                         Layout::C);
    case BuiltinId::NpEmptyLike:
    case BuiltinId::NpZerosLike:
    case BuiltinId::NpOnesLike:
    case BuiltinId::NpFullLike: {
      TypeId a = c.param(0);
      size_t dtype_pos = c.id == BuiltinId::NpFullLike ? 2 : 1;
      if (c.id == BuiltinId::NpFullLike && !c.is_number(c.param(1))) c.bad_args();
      if (types.is_array(a))
        return types.array(c.dtype_param(dtype_pos, types.dtype(a)), types.ndim(a), Layout::C);
      if (c.is_number(a)) return types.array(c.dtype_param(dtype_pos, c.kind_of(a)), 0, Layout::C);
      c.bad_args();
    }
    case BuiltinId::NpArange: {
      // arange(stop), arange(start, stop[, step]); the values are computed in int64 or float64.
      if (!c.given(0) || (c.given(2) && !c.given(1))) c.bad_args();
      ScalarKind k = ScalarKind::Int64;
      for (size_t i = 0; i < 3; ++i) {
        if (!c.given(i)) continue;
        if (!c.is_number(c.param(i)) || is_complex(c.kind_of(c.param(i)))) c.bad_args();
        if (is_float(c.kind_of(c.param(i)))) k = ScalarKind::Float64;
      }
      return types.array(c.dtype_param(3, k), 1, Layout::C);
    }
    case BuiltinId::NpLinspace:
      if (!c.is_number(c.param(0)) || !c.is_number(c.param(1)) ||
          (c.given(2) && !c.is_int_like(c.param(2))))
        c.bad_args();
      return types.array(ScalarKind::Float64, 1, Layout::C);
    case BuiltinId::NpEye:
      if (!c.is_int_like(c.param(0)) || (c.given(1) && !c.is_int_like(c.param(1))) ||
          (c.given(2) && !c.is_int_like(c.param(2))))
        c.bad_args();
      return types.array(c.dtype_param(3, ScalarKind::Float64), 2, Layout::C);
    case BuiltinId::NpIdentity:
      if (!c.is_int_like(c.param(0))) c.bad_args();
      return types.array(c.dtype_param(1, ScalarKind::Float64), 2, Layout::C);
    case BuiltinId::NpCopy:
    case BuiltinId::NpAscontiguousarray: {
      TypeId a = c.param(0);
      if (!types.is_array(a)) c.bad_args();
      int nd = types.ndim(a);
      if (c.id == BuiltinId::NpAscontiguousarray) nd = std::max(nd, 1);
      return types.array(types.dtype(a), nd, Layout::C);
    }
    default: return TypeId{};
  }
}

TypeId type_reduction(BuiltinCall &c) {
  TypeContext &types = c.types;
  TypeId a = c.param(0);
  bool scalar_in = c.is_number(a);
  if (!types.is_array(a) && !scalar_in) c.bad_args();
  ScalarKind k = scalar_in ? c.kind_of(a) : types.dtype(a);
  int ndim = scalar_in ? 0 : types.ndim(a);
  int axis = axis_param(c, 1, ndim);
  int out_nd = axis < 0 ? 0 : ndim - 1;
  if (c.id == BuiltinId::NpStd || c.id == BuiltinId::NpVar) {
    if (c.given(2) || c.given(3))
      unsupported(c.cx.loc()) << c.name() << "(): dtype= and out= are not supported";
    if (c.given(4) && !c.is_int_like(c.param(4))) c.bad_args();
  }
  switch (c.id) {
    case BuiltinId::NpSum:
    case BuiltinId::NpProd: return array_of(types, sum_kind(k), out_nd);
    case BuiltinId::NpMin:
    case BuiltinId::NpMax: return array_of(types, k, out_nd);
    case BuiltinId::NpMean:
    case BuiltinId::NpStd:
    case BuiltinId::NpVar: {
      // A timedelta's mean is a timedelta of its unit (NumPy: the sum / count, truncated).
      ScalarKind r = is_float(k) || is_complex(k) || is_timedelta(k) ? k : ScalarKind::Float64;
      if (c.id != BuiltinId::NpMean && is_complex(k))
        r = k == ScalarKind::Complex64 ? ScalarKind::Float32 : ScalarKind::Float64;
      return array_of(types, r, out_nd);
    }
    case BuiltinId::NpArgmin:
    case BuiltinId::NpArgmax: return array_of(types, ScalarKind::Int64, out_nd);
    case BuiltinId::NpAny:
    case BuiltinId::NpAll: return array_of(types, ScalarKind::Bool, out_nd);
    case BuiltinId::NpCumsum:
    case BuiltinId::NpCumprod:
      return types.array(sum_kind(k), axis < 0 ? 1 : std::max(ndim, 1), Layout::C);
    default: return TypeId{};
  }
}

TypeId type_shape_op(BuiltinCall &c) {
  TypeContext &types = c.types;
  switch (c.id) {
    case BuiltinId::NpReshape: {
      if (c.nargs() < 2 || !types.is_array(c.arg(0))) c.bad_args();
      int nd = c.nargs() == 2 ? c.shape_ndim(c.arg(1)) : static_cast<int>(c.nargs() - 1);
      for (size_t i = 1; c.nargs() > 2 && i < c.nargs(); ++i)
        if (!c.is_int_like(c.arg(i))) c.bad_args();
      return types.array(types.dtype(c.arg(0)), nd, Layout::C, types.readonly(c.arg(0)));
    }
    case BuiltinId::NpRavel:
    case BuiltinId::ArrayFlatten: {
      TypeId a = c.param(0);
      if (!types.is_array(a)) c.bad_args();
      return types.array(types.dtype(a), 1, Layout::C,
                         c.id == BuiltinId::NpRavel && types.readonly(a));
    }
    case BuiltinId::NpTranspose: {
      if (c.nargs() < 1 || !c.args.kwnames.empty() || !types.is_array(c.arg(0))) c.bad_args();
      TypeId a = c.arg(0);
      int nd = types.ndim(a);
      std::vector<int> perm =
          transpose_axes(c.cx.f, std::vector<Value>(c.args.values.begin() + 1, c.args.values.end()),
                         nd, c.cx.loc());
      bool reversed = true, same = true;
      for (int k = 0; k < nd; ++k) {
        reversed = reversed && perm[static_cast<size_t>(k)] == nd - 1 - k;
        same = same && perm[static_cast<size_t>(k)] == k;
      }
      Layout l = types.layout(a);
      Layout t = same       ? l
                 : reversed ? (l == Layout::C   ? Layout::F
                               : l == Layout::F ? Layout::C
                                                : Layout::A)
                            : Layout::A;
      return types.array(types.dtype(a), nd, t, types.readonly(a));
    }
    case BuiltinId::ArrayFill: {
      TypeId a = c.param(0);
      if (!types.is_array(a) || !c.is_number(c.param(1))) c.bad_args();
      if (types.readonly(a)) typing_error(c.cx.loc()) << "cannot fill a read-only array";
      return types.none();
    }
    case BuiltinId::ArrayAstype: {
      TypeId a = c.param(0);
      if (!types.is_array(a)) c.bad_args();
      return types.array(c.dtype_param(1, types.dtype(a)), types.ndim(a), Layout::C);
    }
    case BuiltinId::ArrayItem: {
      if (c.nargs() < 1 || !c.args.kwnames.empty() || !types.is_array(c.arg(0))) c.bad_args();
      TypeId a = c.arg(0);
      size_t n = c.nargs() - 1;
      if (n == 1 && types.kind(c.arg(1)) == TypeKind::Tuple) {
        for (TypeId e : types.get(c.arg(1)).elems)
          if (!c.is_int_like(e)) c.bad_args();
        n = types.get(c.arg(1)).elems.size();
        if (static_cast<int>(n) != types.ndim(a))
          typing_error(c.cx.loc()) << "incorrect number of indices for array";
      } else {
        for (size_t i = 1; i < c.nargs(); ++i)
          if (!c.is_int_like(c.arg(i))) c.bad_args();
        if (n > 1 && static_cast<int>(n) != types.ndim(a))
          typing_error(c.cx.loc()) << "incorrect number of indices for array";
      }
      return types.scalar(types.dtype(a));
    }
    default: return TypeId{};
  }
}

TypeId type_sorting(BuiltinCall &c) {
  TypeContext &types = c.types;
  TypeId a = c.param(0);
  if (!types.is_array(a) || is_complex(types.dtype(a))) c.bad_args();
  int nd = types.ndim(a);
  if (c.id != BuiltinId::NpUnique) {
    // Along the last axis only (NumPy's default); every kind is honoured by one stable sort.
    if (nd == 0) typing_error(c.cx.loc()) << c.name() << "() of a 0-d array";
    if (c.given(1)) {
      int64_t axis;
      if (!c.const_param(1, &axis) || (axis != -1 && axis != nd - 1))
        unsupported(c.cx.loc()) << c.name()
                                << "(): only the last axis is supported in compiled "
                                   "code";
    }
    if (c.given(2)) {
      TypeId kind = c.param(2);
      std::string k = types.kind(kind) == TypeKind::Str ? types.string(types.get(kind).a) : "";
      if (k != "quicksort" && k != "mergesort" && k != "heapsort" && k != "stable")
        typing_error(c.cx.loc()) << c.name()
                                 << "(): kind must be a constant 'quicksort', "
                                    "'mergesort', 'heapsort' or 'stable'";
    }
  }
  if (types.dtype(a) == ScalarKind::Float16)  // the runtime sorts have no float16 loop
    unsupported(c.cx.loc()) << c.name() << "() of a " << scalar_name(types.dtype(a))
                            << " array is not supported in compiled code";
  switch (c.id) {
    case BuiltinId::NpSort: return types.array(types.dtype(a), nd, Layout::C);
    case BuiltinId::NpUnique: return types.array(types.dtype(a), 1, Layout::C);
    case BuiltinId::NpArgsort: return types.array(ScalarKind::Int64, nd, Layout::C);
    case BuiltinId::ArraySort:
      if (types.readonly(a)) typing_error(c.cx.loc()) << "cannot sort a read-only array in place";
      return types.none();
    default: return TypeId{};
  }
}

}  // namespace

/// np.dot / np.matmul / @: 1-d . 1-d -> scalar, 2-d . 1-d and 1-d . 2-d -> 1-d, 2-d . 2-d -> 2-d.
TypeId type_dot(TypeContext &types, TypeId a, TypeId b, SourceLoc loc, const char *name) {
  if (!types.is_array(a) || !types.is_array(b))
    typing_error(loc) << name << " needs two arrays, not " << types.to_string(a) << " and "
                      << types.to_string(b);
  int na = types.ndim(a), nb = types.ndim(b);
  if (na < 1 || na > 2 || nb < 1 || nb > 2)
    unsupported(loc) << name << " of " << na << "-d and " << nb
                     << "-d arrays is not supported (1-d and 2-d only)";
  ScalarKind k = numpy_promote(types.dtype(a), types.dtype(b));
  if (k == ScalarKind::Bool) k = ScalarKind::Bool;
  int nd = na + nb - 2;
  return nd == 0 ? types.scalar(k) : types.array(k, nd, Layout::C);
}

namespace {

TypeId type_random(BuiltinCall &c) {
  TypeContext &types = c.types;
  auto sized = [&](size_t p, ScalarKind k) -> TypeId {
    if (!c.given(p)) return types.scalar(k);
    return types.array(k, c.shape_ndim(c.param(p)), Layout::C);
  };
  auto numbers = [&](std::initializer_list<size_t> ps) {
    for (size_t p : ps)
      if (c.given(p) && (!c.is_number(c.param(p)) || is_complex(c.kind_of(c.param(p)))))
        c.bad_args();
  };
  switch (c.id) {
    case BuiltinId::NpRandomSeed:
      if (!c.given(0) || !c.is_int_like(c.param(0)))
        typing_error(c.cx.loc()) << "np.random.seed() takes an integer seed in compiled code";
      return types.none();
    case BuiltinId::NpRandomRandom: return sized(0, ScalarKind::Float64);
    case BuiltinId::NpRandomStandardNormal: return sized(0, ScalarKind::Float64);
    case BuiltinId::NpRandomRand:
    case BuiltinId::NpRandomRandn:
      for (size_t i = 0; i < c.nargs(); ++i)
        if (!c.is_int_like(c.arg(i))) c.bad_args();
      return array_of(types, ScalarKind::Float64, static_cast<int>(c.nargs()));
    case BuiltinId::NpRandomUniform:
    case BuiltinId::NpRandomNormal: numbers({0, 1}); return sized(2, ScalarKind::Float64);
    case BuiltinId::NpRandomRandint:
      if (!c.is_int_like(c.param(0)) || (c.given(1) && !c.is_int_like(c.param(1)))) c.bad_args();
      return sized(2, ScalarKind::Int64);
    case BuiltinId::NpRandomChoice: {
      if (c.given(2) || c.given(3)) {
        int64_t replace = 1;
        if (c.given(3) || !c.const_param(2, &replace) || !replace)
          unsupported(c.cx.loc()) << "np.random.choice(): replace=False and p= are not "
                                     "supported in compiled code yet";
      }
      TypeId a = c.param(0);
      if (c.is_int_like(a)) return sized(1, ScalarKind::Int64);
      if (types.is_array(a) && types.ndim(a) == 1) return sized(1, types.dtype(a));
      c.bad_args();
    }
    default: return TypeId{};
  }
}

}  // namespace

TypeId type_numpy_call(BuiltinCall &c) {
  switch (c.id) {
    case BuiltinId::NpDtype: {
      if (c.given(1) || c.given(2))
        unsupported(c.cx.loc()) << "np.dtype(): align= and copy= are not supported in compiled "
                                   "code";
      ScalarKind k;
      TypeId t = c.param(0);
      if (c.types.kind(t) == TypeKind::Str && !dtype_of(c.types, t, &k))
        typing_error(c.cx.loc()) << "np.dtype(): data type '" << c.types.string(c.types.get(t).a)
                                 << "' not understood";
      if (!dtype_of(c.types, t, &k))
        typing_error(c.cx.loc()) << "np.dtype() takes a dtype name (a string constant), a "
                                    "NumPy scalar class or a dtype in compiled code, not "
                                 << c.types.to_string(t);
      return c.types.number_class(k);
    }
    case BuiltinId::NpEmpty:
    case BuiltinId::NpZeros:
    case BuiltinId::NpOnes:
    case BuiltinId::NpFull:
    case BuiltinId::NpEmptyLike:
    case BuiltinId::NpZerosLike:
    case BuiltinId::NpOnesLike:
    case BuiltinId::NpFullLike:
    case BuiltinId::NpArange:
    case BuiltinId::NpLinspace:
    case BuiltinId::NpEye:
    case BuiltinId::NpIdentity:
    case BuiltinId::NpCopy:
    case BuiltinId::NpAscontiguousarray: return type_creation(c);
    case BuiltinId::NpSum:
    case BuiltinId::NpProd:
    case BuiltinId::NpMin:
    case BuiltinId::NpMax:
    case BuiltinId::NpMean:
    case BuiltinId::NpStd:
    case BuiltinId::NpVar:
    case BuiltinId::NpArgmin:
    case BuiltinId::NpArgmax:
    case BuiltinId::NpAny:
    case BuiltinId::NpAll:
    case BuiltinId::NpCumsum:
    case BuiltinId::NpCumprod: return type_reduction(c);
    case BuiltinId::NpReshape:
    case BuiltinId::NpRavel:
    case BuiltinId::NpTranspose:
    case BuiltinId::ArrayFill:
    case BuiltinId::ArrayAstype:
    case BuiltinId::ArrayFlatten:
    case BuiltinId::ArrayItem: return type_shape_op(c);
    case BuiltinId::NpSort:
    case BuiltinId::NpArgsort:
    case BuiltinId::NpUnique:
    case BuiltinId::ArraySort: return type_sorting(c);
    case BuiltinId::NpDot:
    case BuiltinId::NpMatmul:
      return type_dot(c.types, c.param(0), c.param(1), c.cx.loc(), c.name().c_str());
    case BuiltinId::NpRandomSeed:
    case BuiltinId::NpRandomRandom:
    case BuiltinId::NpRandomRand:
    case BuiltinId::NpRandomRandn:
    case BuiltinId::NpRandomUniform:
    case BuiltinId::NpRandomNormal:
    case BuiltinId::NpRandomRandint:
    case BuiltinId::NpRandomStandardNormal:
    case BuiltinId::NpRandomChoice: return type_random(c);
    case BuiltinId::BitgenNextUint64:
    case BuiltinId::BitgenNextUint32:
    case BuiltinId::BitgenNextDouble: return type_bitgen_call(c);
    case BuiltinId::ViewOf: return type_view_of(c);
    default: return type_lapack_call(c);
  }
}

}  // namespace ember
