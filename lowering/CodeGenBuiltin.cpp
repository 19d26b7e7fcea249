// Calls: builtins (Builtins.def), number classes used as conversions, and the dispatch of calls
// to other compiled functions.  Arguments arrive in positional order (make_explicit()).
#include <cmath>

#include "ember/abi.h"
#include "ir/rules/Elementwise.h"
#include "ir/rules/IndexAnalysis.h"
#include "ir/rules/Isinstance.h"
#include "ir/rules/Kernel.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

V FunctionLowerer::lower_call(const InstData &d) {
  TypeId callee = type(d.operands[0]);
  const TypeData &cd = types_.get(callee);
  switch (cd.kind) {
    case TypeKind::Builtin:
      if (is_ufunc_builtin(static_cast<BuiltinId>(cd.a)) && types_.is_array(type(d.result))) {
        ElementwiseTyping et;  // np.where of scalars is a 0-d array, not element-wise
        if (type_elementwise(types_, f_, d, &et)) return lower_elementwise(d);
      }
      return lower_builtin(d, static_cast<BuiltinId>(cd.a));
    case TypeKind::NumberClass: {
      TypeId to = type(d.result);
      if (d.operands.size() == 1) return scalar_zero(types_.scalar_kind(to));
      if (d.operands.size() == 3)
        return lower_complex_constructor(d.operands[1], d.operands[2], to);
      if (types_.is_string(type(d.operands[1]))) return lower_string_to_number(d.operands[1], to);
      if (cd.b) return python_int(get(d.operands[1]), type(d.operands[1]), to);  // int(x)
      return convert(get(d.operands[1]), type(d.operands[1]), to);  // np.int64(x): NumPy's cast
    }
    case TypeKind::ExceptionClass: {
      TypeId rt = type(d.result);
      const TypeData &rd = types_.get(rt);
      if (rd.elems.empty()) return nullptr;  // a compile-time exception value
      V v = llvm::UndefValue::get(mt(rt));   // its arguments; string literals as pointers
      for (unsigned k = 0; k < rd.elems.size(); ++k) {
        TypeId e = rd.elems[k];
        V x = types_.kind(e) == TypeKind::Str ? message(types_.string(types_.get(e).a))
                                              : to_memory(get(d.operands[k + 1]), e);
        v = b_.CreateInsertValue(v, x, {k});
      }
      return v;
    }
    case TypeKind::Dispatcher:
      switch (static_cast<CalleeKind>(cd.a)) {
        case CalleeKind::UfuncKernel:
          if (types_.is_array(type(d.result))) return lower_elementwise(d);
          return lower_call_compiled(d);  // on scalars: the kernel itself
        case CalleeKind::GufuncKernel: return lower_gufunc_call(d);
        case CalleeKind::Function: return lower_call_compiled(d);
      }
      return nullptr;
    case TypeKind::Closure: return lower_call_compiled(d);
    case TypeKind::JitClass: return lower_jitclass_new(d);
    case TypeKind::FunctionPtr: return lower_function_ptr_call(d);
    case TypeKind::CFunction: return lower_cfunction_call(d);
    case TypeKind::ArrayCTypes: return lower_data_as(d);
    default:
      unsupported(d.loc) << "calling a " << types_.to_string(callee)
                         << " is not supported in compiled code yet";
  }
}

