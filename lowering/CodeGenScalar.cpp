// Scalars: constants, conversions, truth, arithmetic with Python's semantics (floor division and
// modulo round toward negative infinity, division by zero raises under error_model='python'),
// comparisons and unary operators.  Operands arrive converted to the operation's type by
// make_explicit().
#include <algorithm>
#include <cmath>

#include "ember/abi.h"
#include "ir/rules/Promotion.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

void FunctionLowerer::set_fast_math(V v) {
  if (!f_.flags.fastmath) return;
  if (auto *inst = llvm::dyn_cast<llvm::Instruction>(v))
    if (llvm::isa<llvm::FPMathOperator>(inst)) inst->setFast(true);
}

V FunctionLowerer::scalar_zero(ScalarKind k) {
  return llvm::Constant::getNullValue(dm_.scalar_type(k));
}

V FunctionLowerer::scalar_one(ScalarKind k) {
  llvm::Type *t = dm_.scalar_type(k);
  if (is_complex(k)) {
    llvm::Type *e = t->getStructElementType(0);
    return llvm::ConstantStruct::get(
        llvm::cast<llvm::StructType>(t),
        {llvm::ConstantFP::get(e, 1.0), llvm::ConstantFP::get(e, 0.0)});
  }
  if (is_float(k)) return llvm::ConstantFP::get(t, 1.0);
  return llvm::ConstantInt::get(t, 1);
}

V FunctionLowerer::lower_const(const ConstValue &c, TypeId t) {
  using K = ConstValue::Kind;
  llvm::Type *ty = vt(t);
  if (!ty) return nullptr;
  switch (c.kind) {
    case K::None: return llvm::ConstantInt::get(i8_, 0);
    case K::Bool: return llvm::ConstantInt::get(i1_, c.i ? 1 : 0);
    case K::Int:
      if (ty->isFloatingPointTy()) return llvm::ConstantFP::get(ty, static_cast<double>(c.i));
      return llvm::ConstantInt::get(ty, static_cast<uint64_t>(c.i), true);
    case K::Float:
      if (ty->isIntegerTy())
        return llvm::ConstantInt::get(ty, static_cast<uint64_t>(static_cast<int64_t>(c.f)), true);
      return llvm::ConstantFP::get(ty, c.f);
    case K::Complex: {
      llvm::Type *et = ty->getStructElementType(0);
      return llvm::ConstantStruct::get(
          llvm::cast<llvm::StructType>(ty),
          {llvm::ConstantFP::get(et, c.f), llvm::ConstantFP::get(et, c.f2)});
    }
    case K::Tuple: {
      V tup = llvm::UndefValue::get(ty);
      const TypeData &td = types_.get(t);
      for (unsigned k = 0; k < c.elems.size(); ++k) {
        V e = lower_const(c.elems[k], td.elems[k]);
        if (c.elems[k].kind == K::Str) {  // a literal in a tuple: the tuple holds a reference
          e = string_literal(c.elems[k].str);
          incref(e, td.elems[k]);
        }
        if (e) tup = b_.CreateInsertValue(tup, to_memory(e, td.elems[k]), {k});
      }
      return tup;
    }
    case K::Array: return constant_array(c, t);
    default: return nullptr;  // compile-time values have no runtime form
  }
}

V FunctionLowerer::convert(V v, TypeId from, TypeId to) {
  if (from == to) return v;
  const TypeData &fd = types_.get(from), &td = types_.get(to);
  if (fd.kind == TypeKind::Dispatcher && td.kind == TypeKind::FunctionPtr)
    return function_value(from, to);
  if (td.kind == TypeKind::Optional) {
    TypeId inner = td.elems[0];
    llvm::Type *ot = mt(to);
    if (fd.kind == TypeKind::None) return llvm::Constant::getNullValue(ot);
    if (fd.kind == TypeKind::Optional) {
      V present = b_.CreateExtractValue(v, {0});
      V val = convert(from_memory(b_.CreateExtractValue(v, {1}), fd.elems[0]), fd.elems[0], inner);
      V out = b_.CreateInsertValue(llvm::UndefValue::get(ot), present, {0});
      return b_.CreateInsertValue(out, to_memory(val, inner), {1});
    }
    V out = b_.CreateInsertValue(llvm::UndefValue::get(ot), llvm::ConstantInt::get(i8_, 1), {0});
    return b_.CreateInsertValue(out, to_memory(convert(v, from, inner), inner), {1});
  }
  if (fd.kind == TypeKind::Optional) {
    V present = b_.CreateExtractValue(v, {0});
    raise_if(b_.CreateICmpEQ(present, llvm::ConstantInt::get(i8_, 0)), EMBER_EXC_TypeError,
             "expected a value but got None");
    return convert(from_memory(b_.CreateExtractValue(v, {1}), fd.elems[0]), fd.elems[0], to);
  }
  if (fd.kind == TypeKind::Array && td.kind == TypeKind::Array) return v;  // layout or readonly
  if (fd.kind == td.kind && types_.is_container(from)) return v;  // typed.List and list alike
  if (types_.is_container(from) && td.kind == TypeKind::Scalar) return truth(v, from);  // bool()
  if (fd.kind == TypeKind::Tuple && td.kind == TypeKind::Tuple) {
    V out = llvm::UndefValue::get(mt(to));
    for (unsigned k = 0; k < td.elems.size(); ++k) {
      V e = from_memory(b_.CreateExtractValue(v, {k}), fd.elems[k]);
      out = b_.CreateInsertValue(out, to_memory(convert(e, fd.elems[k], td.elems[k]), td.elems[k]),
                                 {k});
    }
    return out;
  }
  internal_assert(fd.kind == TypeKind::Scalar && td.kind == TypeKind::Scalar)
      << "cannot convert " << types_.to_string(from) << " to " << types_.to_string(to);
  auto fk = static_cast<ScalarKind>(fd.a), tk = static_cast<ScalarKind>(td.a);
  if (is_time(fk) || is_time(tk)) return convert_time(v, fk, tk);
  llvm::Type *tt = dm_.scalar_type(tk);
  if (tk == ScalarKind::Bool) return truth(v, from);
  if (is_complex(tk)) {
    llvm::Type *et = tt->getStructElementType(0);
    ScalarKind part = tk == ScalarKind::Complex64 ? ScalarKind::Float32 : ScalarKind::Float64;
    V re, im;
    if (is_complex(fk)) {
      ScalarKind fpart = fk == ScalarKind::Complex64 ? ScalarKind::Float32 : ScalarKind::Float64;
      re = convert(b_.CreateExtractValue(v, {0}), types_.scalar(fpart), types_.scalar(part));
      im = convert(b_.CreateExtractValue(v, {1}), types_.scalar(fpart), types_.scalar(part));
    } else {
      re = convert(v, from, types_.scalar(part));
      im = llvm::ConstantFP::get(et, 0.0);
    }
    V out = b_.CreateInsertValue(llvm::UndefValue::get(tt), re, {0});
    return b_.CreateInsertValue(out, im, {1});
  }
  if (is_complex(fk)) {
    ScalarKind fpart = fk == ScalarKind::Complex64 ? ScalarKind::Float32 : ScalarKind::Float64;
    return convert(b_.CreateExtractValue(v, {0}), types_.scalar(fpart), to);
  }
  if (fk == ScalarKind::Bool) return is_float(tk) ? b_.CreateUIToFP(v, tt) : b_.CreateZExt(v, tt);
  if (is_integer(fk)) {
    if (is_float(tk)) return is_signed(fk) ? b_.CreateSIToFP(v, tt) : b_.CreateUIToFP(v, tt);
    return b_.CreateIntCast(v, tt, is_signed(fk));
  }
  // float ->
  if (is_float(tk)) return b_.CreateFPCast(v, tt);
  return numpy_float_to_int(v, tk);
}

