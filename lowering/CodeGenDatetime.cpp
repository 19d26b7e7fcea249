// datetime64 / timedelta64 values: int64 counts of their unit, NaT = INT64_MIN.  Operators,
// element-wise array operations, np.datetime64 / np.timedelta64 / np.isnat.  Which kinds the
// operands convert to comes from ir/rules/Datetime.h, as typing decided; here every operation
// also propagates NaT as NumPy does (NaT in, NaT out; comparisons with NaT are false but !=).
// The reductions are lower_reduction's (CodeGenReduce.cpp), which asks nat_min_max and
// lower_time_binop for their NaT rules.
#include "ember/abi.h"
#include "ir/rules/Datetime.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

namespace {
bool time_kind(const TypeContext &types, TypeId t) {
  if (types.kind(t) == TypeKind::Optional) t = types.get(t).elems[0];
  return types.is_scalar(t) && is_time(types.scalar_kind(t));
}
}  // namespace

bool FunctionLowerer::is_time_value(TypeId t) const { return time_kind(types_, t); }

V FunctionLowerer::is_nat(V v) {
  return b_.CreateICmpEQ(v, llvm::ConstantInt::get(i64_, static_cast<uint64_t>(kNaT)));
}

V FunctionLowerer::nat_or(V nat, V v) {
  return b_.CreateSelect(nat, llvm::ConstantInt::get(i64_, static_cast<uint64_t>(kNaT)), v);
}

V FunctionLowerer::floor_div(V a, V b) {
  V q = b_.CreateSDiv(a, b), r = b_.CreateSRem(a, b);
  llvm::Constant *zero = llvm::ConstantInt::get(a->getType(), 0);
  V adjust = b_.CreateAnd(b_.CreateICmpNE(r, zero),
                          b_.CreateICmpNE(b_.CreateICmpSLT(r, zero), b_.CreateICmpSLT(b, zero)));
  return b_.CreateSub(q, b_.CreateZExt(adjust, a->getType()));
}

// Y / M <-> days, through the proleptic Gregorian calendar (H. Hinnant's algorithms, as
// ir/rules/Datetime.cpp's days_from_civil).
V FunctionLowerer::months_to_days(V months) {
  auto c = [&](int64_t x) { return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(x)); };
  V y = b_.CreateAdd(floor_div(months, c(12)), c(1970));
  V m = b_.CreateAdd(b_.CreateSub(months, b_.CreateMul(floor_div(months, c(12)), c(12))), c(1));
  V march = b_.CreateICmpSLE(m, c(2));
  y = b_.CreateSub(y, b_.CreateZExt(march, i64_));
  V era = floor_div(y, c(400));
  V yoe = b_.CreateSub(y, b_.CreateMul(era, c(400)));
  V mm = b_.CreateAdd(m, b_.CreateSelect(march, c(9), c(-3)));
  V doy = b_.CreateSDiv(b_.CreateAdd(b_.CreateMul(c(153), mm), c(2)), c(5));  // day 1: + 0
  V doe =
      b_.CreateAdd(b_.CreateSub(b_.CreateAdd(b_.CreateMul(yoe, c(365)), b_.CreateSDiv(yoe, c(4))),
                                b_.CreateSDiv(yoe, c(100))),
                   doy);
  return b_.CreateSub(b_.CreateAdd(b_.CreateMul(era, c(146097)), doe), c(719468));
}