bool builtin_math_fn(BuiltinId id, MathFn *out) {
  static const struct {
    BuiltinId id;
    MathFn fn;
  } table[] = {
      {BuiltinId::MathSqrt, MathFn::Sqrt},     {BuiltinId::NpSqrt, MathFn::Sqrt},
      {BuiltinId::MathExp, MathFn::Exp},       {BuiltinId::NpExp, MathFn::Exp},
      {BuiltinId::MathLog, MathFn::Log},       {BuiltinId::NpLog, MathFn::Log},
      {BuiltinId::MathLog2, MathFn::Log2},     {BuiltinId::NpLog2, MathFn::Log2},
      {BuiltinId::MathLog10, MathFn::Log10},   {BuiltinId::NpLog10, MathFn::Log10},
      {BuiltinId::MathLog1p, MathFn::Log1p},   {BuiltinId::NpLog1p, MathFn::Log1p},
      {BuiltinId::MathExpm1, MathFn::Expm1},   {BuiltinId::NpExpm1, MathFn::Expm1},
      {BuiltinId::MathSin, MathFn::Sin},       {BuiltinId::NpSin, MathFn::Sin},
      {BuiltinId::MathCos, MathFn::Cos},       {BuiltinId::NpCos, MathFn::Cos},
      {BuiltinId::MathTan, MathFn::Tan},       {BuiltinId::NpTan, MathFn::Tan},
      {BuiltinId::MathAsin, MathFn::Asin},     {BuiltinId::NpArcsin, MathFn::Asin},
      {BuiltinId::MathAcos, MathFn::Acos},     {BuiltinId::NpArccos, MathFn::Acos},
      {BuiltinId::MathAtan, MathFn::Atan},     {BuiltinId::NpArctan, MathFn::Atan},
      {BuiltinId::MathSinh, MathFn::Sinh},     {BuiltinId::NpSinh, MathFn::Sinh},
      {BuiltinId::MathCosh, MathFn::Cosh},     {BuiltinId::NpCosh, MathFn::Cosh},
      {BuiltinId::MathTanh, MathFn::Tanh},     {BuiltinId::NpTanh, MathFn::Tanh},
      {BuiltinId::MathAsinh, MathFn::Asinh},   {BuiltinId::MathAcosh, MathFn::Acosh},
      {BuiltinId::MathAtanh, MathFn::Atanh},   {BuiltinId::MathFabs, MathFn::Fabs},
      {BuiltinId::NpFloor, MathFn::Floor},     {BuiltinId::NpCeil, MathFn::Ceil},
      {BuiltinId::NpTrunc, MathFn::Trunc},     {BuiltinId::MathErf, MathFn::Erf},
      {BuiltinId::MathCbrt, MathFn::Cbrt},     {BuiltinId::NpCbrt, MathFn::Cbrt},
      {BuiltinId::MathErfc, MathFn::Erfc},     {BuiltinId::MathGamma, MathFn::Gamma},
      {BuiltinId::MathLgamma, MathFn::Lgamma}, {BuiltinId::MathAtan2, MathFn::Atan2},
      {BuiltinId::NpArctan2, MathFn::Atan2},   {BuiltinId::MathCopysign, MathFn::Copysign},
      {BuiltinId::MathHypot, MathFn::Hypot},   {BuiltinId::MathPow, MathFn::Pow},
      {BuiltinId::MathFmod, MathFn::Fmod},
  };
  for (const auto &e : table)
    if (e.id == id) {
      *out = e.fn;
      return true;
    }
  return false;
}

V FunctionLowerer::lower_math(BuiltinId id, const InstData &d) {
  TypeId rt = type(d.result);
  if (d.operands.size() == 2 && types_.is_scalar(rt)) {
    TypeId at = type(d.operands[1]);
    TypeId src = types_.kind(at) == TypeKind::Optional ? types_.get(at).elems[0] : at;
    if (types_.is_scalar(src) && is_complex(types_.scalar_kind(src)) &&
        (is_complex_fn_builtin(id) || id == BuiltinId::NpIsnan || id == BuiltinId::NpIsinf ||
         id == BuiltinId::NpIsfinite))
      return complex_ufunc(id, convert(get(d.operands[1]), at, src), types_.scalar_kind(src));
  }
  TypeId ft = types_.is_scalar(rt) && is_float(types_.scalar_kind(rt)) ? rt : types_.float64();
  std::vector<V> args;
  for (size_t k = 1; k < d.operands.size(); ++k)
    args.push_back(convert(get(d.operands[k]), type(d.operands[k]), ft));
  switch (id) {
    case BuiltinId::NpClip: {
      V x = convert(get(d.operands[1]), type(d.operands[1]), rt);
      V lo = convert(get(d.operands[2]), type(d.operands[2]), rt);
      V hi = convert(get(d.operands[3]), type(d.operands[3]), rt);
      ScalarKind k = types_.scalar_kind(rt);
      if (is_float(k))  // NaN in, NaN out, as NumPy
        return b_.CreateBinaryIntrinsic(llvm::Intrinsic::minimum,
                                        b_.CreateBinaryIntrinsic(llvm::Intrinsic::maximum, x, lo),
                                        hi);
      return scalar_min_max(false, scalar_min_max(true, x, lo, k), hi, k);
    }
    case BuiltinId::NpWhere: {
      ScalarKind k = types_.dtype(rt);
      V pick = b_.CreateSelect(truth(get(d.operands[1]), type(d.operands[1])),
                               convert(get(d.operands[2]), type(d.operands[2]), types_.scalar(k)),
                               convert(get(d.operands[3]), type(d.operands[3]), types_.scalar(k)));
      V arr = allocate_array(rt, {});
      store_element(array_field(arr, DataModel::kData), pick, k);
      return arr;
    }
    case BuiltinId::NpFloor:
    case BuiltinId::NpCeil:
    case BuiltinId::NpTrunc:
      if (!types_.is_scalar(rt) || is_float(types_.scalar_kind(rt))) break;
      return convert(get(d.operands[1]), type(d.operands[1]), rt);
    case BuiltinId::MathFloor:
    case BuiltinId::MathCeil:
    case BuiltinId::MathTrunc: {
      TypeId at = type(d.operands[1]);
      if (!is_float(types_.scalar_kind(
              types_.kind(at) == TypeKind::Optional ? types_.get(at).elems[0] : at)))
        return convert(get(d.operands[1]), at, rt);
      TypeId src = types_.kind(at) == TypeKind::Optional ? types_.get(at).elems[0] : at;
      V x = convert(get(d.operands[1]), at, src);
      MathFn fn = id == BuiltinId::MathFloor  ? MathFn::Floor
                  : id == BuiltinId::MathCeil ? MathFn::Ceil
                                              : MathFn::Trunc;
      return python_int(ms_.target.math(b_, fn, {x}), src, rt);
    }
    case BuiltinId::MathIsnan:
    case BuiltinId::MathIsinf:
    case BuiltinId::MathIsfinite:
    case BuiltinId::NpIsnan:
    case BuiltinId::NpIsinf:
    case BuiltinId::NpIsfinite: {
      TypeId at = type(d.operands[1]);
      TypeId src = types_.kind(at) == TypeKind::Optional ? types_.get(at).elems[0] : at;
      ScalarKind k = types_.scalar_kind(src);
      bool finite_test = id == BuiltinId::MathIsfinite || id == BuiltinId::NpIsfinite;
      if (!is_float(k)) return llvm::ConstantInt::get(i1_, finite_test ? 1 : 0);
      V x = convert(get(d.operands[1]), at, src);
      if (id == BuiltinId::MathIsnan || id == BuiltinId::NpIsnan) return b_.CreateFCmpUNO(x, x);
      V ax = ms_.target.math(b_, MathFn::Fabs, {x});
      V inf = llvm::ConstantFP::getInfinity(x->getType());
      if (finite_test) return b_.CreateFCmpOLT(ax, inf);
      return b_.CreateFCmpOEQ(ax, inf);
    }
    case BuiltinId::MathRadians:
      return b_.CreateFMul(args[0], llvm::ConstantFP::get(args[0]->getType(), M_PI / 180.0));
    case BuiltinId::MathDegrees:
      return b_.CreateFMul(args[0], llvm::ConstantFP::get(args[0]->getType(), 180.0 / M_PI));
    default: break;
  }
  MathFn fn;
  internal_assert(builtin_math_fn(id, &fn)) << "no math function for " << builtin_info(id).attr;
  V out = ms_.target.math(b_, fn, args);
  set_fast_math(out);
  return out;
}