namespace {

/// Whether x is the value of `t` (float or double) exactly.
bool representable(llvm::Type *t, double x) {
  return t->isDoubleTy() || static_cast<double>(static_cast<float>(x)) == x;
}

}  // namespace

V FunctionLowerer::trunc_or_min(V x, unsigned bits) {
  // trunc(x) is in [-2^(bits-1), 2^(bits-1)) when x < 2^(bits-1) and x > -2^(bits-1) - 1; where
  // the float type cannot hold -2^(bits-1) - 1, no value lies between it and -2^(bits-1).
  llvm::Type *ft = x->getType();
  llvm::IntegerType *it = llvm::IntegerType::get(ctx_, bits);
  double limit = std::ldexp(1.0, static_cast<int>(bits) - 1);
  V below = b_.CreateFCmpOLT(x, llvm::ConstantFP::get(ft, limit));
  V above = representable(ft, -limit - 1.0)
                ? b_.CreateFCmpOGT(x, llvm::ConstantFP::get(ft, -limit - 1.0))
                : b_.CreateFCmpOGE(x, llvm::ConstantFP::get(ft, -limit));
  V valid = b_.CreateAnd(below, above);  // false for NaN
  // fptosi of an out-of-range value is poison: convert a harmless value instead, then select.
  V safe = b_.CreateSelect(valid, x, llvm::ConstantFP::get(ft, 0.0));
  return b_.CreateSelect(valid, b_.CreateFPToSI(safe, it),
                         llvm::ConstantInt::get(it, llvm::APInt::getSignedMinValue(bits)));
}

V FunctionLowerer::numpy_float_to_int(V x, ScalarKind to) {
  // Every float16 is a float exactly, and the limits below need a type that holds them.
  if (x->getType()->isHalfTy()) x = b_.CreateFPExt(x, b_.getFloatTy());
  llvm::Type *tt = dm_.scalar_type(to);
  unsigned bits = static_cast<unsigned>(bit_width(to));
  bool sgn = is_signed(to);
  auto saturate = [&](llvm::Type *via) {
    auto id = sgn ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat;
    return b_.CreateIntrinsic(id, {via, x->getType()}, {x});
  };
  switch (ms_.target.float_to_int_bits()) {
    case FloatToIntBits::Saturating:
      // Narrow integers through a saturating 32-bit conversion, as the C casts compile there.
      return b_.CreateTrunc(saturate(llvm::IntegerType::get(ctx_, bits < 32 ? 32 : bits)), tt);
    case FloatToIntBits::Ptx: {
      // cvt.rzi.<to>.<from>: saturating at the destination's width; NaN gives 0 unless the
      // source is a double or the destination 64 bits wide, then 1 << (bits - 1).
      V r = saturate(tt);
      if (!x->getType()->isDoubleTy() && bits < 64) return r;
      return b_.CreateSelect(b_.CreateFCmpUNO(x, x),
                             llvm::ConstantInt::get(tt, llvm::APInt::getSignMask(bits)), r);
    }
    case FloatToIntBits::X86: break;
  }
  // x86-64: see FloatToIntBits::X86.
  if (sgn || bits < 32) return b_.CreateTrunc(trunc_or_min(x, bits == 64 ? 64 : 32), tt);
  if (bits == 32) return b_.CreateTrunc(trunc_or_min(x, 64), tt);
  llvm::Type *ft = x->getType();
  llvm::Constant *two63 = llvm::ConstantFP::get(ft, std::ldexp(1.0, 63));
  V high = b_.CreateFCmpOGE(x, two63);
  V r = trunc_or_min(b_.CreateSelect(high, b_.CreateFSub(x, two63), x), 64);
  V top = llvm::ConstantInt::get(i64_, llvm::APInt::getSignedMinValue(64));
  return b_.CreateSelect(high, b_.CreateXor(r, top), r);
}

V FunctionLowerer::python_float_to_int(V x) {
  if (x->getType()->isHalfTy()) x = b_.CreateFPExt(x, b_.getFloatTy());  // exact, and holds 2^63
  // One test on the hot path; the cold block tells NaN, infinities and big values apart.
  llvm::Type *ft = x->getType();
  double limit = std::ldexp(1.0, 63);
  V valid = b_.CreateAnd(b_.CreateFCmpOLT(x, llvm::ConstantFP::get(ft, limit)),
                         b_.CreateFCmpOGE(x, llvm::ConstantFP::get(ft, -limit)));
  auto *bad = llvm::BasicBlock::Create(ctx_, "int.bad", fn_);
  auto *ok = llvm::BasicBlock::Create(ctx_, "int.ok", fn_);
  llvm::MDBuilder md(ctx_);
  b_.CreateCondBr(valid, ok, bad, md.createBranchWeights(1 << 20, 1));
  b_.SetInsertPoint(bad);
  raise_if(b_.CreateFCmpUNO(x, x), EMBER_EXC_ValueError, "cannot convert float NaN to integer");
  raise_if(
      b_.CreateFCmpOEQ(ms_.target.math(b_, MathFn::Fabs, {x}), llvm::ConstantFP::getInfinity(ft)),
      EMBER_EXC_OverflowError, "cannot convert float infinity to integer");
  emit_raise(EMBER_EXC_OverflowError,
             "cannot convert float to integer: the value is outside the int64 range (compiled "
             "code has no arbitrary-precision integers)");
  b_.SetInsertPoint(ok);
  return b_.CreateFPToSI(x, i64_);
}