V FunctionLowerer::days_to_months(V days) {
  auto c = [&](int64_t x) { return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(x)); };
  V z = b_.CreateAdd(days, c(719468));
  V era = floor_div(z, c(146097));
  V doe = b_.CreateSub(z, b_.CreateMul(era, c(146097)));
  V yoe = b_.CreateSDiv(b_.CreateSub(b_.CreateAdd(b_.CreateSub(doe, b_.CreateSDiv(doe, c(1460))),
                                                  b_.CreateSDiv(doe, c(36524))),
                                     b_.CreateSDiv(doe, c(146096))),
                        c(365));
  V y = b_.CreateAdd(yoe, b_.CreateMul(era, c(400)));
  V doy = b_.CreateSub(
      doe, b_.CreateSub(b_.CreateAdd(b_.CreateMul(c(365), yoe), b_.CreateSDiv(yoe, c(4))),
                        b_.CreateSDiv(yoe, c(100))));
  V mp = b_.CreateSDiv(b_.CreateAdd(b_.CreateMul(c(5), doy), c(2)), c(153));
  V m =
      b_.CreateSelect(b_.CreateICmpSLT(mp, c(10)), b_.CreateAdd(mp, c(3)), b_.CreateSub(mp, c(9)));
  y = b_.CreateAdd(y, b_.CreateZExt(b_.CreateICmpSLE(m, c(2)), i64_));
  return b_.CreateAdd(b_.CreateMul(b_.CreateSub(y, c(1970)), c(12)), b_.CreateSub(m, c(1)));
}

V FunctionLowerer::convert_time_unit(V v, TimeUnit from, TimeUnit to) {
  if (from == to || from == TimeUnit::Generic || to == TimeUnit::Generic) return v;
  auto c = [&](int64_t x) { return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(x)); };
  V nat = is_nat(v);
  V out;
  if (calendar_conversion(from, to)) {
    if (from == TimeUnit::Y || from == TimeUnit::M) {  // -> days -> the linear unit
      V months = from == TimeUnit::Y ? b_.CreateMul(v, c(12)) : v;
      return nat_or(nat, convert_time_unit(months_to_days(months), TimeUnit::D, to));
    }
    V days = convert_time_unit(v, from, TimeUnit::D);  // floors (W: multiplies)
    V months = days_to_months(days);
    out = to == TimeUnit::Y ? floor_div(months, c(12)) : months;
  } else if (int64_t f = time_unit_factor(from, to)) {
    out = b_.CreateMul(v, c(f));  // to a finer unit
  } else if (int64_t g = time_unit_factor(to, from)) {
    out = floor_div(v, c(g));  // to a coarser unit: NumPy floors
  } else {
    internal_error << "no conversion from " << time_unit_name(from) << " to " << time_unit_name(to)
                   << " that fits int64";
  }
  return nat_or(nat, out);
}

V FunctionLowerer::convert_time(V v, ScalarKind from, ScalarKind to) {
  llvm::Type *tt = dm_.scalar_type(to);
  if (is_time(from) && is_time(to)) return convert_time_unit(v, time_unit(from), time_unit(to));
  if (is_time(from)) {
    if (to == ScalarKind::Bool) return b_.CreateICmpNE(v, llvm::ConstantInt::get(i64_, 0));
    if (is_float(to) || is_complex(to)) {
      V f = b_.CreateSelect(is_nat(v), llvm::ConstantFP::getNaN(b_.getDoubleTy()),
                            b_.CreateSIToFP(v, b_.getDoubleTy()));
      return convert(f, types_.float64(), types_.scalar(to));
    }
    return b_.CreateIntCast(v, tt, true);
  }
  // A number -> a time kind: its count (a float's NaN is NaT).
  if (from == ScalarKind::Bool) return b_.CreateZExt(v, i64_);
  if (is_integer(from)) return b_.CreateIntCast(v, i64_, is_signed(from));
  if (is_complex(from)) v = b_.CreateExtractValue(v, {0});
  V x = b_.CreateFPCast(v, b_.getDoubleTy());
  V bad = b_.CreateNot(b_.CreateFCmpOLT(ms_.target.math(b_, MathFn::Fabs, {x}),
                                        llvm::ConstantFP::get(b_.getDoubleTy(), 9.2e18)));
  return nat_or(bad, b_.CreateFPToSI(x, i64_));
}