V FunctionLowerer::shape_values(Value shape, std::vector<V> *out) {
  TypeId t = type(shape);
  V v = get(shape);
  if (types_.kind(t) == TypeKind::Tuple) {
    const auto &elems = types_.get(t).elems;
    for (unsigned k = 0; k < elems.size(); ++k)
      out->push_back(
          convert(from_memory(b_.CreateExtractValue(v, {k}), elems[k]), elems[k], types_.int64()));
  } else {
    out->push_back(convert(v, t, types_.int64()));
  }
  return v;
}

V FunctionLowerer::lower_array_creation(const InstData &d, BuiltinId id) {
  TypeId rt = type(d.result);
  ScalarKind dk = types_.dtype(rt);
  TypeId dt = types_.scalar(dk);
  auto arg = [&](size_t k) { return d.operands[k + 1]; };
  auto has = [&](size_t k) {
    return k + 1 < d.operands.size() && types_.kind(type(d.operands[k + 1])) != TypeKind::None;
  };
  auto fill = [&](V arr, V value) {
    std::vector<V> shape;
    for (int k = 0; k < types_.ndim(rt); ++k) shape.push_back(array_dim(arr, DataModel::kShape, k));
    V n = array_field(arr, DataModel::kNitems);
    V data = array_field(arr, DataModel::kData);
    llvm::Type *et = mt(dt);
    V x = to_memory(value, dt);
    emit_loop(
        n, [&](V i) { b_.CreateStore(x, b_.CreateInBoundsGEP(et, data, i)); }, "fill");
  };
  auto zero_fill = [&](V arr) {
    V nbytes = b_.CreateMul(array_field(arr, DataModel::kNitems),
                            llvm::ConstantInt::get(i64_, static_cast<uint64_t>(bit_width(dk) / 8)));
    b_.CreateMemSet(array_field(arr, DataModel::kData), llvm::ConstantInt::get(i8_, 0), nbytes,
                    llvm::MaybeAlign(8));
  };
  std::vector<V> shape;
  switch (id) {
    case BuiltinId::NpEmpty:
    case BuiltinId::NpZeros:
    case BuiltinId::NpOnes:
    case BuiltinId::NpFull: {
      shape_values(arg(0), &shape);
      V arr = allocate_array(rt, shape);
      if (id == BuiltinId::NpZeros) zero_fill(arr);
      if (id == BuiltinId::NpOnes) fill(arr, scalar_one(dk));
      if (id == BuiltinId::NpFull) fill(arr, convert(get(arg(1)), type(arg(1)), dt));
      return arr;
    }
    case BuiltinId::NpEmptyLike:
    case BuiltinId::NpZerosLike:
    case BuiltinId::NpOnesLike:
    case BuiltinId::NpFullLike: {
      TypeId at = type(arg(0));
      if (types_.is_array(at))
        for (int k = 0; k < types_.ndim(at); ++k)
          shape.push_back(array_dim(get(arg(0)), DataModel::kShape, k));
      V arr = allocate_array(rt, shape);
      if (id == BuiltinId::NpZerosLike) zero_fill(arr);
      if (id == BuiltinId::NpOnesLike) fill(arr, scalar_one(dk));
      if (id == BuiltinId::NpFullLike) fill(arr, convert(get(arg(1)), type(arg(1)), dt));
      return arr;
    }
    case BuiltinId::NpArange: {
      size_t n = has(2) ? 3 : has(1) ? 2 : 1;
      bool float_args = false;
      for (size_t k = 0; k < n; ++k) float_args |= is_float(types_.scalar_kind(type(arg(k))));
      // The values are computed as NumPy does (int64 or float64), then cast to the dtype.
      TypeId ct =
          types_.scalar(float_args || is_float(dk) ? ScalarKind::Float64 : ScalarKind::Int64);
      bool fp = types_.scalar_kind(ct) == ScalarKind::Float64;
      V start =
          n >= 2 ? convert(get(arg(0)), type(arg(0)), ct) : scalar_zero(types_.scalar_kind(ct));
      V stop = convert(get(arg(n >= 2 ? 1 : 0)), type(arg(n >= 2 ? 1 : 0)), ct);
      V step = n == 3 ? convert(get(arg(2)), type(arg(2)), ct) : scalar_one(types_.scalar_kind(ct));
      V count;
      llvm::Constant *zero = llvm::ConstantInt::get(i64_, 0);
      const char *too_many = "Maximum allowed size exceeded";  // NumPy's words
      if (fp) {
        raise_if(b_.CreateFCmpOEQ(step, llvm::ConstantFP::get(f64_, 0.0)),
                 EMBER_EXC_ZeroDivisionError, "arange: the step is zero");
        V c = ms_.target.math(b_, MathFn::Ceil, {b_.CreateFDiv(b_.CreateFSub(stop, start), step)});
        raise_if(b_.CreateFCmpUNO(c, c), EMBER_EXC_ValueError, "arange: cannot compute length");
        // Outside int64 (infinities included) either way is too many, as NumPy says.
        V in_range = b_.CreateAnd(b_.CreateFCmpOGE(c, llvm::ConstantFP::get(f64_, -0x1p63)),
                                  b_.CreateFCmpOLT(c, llvm::ConstantFP::get(f64_, 0x1p63)));
        raise_if(b_.CreateNot(in_range), EMBER_EXC_ValueError, too_many);
        count = b_.CreateFPToSI(c, i64_);
        count = b_.CreateSelect(b_.CreateICmpSLT(count, zero), zero, count);
      } else {
        raise_if(b_.CreateICmpEQ(step, zero), EMBER_EXC_ZeroDivisionError,
                 "arange: the step is zero");
        // In unsigned arithmetic, where stop - start and |step| cannot overflow: an empty range
        // with an extreme bound on the other side is just empty.
        llvm::Constant *one = llvm::ConstantInt::get(i64_, 1);
        V up = b_.CreateICmpSGT(step, zero);
        V empty = b_.CreateSelect(up, b_.CreateICmpSGE(start, stop), b_.CreateICmpSLE(start, stop));
        V span = b_.CreateSelect(up, b_.CreateSub(stop, start), b_.CreateSub(start, stop));
        V astep = b_.CreateSelect(up, step, b_.CreateNeg(step));
        V safe_span = b_.CreateSelect(empty, one, span);
        V n = b_.CreateAdd(b_.CreateUDiv(b_.CreateSub(safe_span, one), astep), one);
        raise_if(b_.CreateAnd(b_.CreateNot(empty), b_.CreateICmpSLT(n, zero)), EMBER_EXC_ValueError,
                 too_many);
        count = b_.CreateSelect(empty, zero, n);
      }
      V arr = allocate_array(rt, {count});
      V data = array_field(arr, DataModel::kData);
      emit_loop(count, [&](V i) {
        V x = fp ? b_.CreateFAdd(start, b_.CreateFMul(b_.CreateSIToFP(i, f64_), step))
                 : b_.CreateAdd(start, b_.CreateMul(i, step));
        b_.CreateStore(to_memory(convert(x, ct, dt), dt), b_.CreateInBoundsGEP(mt(dt), data, i));
      });
      return arr;
    }
    case BuiltinId::NpLinspace: {
      V start = convert(get(arg(0)), type(arg(0)), types_.float64());
      V stop = convert(get(arg(1)), type(arg(1)), types_.float64());
      V num = has(2) ? convert(get(arg(2)), type(arg(2)), types_.int64())
                     : llvm::ConstantInt::get(i64_, 50);
      raise_if(b_.CreateICmpSLT(num, llvm::ConstantInt::get(i64_, 0)), EMBER_EXC_ValueError,
               "linspace: num must be non-negative");
      V arr = allocate_array(rt, {num});
      V data = array_field(arr, DataModel::kData);
      // num == 1 gives [start] (the step is never used).
      V intervals = b_.CreateSub(num, llvm::ConstantInt::get(i64_, 1));
      intervals = b_.CreateSelect(b_.CreateICmpSLT(intervals, llvm::ConstantInt::get(i64_, 1)),
                                  llvm::ConstantInt::get(i64_, 1), intervals);
      V div = b_.CreateSIToFP(intervals, f64_);
      V step = b_.CreateFDiv(b_.CreateFSub(stop, start), div);
      emit_loop(num, [&](V i) {
        V x = b_.CreateFAdd(start, b_.CreateFMul(b_.CreateSIToFP(i, f64_), step));
        b_.CreateStore(x, b_.CreateInBoundsGEP(f64_, data, i));
      });
      // The endpoint is exact, as NumPy makes it.
      auto *last = llvm::BasicBlock::Create(ctx_, "linspace.last", fn_);
      auto *done = llvm::BasicBlock::Create(ctx_, "linspace.done", fn_);
      b_.CreateCondBr(b_.CreateICmpSGT(num, llvm::ConstantInt::get(i64_, 1)), last, done);
      b_.SetInsertPoint(last);
      b_.CreateStore(stop, b_.CreateInBoundsGEP(
                               f64_, data, b_.CreateSub(num, llvm::ConstantInt::get(i64_, 1))));
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      return arr;
    }
    case BuiltinId::NpEye:
    case BuiltinId::NpIdentity: {
      V n = convert(get(arg(0)), type(arg(0)), types_.int64());
      V m =
          id == BuiltinId::NpEye && has(1) ? convert(get(arg(1)), type(arg(1)), types_.int64()) : n;
      V k = id == BuiltinId::NpEye && has(2) ? convert(get(arg(2)), type(arg(2)), types_.int64())
                                             : llvm::ConstantInt::get(i64_, 0);
      V arr = allocate_array(rt, {n, m});
      zero_fill(arr);
      V one = to_memory(scalar_one(dk), dt);
      emit_loop(n, [&](V i) {
        V j = b_.CreateAdd(i, k);
        V inside = b_.CreateAnd(b_.CreateICmpSGE(j, llvm::ConstantInt::get(i64_, 0)),
                                b_.CreateICmpSLT(j, m));
        auto *yes = llvm::BasicBlock::Create(ctx_, "eye.set", fn_);
        auto *next = llvm::BasicBlock::Create(ctx_, "eye.next", fn_);
        b_.CreateCondBr(inside, yes, next);
        b_.SetInsertPoint(yes);
        b_.CreateStore(one, element_pointer(arr, rt, {i, j}));
        b_.CreateBr(next);
        b_.SetInsertPoint(next);
      });
      return arr;
    }
    case BuiltinId::NpCopy:
    case BuiltinId::NpAscontiguousarray: {
      TypeId at = type(arg(0));
      V src = get(arg(0));
      int nd = types_.ndim(at);
      for (int k = 0; k < nd; ++k) shape.push_back(array_dim(src, DataModel::kShape, k));
      if (nd == 0 && types_.ndim(rt) == 1) shape.push_back(llvm::ConstantInt::get(i64_, 1));
      V arr = allocate_array(rt, shape);
      emit_nd_loop(shape, [&](const std::vector<V> &idx) {
        std::vector<V> sidx(idx.begin(), idx.begin() + nd);
        store_element(element_pointer(arr, rt, idx),
                      load_element(element_pointer(src, at, sidx), dk), dk);
      });
      return arr;
    }
    default: break;
  }
  internal_error << "not an array creation builtin";
  return nullptr;
}