V FunctionLowerer::python_int(V v, TypeId from, TypeId to) {
  TypeId src = types_.kind(from) == TypeKind::Optional ? types_.get(from).elems[0] : from;
  if (!types_.is_scalar(src) || !types_.is_scalar(to) || !is_float(types_.scalar_kind(src)) ||
      !is_integer(types_.scalar_kind(to)))
    return convert(v, from, to);
  V x = convert(v, from, src);
  return convert(python_float_to_int(x), types_.int64(), to);
}

V FunctionLowerer::truth(V v, TypeId t) {
  const TypeData &d = types_.get(t);
  switch (d.kind) {
    case TypeKind::None: return llvm::ConstantInt::getFalse(ctx_);
    case TypeKind::Tuple: return llvm::ConstantInt::get(i1_, d.elems.empty() ? 0 : 1);
    case TypeKind::List:
    case TypeKind::Dict:
    case TypeKind::Set:
      return b_.CreateICmpNE(container_len(v, t), llvm::ConstantInt::get(i64_, 0));
    case TypeKind::Str: return llvm::ConstantInt::get(i1_, types_.string(d.a).empty() ? 0 : 1);
    case TypeKind::Array:  // a bytes (typing refuses other arrays): non-empty
      return b_.CreateICmpNE(array_dim(v, DataModel::kShape, 0), llvm::ConstantInt::get(i64_, 0));
    case TypeKind::Unicode:
      return b_.CreateICmpNE(string_length(v), llvm::ConstantInt::get(i64_, 0));
    case TypeKind::Optional: {
      V present = b_.CreateICmpNE(b_.CreateExtractValue(v, {0}), llvm::ConstantInt::get(i8_, 0));
      V inner = truth(from_memory(b_.CreateExtractValue(v, {1}), d.elems[0]), d.elems[0]);
      return b_.CreateAnd(present, inner);
    }
    case TypeKind::Scalar: {
      auto k = static_cast<ScalarKind>(d.a);
      if (k == ScalarKind::Bool) return v;
      if (is_integer(k) || is_time(k))  // a timedelta: nonzero; NaT is true, as in NumPy
        return b_.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
      if (is_float(k)) return b_.CreateFCmpUNE(v, llvm::ConstantFP::get(v->getType(), 0.0));
      V re = b_.CreateExtractValue(v, {0}), im = b_.CreateExtractValue(v, {1});
      llvm::Constant *z = llvm::ConstantFP::get(re->getType(), 0.0);
      return b_.CreateOr(b_.CreateFCmpUNE(re, z), b_.CreateFCmpUNE(im, z));
    }
    default: internal_error << "no truth value for " << types_.to_string(t);
  }
  return nullptr;
}

V FunctionLowerer::lower_binop(BinOpKind kind, V l, V r, TypeId operand, bool raise_errors,
                               bool array_element) {
  const TypeData &od = types_.get(operand);
  internal_assert(od.kind == TypeKind::Scalar) << "binop on " << types_.to_string(operand);
  auto k = static_cast<ScalarKind>(od.a);
  if (k == ScalarKind::Float16 &&
      (kind == BinOpKind::FloorDiv || kind == BinOpKind::Mod || kind == BinOpKind::Pow)) {
    // NumPy computes these in float32 and rounds once to float16; LLVM's half operations
    // (+ - * /) round every step, the same as rounding the float32 result.
    llvm::Type *f32 = b_.getFloatTy();
    V wide = lower_binop(kind, b_.CreateFPExt(l, f32), b_.CreateFPExt(r, f32),
                         types_.scalar(ScalarKind::Float32), raise_errors, array_element);
    return b_.CreateFPTrunc(wide, l->getType());
  }
  if (kind == BinOpKind::Pow && !is_complex(k))
    if (V p = constant_pow(l, r, k, raise_errors, array_element)) return p;
  if (is_complex(k)) return lower_complex_binop(kind, l, r, k, raise_errors);
  if (is_float(k)) return lower_float_binop(kind, l, r, k, raise_errors);
  return lower_int_binop(kind, l, r, k, raise_errors);
}

V FunctionLowerer::lower_int_binop(BinOpKind kind, V l, V r, ScalarKind k, bool raise_errors) {
  llvm::Type *t = l->getType();
  bool sgn = is_signed(k);
  llvm::Constant *zero = llvm::ConstantInt::get(t, 0);
  bool py = raise_errors;
  switch (kind) {
    case BinOpKind::Add: return b_.CreateAdd(l, r);
    case BinOpKind::Sub: return b_.CreateSub(l, r);
    case BinOpKind::Mul: return b_.CreateMul(l, r);
    case BinOpKind::And: return b_.CreateAnd(l, r);
    case BinOpKind::Or: return b_.CreateOr(l, r);
    case BinOpKind::Xor: return b_.CreateXor(l, r);
    case BinOpKind::FloorDiv:
    case BinOpKind::Mod: {
      bool div = kind == BinOpKind::FloorDiv;
      V is_zero = b_.CreateICmpEQ(r, zero);
      if (py) {
        raise_if(is_zero, EMBER_EXC_ZeroDivisionError,
                 div ? "integer division or modulo by zero" : "integer modulo by zero");
      }
      // Under error_model='numpy' a zero divisor gives 0, as NumPy does.
      V safe_r = py ? r : b_.CreateSelect(is_zero, llvm::ConstantInt::get(t, 1), r);
      V out;
      if (!sgn) {
        out = div ? b_.CreateUDiv(l, safe_r) : b_.CreateURem(l, safe_r);
      } else {
        // x86 traps on INT_MIN / -1: divide by 1 instead and negate.
        V minus1 =
            b_.CreateICmpEQ(safe_r, llvm::ConstantInt::get(t, static_cast<uint64_t>(-1), true));
        V d = b_.CreateSelect(minus1, llvm::ConstantInt::get(t, 1), safe_r);
        V q = b_.CreateSDiv(l, d);
        V rem = b_.CreateSRem(l, d);
        // Round toward negative infinity: adjust when the remainder's sign differs.
        V adjust =
            b_.CreateAnd(b_.CreateICmpNE(rem, zero),
                         b_.CreateICmpNE(b_.CreateICmpSLT(rem, zero), b_.CreateICmpSLT(d, zero)));
        if (div) {
          q = b_.CreateSub(q, b_.CreateZExt(adjust, t));
          out = b_.CreateSelect(minus1, b_.CreateNeg(l), q);
        } else {
          rem = b_.CreateSelect(adjust, b_.CreateAdd(rem, d), rem);
          out = b_.CreateSelect(minus1, zero, rem);
        }
      }
      return py ? out : b_.CreateSelect(is_zero, zero, out);
    }
    case BinOpKind::Pow: return int_pow(l, r, k);
    case BinOpKind::LShift:
    case BinOpKind::RShift: {
      unsigned bits = t->getIntegerBitWidth();
      if (sgn && py)
        raise_if(b_.CreateICmpSLT(r, zero), EMBER_EXC_ValueError, "negative shift count");
      V big = b_.CreateICmpUGE(r, llvm::ConstantInt::get(t, bits));
      V count = b_.CreateSelect(big, llvm::ConstantInt::get(t, bits - 1), r);
      if (kind == BinOpKind::LShift) return b_.CreateSelect(big, zero, b_.CreateShl(l, count));
      if (sgn) return b_.CreateAShr(l, count);  // count clamped to bits-1: sign fill
      return b_.CreateSelect(big, zero, b_.CreateLShr(l, count));
    }
    case BinOpKind::TrueDiv:
    case BinOpKind::MatMul: break;
  }
  internal_error << "integer " << binop_symbol(kind);
  return nullptr;
}