V FunctionLowerer::lower_time_binop(BinOpKind kind, V l, ScalarKind lk, V r, ScalarKind rk,
                                    SourceLoc loc) {
  TimeOp op;
  type_time_binop(kind, lk, rk, loc, &op);
  V a = convert(l, types_.scalar(lk), types_.scalar(op.lhs));
  V c = convert(r, types_.scalar(rk), types_.scalar(op.rhs));
  llvm::Constant *zero = llvm::ConstantInt::get(i64_, 0);
  llvm::Type *f64 = b_.getDoubleTy();
  // td (op) number, the timedelta on the left whatever the order written.
  auto by_number = [&](V t, V n, ScalarKind nk, bool divide) -> V {
    if (nk == ScalarKind::Float64) {
      V tf = b_.CreateSIToFP(t, f64);
      V x = divide ? b_.CreateFDiv(tf, n) : b_.CreateFMul(tf, n);
      V bad = b_.CreateNot(b_.CreateFCmpOLT(ms_.target.math(b_, MathFn::Fabs, {x}),
                                            llvm::ConstantFP::get(f64, 9.2e18)));
      return nat_or(b_.CreateOr(is_nat(t), bad), b_.CreateFPToSI(x, i64_));
    }
    if (!divide) return nat_or(is_nat(t), b_.CreateMul(t, n));
    V n_zero = b_.CreateICmpEQ(n, zero);  // NumPy: td / 0 is NaT; the division truncates
    V safe = b_.CreateSelect(n_zero, llvm::ConstantInt::get(i64_, 1), n);
    return nat_or(b_.CreateOr(is_nat(t), n_zero), b_.CreateSDiv(t, safe));
  };
  switch (kind) {
    case BinOpKind::Add:
    case BinOpKind::Sub: {
      V x = kind == BinOpKind::Add ? b_.CreateAdd(a, c) : b_.CreateSub(a, c);
      return nat_or(b_.CreateOr(is_nat(a), is_nat(c)), x);
    }
    case BinOpKind::Mul:
      if (is_time(op.lhs)) return by_number(a, c, op.rhs, false);
      return by_number(c, a, op.lhs, false);
    case BinOpKind::TrueDiv:
    case BinOpKind::FloorDiv:
    case BinOpKind::Mod: {
      if (!is_time(op.rhs)) return by_number(a, c, op.rhs, true);
      V nat = b_.CreateOr(is_nat(a), is_nat(c));
      V c_zero = b_.CreateICmpEQ(c, zero);
      if (kind == BinOpKind::TrueDiv) {  // a float: NaT is NaN, x / 0 is inf or nan
        V q = b_.CreateFDiv(b_.CreateSIToFP(a, f64), b_.CreateSIToFP(c, f64));
        return b_.CreateSelect(nat, llvm::ConstantFP::getNaN(f64), q);
      }
      V safe = b_.CreateSelect(c_zero, llvm::ConstantInt::get(i64_, 1), c);
      V bad = b_.CreateOr(nat, c_zero);
      if (kind == BinOpKind::FloorDiv)  // NumPy: 0 where NaT or division by zero
        return b_.CreateSelect(bad, zero, floor_div(a, safe));
      V rem = b_.CreateSub(a, b_.CreateMul(floor_div(a, safe), safe));
      return nat_or(bad, rem);
    }
    default: break;
  }
  internal_error << "no datetime lowering for " << binop_symbol(kind);
  return nullptr;
}

V FunctionLowerer::lower_time_compare(CmpKind kind, V l, ScalarKind lk, V r, ScalarKind rk) {
  TimeOp op;
  type_time_compare(kind, lk, rk, SourceLoc{}, &op);
  V a = convert(l, types_.scalar(lk), types_.scalar(op.lhs));
  V c = convert(r, types_.scalar(rk), types_.scalar(op.rhs));
  V x = lower_compare(kind, a, c, types_.int64());
  // NumPy 2: NaT compares unequal to everything, itself included.
  V nat = b_.CreateOr(is_nat(a), is_nat(c));
  return b_.CreateSelect(nat, llvm::ConstantInt::get(i1_, kind == CmpKind::Ne ? 1 : 0), x);
}

V FunctionLowerer::lower_time_unary(UnaryKind kind, V v, ScalarKind k) {
  switch (kind) {
    case UnaryKind::Not: return b_.CreateNot(convert_time(v, k, ScalarKind::Bool));
    case UnaryKind::Neg: return nat_or(is_nat(v), b_.CreateNeg(v));
    case UnaryKind::Pos:
    case UnaryKind::Invert: return v;  // ~ is a TypingError
  }
  return v;
}