V FunctionLowerer::lower_builtin(const InstData &d, BuiltinId id) {
  if (is_kernel_builtin(id)) return lower_kernel_builtin(d, id);
  if (id >= BuiltinId::List && id <= BuiltinId::NpAsarray) {
    bool dict_or_set = id == BuiltinId::Dict || id == BuiltinId::Set ||
                       (id >= BuiltinId::DictGet && id <= BuiltinId::SetIsdisjoint);
    return dict_or_set ? lower_dict_call(d, id) : lower_list_call(d, id);
  }
  if (is_string_builtin(id)) return lower_string_builtin(d, id);
  if (id == BuiltinId::Sum || id == BuiltinId::Any || id == BuiltinId::All)
    return lower_fold_call(d, id);
  if (id == BuiltinId::ObjmodeCall) return lower_objmode_call(d);
  if (id == BuiltinId::EmberCarray || id == BuiltinId::EmberFarray) return lower_carray(d, id);
  if (V x; lower_time_call(d, id, &x)) return x;
  if (V x; lower_bytes_call(d, id, &x)) return x;
  if (V x; lower_record_creation(d, id, &x)) return x;
  TypeId rt = type(d.result);
  size_t nargs = d.operands.size() - 1;
  auto arg = [&](size_t k) { return d.operands[k + 1]; };
  switch (id) {
    case BuiltinId::Range:
    case BuiltinId::Prange: {
      V start = llvm::ConstantInt::get(i64_, 0), step = llvm::ConstantInt::get(i64_, 1), stop;
      if (nargs == 1) {
        stop = convert(get(arg(0)), type(arg(0)), types_.int64());
      } else {
        start = convert(get(arg(0)), type(arg(0)), types_.int64());
        stop = convert(get(arg(1)), type(arg(1)), types_.int64());
        if (nargs == 3) step = convert(get(arg(2)), type(arg(2)), types_.int64());
      }
      V r = llvm::UndefValue::get(mt(rt));
      r = b_.CreateInsertValue(r, start, {0});
      r = b_.CreateInsertValue(r, stop, {1});
      return b_.CreateInsertValue(r, step, {2});
    }
    case BuiltinId::EmberGetThreadId:
    case BuiltinId::EmberGetNumThreads: {
      // The runtime's own answers: 0 / the team outside a region, as from Python.
      return b_.CreateCall(runtime(id == BuiltinId::EmberGetThreadId ? RuntimeFn::GetThreadId
                                                                     : RuntimeFn::GetNumThreads));
    }
    case BuiltinId::Len: {
      TypeId t = type(arg(0));
      V v = get(arg(0));
      if (types_.kind(t) == TypeKind::Instance)  // a jitclass's __len__
        return call_compiled(f_.callees[d.aux], {v}, type(d.result));
      switch (types_.kind(t)) {
        case TypeKind::Array:
        case TypeKind::RecordArray: return array_dim(v, DataModel::kShape, 0);
        case TypeKind::Tuple: return llvm::ConstantInt::get(i64_, types_.get(t).elems.size());
        case TypeKind::List:
        case TypeKind::Dict:
        case TypeKind::Set:
        case TypeKind::DictView: return container_len(v, t);
        case TypeKind::Str:
        case TypeKind::Unicode: return string_length(string_value(arg(0)));
        case TypeKind::Range: {
          // The iterator computes the count; build a throwaway one.
          V state = iterator_from(v, t, types_.range_iter());
          return b_.CreateLoad(
              i64_, b_.CreateStructGEP(dm_.iterator_state_type(types_.range_iter()), state, 2));
        }
        default: internal_error << "len of " << types_.to_string(t);
      }
      return nullptr;
    }
    case BuiltinId::Abs:
    case BuiltinId::NpAbsolute: {
      TypeId t = type(arg(0));
      TypeId src = types_.kind(t) == TypeKind::Optional ? types_.get(t).elems[0] : t;
      V v = convert(get(arg(0)), t, src);
      ScalarKind k = types_.scalar_kind(src);
      if (is_complex(k))
        return ms_.target.math(b_, MathFn::Hypot,
                               {b_.CreateExtractValue(v, {0}), b_.CreateExtractValue(v, {1})});
      if (is_float(k)) return ms_.target.math(b_, MathFn::Fabs, {v});
      V x = convert(v, src, rt);
      if (k == ScalarKind::Bool || !is_signed(k)) return x;
      return b_.CreateSelect(b_.CreateICmpSLT(x, llvm::ConstantInt::get(x->getType(), 0)),
                             b_.CreateNeg(x), x);
    }
    case BuiltinId::Min:
    case BuiltinId::Max: {
      bool is_max = id == BuiltinId::Max;
      std::vector<std::pair<V, TypeId>> items;
      if (nargs == 1 && types_.is_array(type(arg(0))))
        return lower_reduction(d, is_max ? BuiltinId::NpMax : BuiltinId::NpMin);
      if (nargs == 1 && types_.kind(type(arg(0))) == TypeKind::Generator)
        return generator_min_max(get(arg(0)), type(arg(0)), is_max);
      if (nargs == 1 && types_.kind(type(arg(0))) != TypeKind::Tuple)
        return lower_fold_call(d, id);  // a list, set, str, range, ...
      if (nargs == 1 && types_.kind(type(arg(0))) == TypeKind::Tuple) {
        const auto &elems = types_.get(type(arg(0))).elems;
        for (unsigned k = 0; k < elems.size(); ++k)
          items.push_back(
              {from_memory(b_.CreateExtractValue(get(arg(0)), {k}), elems[k]), elems[k]});
      } else {
        for (size_t k = 0; k < nargs; ++k) items.push_back({get(arg(k)), type(arg(k))});
      }
      ScalarKind rk = types_.scalar_kind(rt);
      V acc = convert(items[0].first, items[0].second, rt);
      for (size_t k = 1; k < items.size(); ++k)
        acc = scalar_min_max(is_max, acc, convert(items[k].first, items[k].second, rt), rk);
      return acc;
    }
    case BuiltinId::Round: {
      TypeId t = type(arg(0));
      TypeId src = types_.kind(t) == TypeKind::Optional ? types_.get(t).elems[0] : t;
      V x = convert(get(arg(0)), t, src);
      ScalarKind k = types_.scalar_kind(src);
      bool no_digits = nargs == 1 || types_.kind(type(arg(1))) == TypeKind::None;
      if (!is_float(k) && no_digits) return convert(x, src, rt);
      if (!is_float(k)) return round_int_digits(convert(x, src, types_.int64()), arg(1));
      if (no_digits) return python_int(ms_.target.math(b_, MathFn::RoundEven, {x}), src, rt);
      V nd = convert(get(arg(1)), type(arg(1)), types_.int64());
      if (ms_.target.has(RuntimeService::Strings)) {  // correctly rounded, as CPython
        V r =
            b_.CreateCall(runtime(RuntimeFn::RoundDigits), {convert(x, src, types_.float64()), nd});
        return convert(r, types_.float64(), src);
      }
      V ndf = b_.CreateSIToFP(nd, x->getType());
      // 10**|nd| exactly while it is representable (up to 1e22), as CPython's fallback
      // algorithm and Numba do: pow() may be off by an ulp, which changes round(2.675, 2).
      V absn = b_.CreateSelect(b_.CreateICmpSLT(nd, llvm::ConstantInt::get(i64_, 0)),
                               b_.CreateNeg(nd), nd);
      V exact = b_.CreateICmpULE(absn, llvm::ConstantInt::get(i64_, 22));
      V idx = b_.CreateSelect(exact, absn, llvm::ConstantInt::get(i64_, 0));
      V table = exact_powers_of_ten(x->getType());
      V tp = b_.CreateLoad(x->getType(), b_.CreateGEP(llvm::ArrayType::get(x->getType(), 23), table,
                                                      {llvm::ConstantInt::get(i64_, 0), idx}));
      V p = b_.CreateSelect(exact, tp,
                            ms_.target.math(b_, MathFn::Pow,
                                            {llvm::ConstantFP::get(x->getType(), 10.0),
                                             ms_.target.math(b_, MathFn::Fabs, {ndf})}));
      V pos = b_.CreateICmpSGE(nd, llvm::ConstantInt::get(i64_, 0));
      V scaled = b_.CreateSelect(pos, b_.CreateFMul(x, p), b_.CreateFDiv(x, p));
      V r = ms_.target.math(b_, MathFn::RoundEven, {scaled});
      V back = b_.CreateSelect(pos, b_.CreateFDiv(r, p), b_.CreateFMul(r, p));
      // Overflow of the scaled value (huge ndigits): the value is already exact.
      V finite = b_.CreateFCmpOLT(ms_.target.math(b_, MathFn::Fabs, {scaled}),
                                  llvm::ConstantFP::getInfinity(x->getType()));
      return b_.CreateSelect(finite, back, x);
    }
    case BuiltinId::Print: return lower_print(d);
    case BuiltinId::Isinstance: {
      bool known = false;
      bool yes = isinstance_of(types_, type(arg(0)), type(arg(1)), &known);
      return llvm::ConstantInt::getBool(ctx_, yes);
    }
    case BuiltinId::Pow: {
      if (nargs > 2 && types_.kind(type(arg(2))) != TypeKind::None)
        return pow_mod(convert(get(arg(0)), type(arg(0)), types_.int64()),
                       convert(get(arg(1)), type(arg(1)), types_.int64()),
                       convert(get(arg(2)), type(arg(2)), types_.int64()));
      TypeId l = type(arg(0)), r = type(arg(1));
      V a = convert(get(arg(0)), l, rt), c = convert(get(arg(1)), r, rt);
      return lower_binop(BinOpKind::Pow, a, c, rt, f_.flags.python_errors);
    }
    case BuiltinId::Divmod: {
      // `//` types its result as its promoted operands, so the quotient's type is theirs.
      TypeId ot = types_.get(rt).elems[0];
      V a = convert(get(arg(0)), type(arg(0)), ot), c = convert(get(arg(1)), type(arg(1)), ot);
      V q = lower_binop(BinOpKind::FloorDiv, a, c, ot, f_.flags.python_errors);
      V r = lower_binop(BinOpKind::Mod, a, c, ot, f_.flags.python_errors);
      V tup = b_.CreateInsertValue(llvm::UndefValue::get(mt(rt)), to_memory(q, ot), {0});
      return b_.CreateInsertValue(tup, to_memory(r, ot), {1});
    }
    case BuiltinId::MathGcd:
    case BuiltinId::MathLcm: {
      bool gcd = id == BuiltinId::MathGcd;
      // Folded from the identity: gcd() == 0 and lcm() == 1, as Python's.
      V acc = llvm::ConstantInt::get(i64_, gcd ? 0 : 1);
      for (size_t k = 0; k < nargs; ++k) {
        V x = convert(get(arg(k)), type(arg(k)), types_.int64());
        acc = gcd ? int_gcd(acc, x) : int_lcm(acc, x);
      }
      return acc;
    }
    case BuiltinId::Enumerate: {
      llvm::Type *st = dm_.iterator_state_type(rt);
      V state = entry_alloca(st, "enumerate");
      TypeId inner_t = types_.get(rt).elems[0];
      V inner = iterator_from(get(arg(0)), type(arg(0)), inner_t);
      V start = nargs > 1 && types_.kind(type(arg(1))) != TypeKind::None
                    ? convert(get(arg(1)), type(arg(1)), types_.int64())
                    : llvm::ConstantInt::get(i64_, 0);
      b_.CreateStore(inner, b_.CreateStructGEP(st, state, 0));
      // The count of the current item: each step increments it first.
      b_.CreateStore(b_.CreateSub(start, llvm::ConstantInt::get(i64_, 1)),
                     b_.CreateStructGEP(st, state, 1));
      return state;
    }
    case BuiltinId::Iter:
      if (types_.kind(type(arg(0))) == TypeKind::Str)  // iter("abc")
        return string_iter_init(string_value(arg(0)), rt);
      return iterator_from(get(arg(0)), type(arg(0)), rt);
    case BuiltinId::Next: return lower_next(d);
    case BuiltinId::Zip: {
      llvm::Type *st = dm_.iterator_state_type(rt);
      V state = entry_alloca(st, "zip");
      const auto &inners = types_.get(rt).elems;
      for (size_t k = 0; k < nargs; ++k)
        b_.CreateStore(iterator_from(get(arg(k)), type(arg(k)), inners[k]),
                       b_.CreateStructGEP(st, state, static_cast<unsigned>(k)));
      return state;
    }
    case BuiltinId::NpConjugate: {
      if (types_.is_array(rt)) {  // a.conjugate(): a new array
        TypeId at = type(arg(0));
        V src = get(arg(0));
        std::vector<V> shape;
        for (int k = 0; k < types_.ndim(at); ++k)
          shape.push_back(array_dim(src, DataModel::kShape, k));
        V out = allocate_array(rt, shape);
        ScalarKind dk = types_.dtype(at);
        emit_nd_loop(shape, [&](const std::vector<V> &idx) {
          V x = load_element(element_pointer(src, at, idx), dk);
          if (is_complex(dk)) x = complex_ufunc(BuiltinId::NpConjugate, x, dk);
          store_element(element_pointer(out, rt, idx), x, dk);
        });
        return out;
      }
      V a = convert(get(arg(0)), type(arg(0)), rt);
      if (!is_complex(types_.scalar_kind(rt))) return a;
      return b_.CreateInsertValue(a, b_.CreateFNeg(b_.CreateExtractValue(a, {1})), {1});
    }
    case BuiltinId::NpMinimum:
    case BuiltinId::NpMaximum: {
      V a = convert(get(arg(0)), type(arg(0)), rt), c = convert(get(arg(1)), type(arg(1)), rt);
      ScalarKind k = types_.scalar_kind(rt);
      bool is_max = id == BuiltinId::NpMaximum;
      if (is_float(k))  // NumPy propagates NaN
        return b_.CreateBinaryIntrinsic(
            is_max ? llvm::Intrinsic::maximum : llvm::Intrinsic::minimum, a, c);
      return scalar_min_max(is_max, a, c, k);
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
    case BuiltinId::NpAscontiguousarray: return lower_array_creation(d, id);
    case BuiltinId::NpDtype: return nullptr;  // a number class: nothing at run time
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
    case BuiltinId::NpCumprod: return lower_reduction(d, id);
    case BuiltinId::NpReshape:
    case BuiltinId::NpRavel:
    case BuiltinId::NpTranspose:
    case BuiltinId::ArrayFill:
    case BuiltinId::ArrayAstype:
    case BuiltinId::ArrayFlatten:
    case BuiltinId::ArrayItem: return lower_shape_op(d, id);
    case BuiltinId::NpSort:
    case BuiltinId::NpArgsort:
    case BuiltinId::NpUnique:
    case BuiltinId::ArraySort: return lower_sorting(d, id);
    case BuiltinId::NpDot:
    case BuiltinId::NpMatmul:
      return lower_dot(get(arg(0)), type(arg(0)), get(arg(1)), type(arg(1)), rt);
    case BuiltinId::NpRandomSeed:
    case BuiltinId::NpRandomRandom:
    case BuiltinId::NpRandomRand:
    case BuiltinId::NpRandomRandn:
    case BuiltinId::NpRandomUniform:
    case BuiltinId::NpRandomNormal:
    case BuiltinId::NpRandomRandint:
    case BuiltinId::NpRandomStandardNormal:
    case BuiltinId::NpRandomChoice: return lower_random(d, id);
    case BuiltinId::LapackGetrf:
    case BuiltinId::LapackGesv:
    case BuiltinId::LapackPotrf:
    case BuiltinId::LapackGesdd:
    case BuiltinId::LapackSyevd:
    case BuiltinId::LapackGeev:
    case BuiltinId::LapackGelsd:
    case BuiltinId::LapackGeqrf:
    case BuiltinId::LapackOrgqr: return lower_lapack(d, id);
    case BuiltinId::BitgenNextUint64:
    case BuiltinId::BitgenNextUint32:
    case BuiltinId::BitgenNextDouble: return lower_bitgen(d, id);
    case BuiltinId::ViewOf: return lower_view_of(d);
    default: return lower_math(id, d);
  }
}

}  // namespace ember