V FunctionLowerer::lower_float_binop(BinOpKind kind, V l, V r, ScalarKind k, bool raise_errors) {
  (void)k;
  llvm::Type *t = l->getType();
  llvm::Constant *zero = llvm::ConstantFP::get(t, 0.0);
  bool py = raise_errors;
  V out = nullptr;
  switch (kind) {
    case BinOpKind::Add: out = b_.CreateFAdd(l, r); break;
    case BinOpKind::Sub: out = b_.CreateFSub(l, r); break;
    case BinOpKind::Mul: out = b_.CreateFMul(l, r); break;
    case BinOpKind::TrueDiv:
      if (py)
        raise_if(b_.CreateFCmpOEQ(r, zero), EMBER_EXC_ZeroDivisionError, "float division by zero");
      out = b_.CreateFDiv(l, r);
      break;
    case BinOpKind::FloorDiv:
    case BinOpKind::Mod: {
      bool div = kind == BinOpKind::FloorDiv;
      if (py)
        raise_if(b_.CreateFCmpOEQ(r, zero), EMBER_EXC_ZeroDivisionError,
                 div ? "float floor division by zero" : "float modulo by zero");
      // CPython's float_floor_div / float_rem (Objects/floatobject.c).
      V mod = b_.CreateFRem(l, r);
      V quot = b_.CreateFDiv(b_.CreateFSub(l, mod), r);
      V mod_nonzero = b_.CreateFCmpUNE(mod, zero);
      V sign_differs = b_.CreateICmpNE(b_.CreateFCmpOLT(r, zero), b_.CreateFCmpOLT(mod, zero));
      V fix = b_.CreateAnd(mod_nonzero, sign_differs);
      V mod_fixed = b_.CreateSelect(fix, b_.CreateFAdd(mod, r), mod);
      mod_fixed =
          b_.CreateSelect(mod_nonzero, mod_fixed, ms_.target.math(b_, MathFn::Copysign, {zero, r}));
      if (!div) return mod_fixed;
      V q = b_.CreateSelect(fix, b_.CreateFSub(quot, llvm::ConstantFP::get(t, 1.0)), quot);
      V fl = ms_.target.math(b_, MathFn::Floor, {q});
      V bump = b_.CreateFCmpOGT(b_.CreateFSub(q, fl), llvm::ConstantFP::get(t, 0.5));
      fl = b_.CreateSelect(bump, b_.CreateFAdd(fl, llvm::ConstantFP::get(t, 1.0)), fl);
      V signed_zero = ms_.target.math(b_, MathFn::Copysign, {zero, b_.CreateFDiv(l, r)});
      V result = b_.CreateSelect(b_.CreateFCmpUNE(q, zero), fl, signed_zero);
      // NumPy (no exception) gives a / 0: inf, -inf or nan.
      if (!py) result = b_.CreateSelect(b_.CreateFCmpOEQ(r, zero), b_.CreateFDiv(l, r), result);
      return result;
    }
    case BinOpKind::Pow:
      if (py)  // CPython raises for a finite negative exponent only: 0.0 ** -inf is inf
        raise_if(b_.CreateAnd(b_.CreateFCmpOEQ(l, zero),
                              b_.CreateAnd(b_.CreateFCmpOLT(r, zero),
                                           b_.CreateFCmpONE(r, llvm::ConstantFP::getInfinity(
                                                                   t, /*Negative=*/true)))),
                 EMBER_EXC_ZeroDivisionError, "0.0 cannot be raised to a negative power");
      out = ms_.target.math(b_, MathFn::Pow, {l, r});
      break;
    default: internal_error << "float " << binop_symbol(kind);
  }
  set_fast_math(out);
  return out;
}