V FunctionLowerer::time_element_op(const InstData &d, const std::vector<V> &elems,
                                   const std::vector<TypeId> &elem_types, ScalarKind result) {
  auto kind_of = [&](size_t k) { return types_.scalar_kind(elem_types[k]); };
  TypeId rt = types_.scalar(result);
  switch (d.op) {
    case Op::BinOp: {
      auto kind = static_cast<BinOpKind>(d.imm);
      TimeOp op;
      type_time_binop(kind, kind_of(0), kind_of(1), d.loc, &op);
      V x = lower_time_binop(kind, elems[0], kind_of(0), elems[1], kind_of(1), d.loc);
      return convert(x, types_.scalar(op.result), rt);
    }
    case Op::Compare:
      return lower_time_compare(static_cast<CmpKind>(d.imm), elems[0], kind_of(0), elems[1],
                                kind_of(1));
    case Op::Unary: return lower_time_unary(static_cast<UnaryKind>(d.imm), elems[0], kind_of(0));
    default: break;
  }
  auto id = static_cast<BuiltinId>(types_.get(type(d.operands[0])).a);
  auto arg = [&](size_t k) { return convert(elems[k], elem_types[k], rt); };
  switch (id) {
    case BuiltinId::NpIsnat:
    case BuiltinId::NpIsnan: return is_nat(elems[0]);
    case BuiltinId::NpIsfinite: return b_.CreateNot(is_nat(elems[0]));
    case BuiltinId::NpIsinf: return llvm::ConstantInt::getFalse(ctx_);
    case BuiltinId::Abs:
    case BuiltinId::NpAbsolute: {  // -NaT is NaT
      V a = elems[0];
      return b_.CreateSelect(b_.CreateICmpSLT(a, llvm::ConstantInt::get(i64_, 0)), b_.CreateNeg(a),
                             a);
    }
    case BuiltinId::Min:
    case BuiltinId::Max: {  // Python's: the first unless the second is smaller (larger)
      V a = arg(0), c = arg(1);
      V second = lower_time_compare(id == BuiltinId::Min ? CmpKind::Lt : CmpKind::Gt, c, result, a,
                                    result);
      return b_.CreateSelect(second, c, a);
    }
    case BuiltinId::NpMinimum:
    case BuiltinId::NpMaximum:  // NaT propagates, as NaN does
      return nat_min_max(id == BuiltinId::NpMaximum, arg(0), arg(1));
    case BuiltinId::NpClip:  // np.minimum(np.maximum(a, lo), hi): a NaT bound gives NaT
      return nat_min_max(false, nat_min_max(true, arg(0), arg(1)), arg(2));
    case BuiltinId::NpWhere: return b_.CreateSelect(truth(elems[0], elem_types[0]), arg(1), arg(2));
    default: break;
  }
  internal_error << "no datetime lowering for " << builtin_display_name(id);
  return nullptr;
}

V FunctionLowerer::nat_min_max(bool is_max, V a, V b) {
  V x = b_.CreateBinaryIntrinsic(is_max ? llvm::Intrinsic::smax : llvm::Intrinsic::smin, a, b);
  return nat_or(b_.CreateOr(is_nat(a), is_nat(b)), x);
}

void FunctionLowerer::nat_last(V row, V n, V stride) {
  // After an int64 sort NaT (INT64_MIN) leads the row; NumPy puts it last: shift the rest
  // down over the k leading NaTs and write the NaTs after them.
  auto c = [&](int64_t x) { return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(x)); };
  auto at = [&](V i) { return b_.CreateGEP(i8_, row, b_.CreateMul(i, stride)); };
  V count = entry_alloca(i64_, "nats");
  b_.CreateStore(c(0), count);
  emit_loop(
      n,
      [&](V i) {
        V e = b_.CreateLoad(i64_, at(i));
        b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, count), b_.CreateZExt(is_nat(e), i64_)),
                       count);
      },
      "nat.count");
  V k = b_.CreateLoad(i64_, count);
  emit_loop(
      b_.CreateSub(n, k),
      [&](V i) { b_.CreateStore(b_.CreateLoad(i64_, at(b_.CreateAdd(i, k))), at(i)); },
      "nat.shift");
  emit_loop(
      k, [&](V i) { b_.CreateStore(c(kNaT), at(b_.CreateAdd(b_.CreateSub(n, k), i))); },
      "nat.fill");
}