V FunctionLowerer::lower_complex_binop(BinOpKind kind, V l, V r, ScalarKind k, bool raise_errors) {
  V a = b_.CreateExtractValue(l, {0}), bb = b_.CreateExtractValue(l, {1});
  V c = b_.CreateExtractValue(r, {0}), d = b_.CreateExtractValue(r, {1});
  V re, im;
  switch (kind) {
    case BinOpKind::Add:
      re = b_.CreateFAdd(a, c);
      im = b_.CreateFAdd(bb, d);
      break;
    case BinOpKind::Sub:
      re = b_.CreateFSub(a, c);
      im = b_.CreateFSub(bb, d);
      break;
    case BinOpKind::Mul:
      re = b_.CreateFSub(b_.CreateFMul(a, c), b_.CreateFMul(bb, d));
      im = b_.CreateFAdd(b_.CreateFMul(a, d), b_.CreateFMul(bb, c));
      break;
    case BinOpKind::TrueDiv: {
      // Smith's algorithm, as CPython's _Py_c_quot.
      llvm::Constant *zero = llvm::ConstantFP::get(a->getType(), 0.0);
      if (raise_errors)
        raise_if(b_.CreateAnd(b_.CreateFCmpOEQ(c, zero), b_.CreateFCmpOEQ(d, zero)),
                 EMBER_EXC_ZeroDivisionError, "complex division by zero");
      V abs_c = ms_.target.math(b_, MathFn::Fabs, {c}),
        abs_d = ms_.target.math(b_, MathFn::Fabs, {d});
      V c_big = b_.CreateFCmpOGE(abs_c, abs_d);
      // |c| >= |d|: ratio = d/c, denom = c + d*ratio
      V r1 = b_.CreateFDiv(d, c), den1 = b_.CreateFAdd(c, b_.CreateFMul(d, r1));
      V re1 = b_.CreateFDiv(b_.CreateFAdd(a, b_.CreateFMul(bb, r1)), den1);
      V im1 = b_.CreateFDiv(b_.CreateFSub(bb, b_.CreateFMul(a, r1)), den1);
      V r2 = b_.CreateFDiv(c, d), den2 = b_.CreateFAdd(b_.CreateFMul(c, r2), d);
      V re2 = b_.CreateFDiv(b_.CreateFAdd(b_.CreateFMul(a, r2), bb), den2);
      V im2 = b_.CreateFDiv(b_.CreateFSub(b_.CreateFMul(bb, r2), a), den2);
      re = b_.CreateSelect(c_big, re1, re2);
      im = b_.CreateSelect(c_big, im1, im2);
      break;
    }
    case BinOpKind::Pow: {
      // CPython's complex power: repeated squaring for integral exponents up to 100 (exact
      // results such as (1+1j)**2 == 2j), the polar form otherwise.
      llvm::Type *ft = a->getType();
      llvm::Constant *zero = llvm::ConstantFP::get(ft, 0.0), *one = llvm::ConstantFP::get(ft, 1.0);
      auto mul = [&](std::pair<V, V> x, std::pair<V, V> y) {
        return std::make_pair(
            b_.CreateFSub(b_.CreateFMul(x.first, y.first), b_.CreateFMul(x.second, y.second)),
            b_.CreateFAdd(b_.CreateFMul(x.first, y.second), b_.CreateFMul(x.second, y.first)));
      };
      V n = b_.CreateIntrinsic(llvm::Intrinsic::fptosi_sat, {i64_, ft}, {c});
      V integral =
          b_.CreateAnd(b_.CreateFCmpOEQ(d, zero),
                       b_.CreateAnd(b_.CreateFCmpOEQ(b_.CreateSIToFP(n, ft), c),
                                    b_.CreateFCmpOLE(ms_.target.math(b_, MathFn::Fabs, {c}),
                                                     llvm::ConstantFP::get(ft, 100.0))));
      V un =
          b_.CreateSelect(b_.CreateICmpSLT(n, llvm::ConstantInt::get(i64_, 0)), b_.CreateNeg(n), n);
      std::pair<V, V> acc = {one, zero}, p = {a, bb};
      for (int bit = 0; bit < 7; ++bit) {
        V set = b_.CreateTrunc(b_.CreateLShr(un, bit), i1_);
        std::pair<V, V> m = mul(acc, p);
        acc = {b_.CreateSelect(set, m.first, acc.first),
               b_.CreateSelect(set, m.second, acc.second)};
        p = mul(p, p);
      }
      // 1 / acc for negative exponents.
      V den =
          b_.CreateFAdd(b_.CreateFMul(acc.first, acc.first), b_.CreateFMul(acc.second, acc.second));
      V inv_re = b_.CreateFDiv(acc.first, den),
        inv_im = b_.CreateFNeg(b_.CreateFDiv(acc.second, den));
      V neg = b_.CreateICmpSLT(n, llvm::ConstantInt::get(i64_, 0));
      V int_re = b_.CreateSelect(neg, inv_re, acc.first),
        int_im = b_.CreateSelect(neg, inv_im, acc.second);
      V vabs = ms_.target.math(b_, MathFn::Hypot, {a, bb});
      V len = ms_.target.math(b_, MathFn::Pow, {vabs, c});
      V at = ms_.target.math(b_, MathFn::Atan2, {bb, a});
      V phase = b_.CreateFMul(at, c);
      V has_im = b_.CreateFCmpUNE(d, zero);
      len = b_.CreateSelect(
          has_im, b_.CreateFDiv(len, ms_.target.math(b_, MathFn::Exp, {b_.CreateFMul(at, d)})),
          len);
      phase = b_.CreateSelect(
          has_im, b_.CreateFAdd(phase, b_.CreateFMul(d, ms_.target.math(b_, MathFn::Log, {vabs}))),
          phase);
      V pol_re = b_.CreateFMul(len, ms_.target.math(b_, MathFn::Cos, {phase}));
      V pol_im = b_.CreateFMul(len, ms_.target.math(b_, MathFn::Sin, {phase}));
      V base_zero = b_.CreateAnd(b_.CreateFCmpOEQ(a, zero), b_.CreateFCmpOEQ(bb, zero));
      V exp_zero = b_.CreateAnd(b_.CreateFCmpOEQ(c, zero), b_.CreateFCmpOEQ(d, zero));
      if (raise_errors)
        raise_if(b_.CreateAnd(base_zero, b_.CreateAnd(b_.CreateNot(exp_zero),
                                                      b_.CreateOr(b_.CreateFCmpUNE(d, zero),
                                                                  b_.CreateFCmpOLT(c, zero)))),
                 EMBER_EXC_ZeroDivisionError, "0.0 to a negative or complex power");
      re = b_.CreateSelect(integral, int_re, pol_re);
      im = b_.CreateSelect(integral, int_im, pol_im);
      re = b_.CreateSelect(base_zero, b_.CreateSelect(exp_zero, one, zero), re);
      im = b_.CreateSelect(base_zero, zero, im);
      re = b_.CreateSelect(exp_zero, one, re);
      im = b_.CreateSelect(exp_zero, zero, im);
      break;
    }
    default:
      unsupported(current_ ? current_->loc : SourceLoc{})
          << "the operator " << binop_symbol(kind) << " on complex numbers is not supported in "
          << "compiled code yet";
  }
  llvm::Type *t = dm_.scalar_type(k);
  V out = b_.CreateInsertValue(llvm::UndefValue::get(t), re, {0});
  return b_.CreateInsertValue(out, im, {1});
}

V FunctionLowerer::power_by_squaring(V x, uint64_t n) {
  // Over n's bits from the lowest: x^n in at most 2 log2(n) multiplies, in numba's order (so
  // its results are the same bits).
  bool is_fp = x->getType()->isFloatingPointTy();
  auto mul = [&](V a, V c) { return is_fp ? b_.CreateFMul(a, c) : b_.CreateMul(a, c); };
  V result = nullptr;
  for (V p = x; n; n >>= 1) {
    if (n & 1) result = result ? mul(result, p) : p;
    if (n > 1) p = mul(p, p);
  }
  if (result) return result;
  return is_fp ? llvm::ConstantFP::get(x->getType(), 1.0) : llvm::ConstantInt::get(x->getType(), 1);
}

V FunctionLowerer::constant_pow(V base, V exp, ScalarKind k, bool raise_errors,
                                bool array_element) {
  if (auto *c = llvm::dyn_cast<llvm::ConstantInt>(exp)) {
    if (!is_integer(k) || (is_signed(k) && c->isNegative())) return nullptr;  // see int_pow
    return power_by_squaring(base, is_signed(k) ? c->getSExtValue() : c->getZExtValue());
  }
  auto *c = llvm::dyn_cast<llvm::ConstantFP>(exp);
  if (!c || !is_float(k)) return nullptr;
  double e = c->getValueAPF().convertToDouble();
  llvm::Type *t = base->getType();
  if (e == 0.5) {
    V root = ms_.target.math(b_, MathFn::Sqrt, {base});
    if (array_element) return root;  // NumPy's fast path: np.sqrt, so sqrt(-0.0) is -0.0
    // pow()'s special cases (C99 F.9.4.4, which Python follows): (-0.0) ** 0.5 is +0.0 and
    // (-inf) ** 0.5 is +inf, where the square root gives -0.0 and NaN.
    V is_minus_inf = b_.CreateFCmpOEQ(base, llvm::ConstantFP::getInfinity(t, true));
    return b_.CreateSelect(is_minus_inf, llvm::ConstantFP::getInfinity(t),
                           ms_.target.math(b_, MathFn::Fabs, {root}));
  }
  if (e != std::trunc(e) || std::fabs(e) > kMaxMultipliedExponent) return nullptr;
  auto n = static_cast<uint64_t>(std::fabs(e));
  V power = power_by_squaring(base, n);
  if (e >= 0) return power;
  if (raise_errors)
    raise_if(b_.CreateFCmpOEQ(base, llvm::ConstantFP::get(t, 0.0)), EMBER_EXC_ZeroDivisionError,
             "0.0 cannot be raised to a negative power");
  return b_.CreateFDiv(llvm::ConstantFP::get(t, 1.0), power);
}

V FunctionLowerer::lower_complex_constructor(Value real, Value imag, TypeId to) {
  // real + imag * 1j, but a real argument contributes no zero part: complex(1.0, -0.0) keeps
  // its -0.0 imaginary part, as in CPython.
  TypeId part = types_.scalar(
      types_.scalar_kind(to) == ScalarKind::Complex64 ? ScalarKind::Float32 : ScalarKind::Float64);
  auto split = [&](Value v, V *re, V *im) {
    TypeId t = type(v);
    V x = get(v);
    if (!is_complex(types_.scalar_kind(t))) {
      *re = convert(x, t, part);
      *im = nullptr;
      return;
    }
    V c = convert(x, t, to);
    *re = b_.CreateExtractValue(c, {0});
    *im = b_.CreateExtractValue(c, {1});
  };
  V rr, ri, ir, ii;
  split(real, &rr, &ri);
  split(imag, &ir, &ii);
  V re = ii ? b_.CreateFSub(rr, ii) : rr;
  V im = ri ? b_.CreateFAdd(ir, ri) : ir;
  V out =
      b_.CreateInsertValue(llvm::UndefValue::get(dm_.scalar_type(types_.scalar_kind(to))), re, {0});
  return b_.CreateInsertValue(out, im, {1});
}

V FunctionLowerer::int_gcd(V a, V b) {
  // Euclid's algorithm on the magnitudes, unsigned, so that |INT64_MIN| is representable.
  llvm::Constant *zero = llvm::ConstantInt::get(i64_, 0);
  auto magnitude = [&](V v) {
    return b_.CreateSelect(b_.CreateICmpSLT(v, zero), b_.CreateNeg(v), v);
  };
  V x0 = magnitude(a), y0 = magnitude(b);
  llvm::BasicBlock *pre = b_.GetInsertBlock();
  auto *head = llvm::BasicBlock::Create(ctx_, "gcd.head", fn_);
  auto *body = llvm::BasicBlock::Create(ctx_, "gcd.body", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "gcd.done", fn_);
  b_.CreateBr(head);
  b_.SetInsertPoint(head);
  llvm::PHINode *x = b_.CreatePHI(i64_, 2), *y = b_.CreatePHI(i64_, 2);
  x->addIncoming(x0, pre);
  y->addIncoming(y0, pre);
  b_.CreateCondBr(b_.CreateICmpNE(y, zero), body, done);
  b_.SetInsertPoint(body);
  x->addIncoming(y, body);
  y->addIncoming(b_.CreateURem(x, y), body);
  b_.CreateBr(head);
  b_.SetInsertPoint(done);
  return x;
}

V FunctionLowerer::int_lcm(V a, V b) {
  // |a| / gcd * |b|; 0 when either is 0 (then the gcd may be 0 too).
  llvm::Constant *zero = llvm::ConstantInt::get(i64_, 0);
  V g = int_gcd(a, b);
  V either_zero = b_.CreateOr(b_.CreateICmpEQ(a, zero), b_.CreateICmpEQ(b, zero));
  V safe_g = b_.CreateSelect(either_zero, llvm::ConstantInt::get(i64_, 1), g);
  auto magnitude = [&](V v) {
    return b_.CreateSelect(b_.CreateICmpSLT(v, zero), b_.CreateNeg(v), v);
  };
  V l = b_.CreateMul(b_.CreateUDiv(magnitude(a), safe_g), magnitude(b));
  return b_.CreateSelect(either_zero, zero, l);
}

V FunctionLowerer::int_pow(V base, V exp, ScalarKind k) {
  llvm::Type *t = base->getType();
  llvm::Constant *zero = llvm::ConstantInt::get(t, 0), *one = llvm::ConstantInt::get(t, 1);
  llvm::BasicBlock *pre = b_.GetInsertBlock();
  auto *neg = llvm::BasicBlock::Create(ctx_, "pow.neg", fn_);
  auto *head = llvm::BasicBlock::Create(ctx_, "pow.head", fn_);
  auto *body = llvm::BasicBlock::Create(ctx_, "pow.body", fn_);
  auto *done = llvm::BasicBlock::Create(ctx_, "pow.done", fn_);
  V negative = is_signed(k) ? b_.CreateICmpSLT(exp, zero) : llvm::ConstantInt::getFalse(ctx_);
  b_.CreateCondBr(negative, neg, head);
  // A negative exponent: Numba's integer result, 1 / base**-exp truncated toward zero.
  b_.SetInsertPoint(neg);
  if (f_.flags.python_errors)  // also from array elements: NumPy raises here too
    raise_if(b_.CreateICmpEQ(base, zero), EMBER_EXC_ZeroDivisionError,
             "0 cannot be raised to a negative power");
  V odd = b_.CreateTrunc(exp, i1_);
  V minus_one = llvm::ConstantInt::get(t, static_cast<uint64_t>(-1), true);
  V neg_result = b_.CreateSelect(b_.CreateICmpEQ(base, one), one,
                                 b_.CreateSelect(b_.CreateICmpEQ(base, minus_one),
                                                 b_.CreateSelect(odd, minus_one, one), zero));
  llvm::BasicBlock *neg_end = b_.GetInsertBlock();
  b_.CreateBr(done);
  // Exponentiation by squaring.
  b_.SetInsertPoint(head);
  llvm::PHINode *acc = b_.CreatePHI(t, 2), *bs = b_.CreatePHI(t, 2), *e = b_.CreatePHI(t, 2);
  acc->addIncoming(one, pre);
  bs->addIncoming(base, pre);
  e->addIncoming(exp, pre);
  b_.CreateCondBr(b_.CreateICmpNE(e, zero), body, done);
  b_.SetInsertPoint(body);
  V bit = b_.CreateTrunc(e, i1_);
  V acc2 = b_.CreateSelect(bit, b_.CreateMul(acc, bs), acc);
  V bs2 = b_.CreateMul(bs, bs);
  V e2 = b_.CreateLShr(e, one);
  acc->addIncoming(acc2, body);
  bs->addIncoming(bs2, body);
  e->addIncoming(e2, body);
  b_.CreateBr(head);
  b_.SetInsertPoint(done);
  llvm::PHINode *result = b_.CreatePHI(t, 2);
  result->addIncoming(neg_result, neg_end);
  result->addIncoming(acc, head);
  return result;
}