void FunctionLowerer::nat_last_indices(V values, V n, V stride, V indices) {
  // After a stable int64 argsort the NaTs' indices lead; NumPy's order puts them last, in
  // their order: rotate the index row left by the NaT count (three reversals, in place).
  auto c = [&](int64_t x) { return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(x)); };
  V count = entry_alloca(i64_, "nats");
  b_.CreateStore(c(0), count);
  emit_loop(
      n,
      [&](V i) {
        V e = b_.CreateLoad(i64_, b_.CreateGEP(i8_, values, b_.CreateMul(i, stride)));
        b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, count), b_.CreateZExt(is_nat(e), i64_)),
                       count);
      },
      "nat.count");
  V k = b_.CreateLoad(i64_, count);
  auto reverse = [&](V lo, V len) {  // indices[lo .. lo + len) reversed
    emit_loop(
        b_.CreateSDiv(len, c(2)),
        [&](V i) {
          V p = b_.CreateGEP(i64_, indices, b_.CreateAdd(lo, i));
          V q = b_.CreateGEP(i64_, indices,
                             b_.CreateSub(b_.CreateAdd(lo, len), b_.CreateAdd(i, c(1))));
          V x = b_.CreateLoad(i64_, p), y = b_.CreateLoad(i64_, q);
          b_.CreateStore(y, p);
          b_.CreateStore(x, q);
        },
        "nat.reverse");
  };
  reverse(c(0), k);
  reverse(k, b_.CreateSub(n, k));
  reverse(c(0), n);
}

bool FunctionLowerer::lower_time_call(const InstData &d, BuiltinId id, V *out) {
  TypeId rt = type(d.result);
  size_t nargs = d.operands.size() - 1;
  auto arg = [&](size_t k) { return d.operands[k + 1]; };
  switch (id) {
    case BuiltinId::NpDatetime64:
    case BuiltinId::NpTimedelta64: {
      ScalarKind k = types_.scalar_kind(rt);
      TypeId vt = nargs > 0 ? type(arg(0)) : types_.none();
      if (types_.kind(vt) == TypeKind::None) {
        *out = llvm::ConstantInt::get(i64_, static_cast<uint64_t>(kNaT));
        return true;
      }
      if (types_.kind(vt) == TypeKind::Str) {  // parsed at compile time, as typing did
        TimeUnit u = time_unit(k);
        int64_t v = kNaT;
        if (id == BuiltinId::NpDatetime64) parse_datetime(types_.string(types_.get(vt).a), &u, &v);
        *out = llvm::ConstantInt::get(i64_, static_cast<uint64_t>(v));
        return true;
      }
      *out = convert(get(arg(0)), vt, rt);  // an integer count, or another unit's value
      return true;
    }
    case BuiltinId::NpIsnat:
    case BuiltinId::NpIsnan:
    case BuiltinId::NpIsinf:
    case BuiltinId::NpIsfinite:
    case BuiltinId::Abs:
    case BuiltinId::NpAbsolute:
    case BuiltinId::NpMinimum:
    case BuiltinId::NpMaximum:
    case BuiltinId::NpClip:
    case BuiltinId::Min:
    case BuiltinId::Max: break;
    default: return false;
  }
  bool any = false;
  for (size_t k = 0; k < nargs; ++k) any |= is_time_value(type(arg(k)));
  if (!any || types_.is_array(rt)) return false;
  std::vector<V> elems;
  std::vector<TypeId> elem_types;
  for (size_t k = 0; k < nargs; ++k) {
    TypeId t = type(arg(k));
    TypeId u = types_.kind(t) == TypeKind::Optional ? types_.get(t).elems[0] : t;
    elems.push_back(convert(get(arg(k)), t, u));
    elem_types.push_back(u);
  }
  *out = time_element_op(d, elems, elem_types, types_.scalar_kind(rt));
  return true;
}

}  // namespace ember