V FunctionLowerer::lower_compare(CmpKind kind, V l, V r, TypeId operand) {
  const TypeData &od = types_.get(operand);
  if (od.kind == TypeKind::None) return llvm::ConstantInt::get(i1_, kind == CmpKind::Eq ? 1 : 0);
  internal_assert(od.kind == TypeKind::Scalar) << "compare on " << types_.to_string(operand);
  auto k = static_cast<ScalarKind>(od.a);
  if (is_complex(k)) {
    V eq = b_.CreateAnd(
        b_.CreateFCmpOEQ(b_.CreateExtractValue(l, {0}), b_.CreateExtractValue(r, {0})),
        b_.CreateFCmpOEQ(b_.CreateExtractValue(l, {1}), b_.CreateExtractValue(r, {1})));
    return kind == CmpKind::Eq ? eq : b_.CreateNot(eq);
  }
  if (is_float(k)) {
    switch (kind) {
      case CmpKind::Lt: return b_.CreateFCmpOLT(l, r);
      case CmpKind::Le: return b_.CreateFCmpOLE(l, r);
      case CmpKind::Eq: return b_.CreateFCmpOEQ(l, r);
      case CmpKind::Ne: return b_.CreateFCmpUNE(l, r);
      case CmpKind::Gt: return b_.CreateFCmpOGT(l, r);
      case CmpKind::Ge: return b_.CreateFCmpOGE(l, r);
    }
  }
  bool sgn = is_signed(k);
  switch (kind) {
    case CmpKind::Lt: return sgn ? b_.CreateICmpSLT(l, r) : b_.CreateICmpULT(l, r);
    case CmpKind::Le: return sgn ? b_.CreateICmpSLE(l, r) : b_.CreateICmpULE(l, r);
    case CmpKind::Eq: return b_.CreateICmpEQ(l, r);
    case CmpKind::Ne: return b_.CreateICmpNE(l, r);
    case CmpKind::Gt: return sgn ? b_.CreateICmpSGT(l, r) : b_.CreateICmpUGT(l, r);
    case CmpKind::Ge: return sgn ? b_.CreateICmpSGE(l, r) : b_.CreateICmpUGE(l, r);
  }
  return nullptr;
}

V FunctionLowerer::lower_mixed_compare(CmpKind kind, V l, TypeId lt, V r, TypeId rt) {
  if (types_.kind(lt) == TypeKind::NumberClass) {
    bool same = types_.get(lt).a == types_.get(rt).a;  // dtype(float64) == float, as in NumPy
    return llvm::ConstantInt::get(i1_, (kind == CmpKind::Eq) == same ? 1 : 0);
  }
  if (types_.kind(lt) == TypeKind::Optional) {
    l = convert(l, lt, types_.get(lt).elems[0]);
    lt = types_.get(lt).elems[0];
  }
  if (types_.kind(rt) == TypeKind::Optional) {
    r = convert(r, rt, types_.get(rt).elems[0]);
    rt = types_.get(rt).elems[0];
  }
  if (types_.kind(lt) == TypeKind::Unicode && types_.kind(rt) == TypeKind::Unicode)
    return compare_strings(kind, l, r);  // tuple elements
  if (types_.is_scalar(lt) && types_.is_scalar(rt)) {
    ScalarKind a = types_.scalar_kind(lt), b = types_.scalar_kind(rt);
    if (a == b) return lower_compare(kind, l, r, lt);
    if (!((a == ScalarKind::UInt64 && is_signed(b)) || (b == ScalarKind::UInt64 && is_signed(a)))) {
      TypeId p = types_.scalar(a == ScalarKind::Bool && b == ScalarKind::Bool ? a : promote(a, b));
      return lower_compare(kind, convert(l, lt, p), convert(r, rt, p), p);
    }
    // Exactly: a negative signed value is below every uint64; otherwise compare unsigned.
    bool left_unsigned = a == ScalarKind::UInt64;
    V s = left_unsigned ? convert(r, rt, types_.int64()) : convert(l, lt, types_.int64());
    V u = left_unsigned ? l : r;
    V negative = b_.CreateICmpSLT(s, llvm::ConstantInt::get(i64_, 0));
    TypeId ut = types_.scalar(ScalarKind::UInt64);
    V as_unsigned = left_unsigned ? lower_compare(kind, u, s, ut) : lower_compare(kind, s, u, ut);
    bool signed_is_smaller = !left_unsigned;  // the signed operand is on the left
    V when_negative = nullptr;
    switch (kind) {
      case CmpKind::Eq: when_negative = llvm::ConstantInt::getFalse(ctx_); break;
      case CmpKind::Ne: when_negative = llvm::ConstantInt::getTrue(ctx_); break;
      case CmpKind::Lt:
      case CmpKind::Le:
        when_negative = llvm::ConstantInt::get(i1_, signed_is_smaller ? 1 : 0);
        break;
      case CmpKind::Gt:
      case CmpKind::Ge:
        when_negative = llvm::ConstantInt::get(i1_, signed_is_smaller ? 0 : 1);
        break;
    }
    return b_.CreateSelect(negative, when_negative, as_unsigned);
  }
  // Tuples: equal when every element is; ordered by the first differing element.
  const auto &le = types_.get(lt).elems, &re = types_.get(rt).elems;
  size_t n = std::min(le.size(), re.size());
  auto elem = [&](V t, const std::vector<TypeId> &es, size_t k) {
    return from_memory(b_.CreateExtractValue(t, {static_cast<unsigned>(k)}), es[k]);
  };
  if (kind == CmpKind::Eq || kind == CmpKind::Ne) {
    V eq = llvm::ConstantInt::get(i1_, le.size() == re.size() ? 1 : 0);
    for (size_t k = 0; k < n && le.size() == re.size(); ++k)
      eq = b_.CreateAnd(
          eq, lower_mixed_compare(CmpKind::Eq, elem(l, le, k), le[k], elem(r, re, k), re[k]));
    return kind == CmpKind::Eq ? eq : b_.CreateNot(eq);
  }
  // Walk from the last element back: result = first differing element decides, else lengths.
  bool len_result;
  switch (kind) {
    case CmpKind::Lt: len_result = le.size() < re.size(); break;
    case CmpKind::Le: len_result = le.size() <= re.size(); break;
    case CmpKind::Gt: len_result = le.size() > re.size(); break;
    default: len_result = le.size() >= re.size(); break;
  }
  V result = llvm::ConstantInt::get(i1_, len_result ? 1 : 0);
  for (size_t k = n; k-- > 0;) {
    V a = elem(l, le, k), c = elem(r, re, k);
    V eq = lower_mixed_compare(CmpKind::Eq, a, le[k], c, re[k]);
    V strict = lower_mixed_compare(kind == CmpKind::Le   ? CmpKind::Lt
                                   : kind == CmpKind::Ge ? CmpKind::Gt
                                                         : kind,
                                   a, le[k], c, re[k]);
    result = b_.CreateSelect(eq, result, strict);
  }
  return result;
}

V FunctionLowerer::lower_unary(UnaryKind kind, V v, TypeId t) {
  if (kind == UnaryKind::Not) return b_.CreateNot(truth(v, t));
  TypeId u = t;
  auto k = types_.scalar_kind(u);
  switch (kind) {
    case UnaryKind::Pos: return v;
    case UnaryKind::Neg:
      if (is_complex(k)) {
        V out = b_.CreateInsertValue(v, b_.CreateFNeg(b_.CreateExtractValue(v, {0})), {0});
        return b_.CreateInsertValue(out, b_.CreateFNeg(b_.CreateExtractValue(v, {1})), {1});
      }
      return is_float(k) ? b_.CreateFNeg(v) : b_.CreateNeg(v);
    case UnaryKind::Invert: return b_.CreateNot(v);
    case UnaryKind::Not: break;
  }
  return nullptr;
}

V FunctionLowerer::lower_is(const InstData &d) {
  TypeId l = type(d.operands[0]), r = type(d.operands[1]);
  bool invert = d.imm != 0;
  TypeKind kl = types_.kind(l), kr = types_.kind(r);
  V result;
  if (kl == TypeKind::None && kr == TypeKind::None) {
    result = llvm::ConstantInt::getTrue(ctx_);
  } else {
    Value other = kl == TypeKind::None ? d.operands[1] : d.operands[0];
    TypeId ot = type(other);
    if (types_.kind(ot) == TypeKind::Optional)
      result =
          b_.CreateICmpEQ(b_.CreateExtractValue(get(other), {0}), llvm::ConstantInt::get(i8_, 0));
    else
      result = llvm::ConstantInt::getFalse(ctx_);
  }
  return invert ? b_.CreateNot(result) : result;
}

V FunctionLowerer::lower_contains(const InstData &d) {
  TypeId item = type(d.operands[0]);
  TypeId tup = type(d.operands[1]);
  const auto &elems = types_.get(tup).elems;
  V acc = llvm::ConstantInt::getFalse(ctx_);
  bool string_item = types_.is_string(item);
  V item_v = string_item ? string_value(d.operands[0]) : get(d.operands[0]);
  TypeId item_u = item;
  for (unsigned k = 0; k < elems.size(); ++k) {
    V e = from_memory(b_.CreateExtractValue(get(d.operands[1]), {k}), elems[k]);
    if (string_item || types_.kind(elems[k]) == TypeKind::Unicode) {
      if (string_item && types_.kind(elems[k]) == TypeKind::Unicode)
        acc = b_.CreateOr(acc, compare_strings(CmpKind::Eq, item_v, e));
      continue;  // a string never equals a number
    }
    TypeId iu = types_.kind(item_u) == TypeKind::Optional ? types_.get(item_u).elems[0] : item_u;
    if (!types_.is_scalar(iu) || !types_.is_scalar(elems[k])) continue;
    ScalarKind p = promote(types_.scalar_kind(iu), types_.scalar_kind(elems[k]));
    if (types_.scalar_kind(iu) == ScalarKind::Bool &&
        types_.scalar_kind(elems[k]) == ScalarKind::Bool)
      p = ScalarKind::Bool;
    TypeId pt = types_.scalar(p);
    V eq = lower_compare(CmpKind::Eq, convert(item_v, item, pt), convert(e, elems[k], pt), pt);
    acc = b_.CreateOr(acc, eq);
  }
  return d.imm ? b_.CreateNot(acc) : acc;
}

V FunctionLowerer::scalar_min_max(bool is_max, V a, V b, ScalarKind k) {
  // Python's min/max keep the first argument unless a later one is strictly smaller/larger.
  V better;
  if (is_complex(k)) return b_.CreateSelect(complex_takes(is_max, a, b), b, a);
  if (is_float(k))
    better = is_max ? b_.CreateFCmpOGT(b, a) : b_.CreateFCmpOLT(b, a);
  else if (is_signed(k))
    better = is_max ? b_.CreateICmpSGT(b, a) : b_.CreateICmpSLT(b, a);
  else
    better = is_max ? b_.CreateICmpUGT(b, a) : b_.CreateICmpULT(b, a);
  return b_.CreateSelect(better, b, a);
}

V FunctionLowerer::complex_takes(bool is_max, V a, V b) {
  // NumPy orders complex numbers by real part, then imaginary part; a NaN anywhere wins, the
  // first one seen first.
  V ar = b_.CreateExtractValue(a, {0}), ai = b_.CreateExtractValue(a, {1});
  V br = b_.CreateExtractValue(b, {0}), bi = b_.CreateExtractValue(b, {1});
  V better = is_max ? b_.CreateOr(b_.CreateFCmpOGT(br, ar),
                                  b_.CreateAnd(b_.CreateFCmpOEQ(br, ar), b_.CreateFCmpOGT(bi, ai)))
                    : b_.CreateOr(b_.CreateFCmpOLT(br, ar),
                                  b_.CreateAnd(b_.CreateFCmpOEQ(br, ar), b_.CreateFCmpOLT(bi, ai)));
  V a_nan = b_.CreateOr(b_.CreateFCmpUNO(ar, ar), b_.CreateFCmpUNO(ai, ai));
  V b_nan = b_.CreateOr(b_.CreateFCmpUNO(br, br), b_.CreateFCmpUNO(bi, bi));
  return b_.CreateAnd(b_.CreateNot(a_nan), b_.CreateOr(b_nan, better));
}

}  // namespace ember
