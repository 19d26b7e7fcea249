// Complex ufuncs on one element: np.abs (hypot of the parts), np.isnan/isinf/isfinite (of
// either part), np.conjugate, and the transcendental ones through the runtime's
// ember_complex_fn (glibc's C99 complex functions, as NumPy uses), so branch cuts match NumPy.
// Shared by scalar calls (lower_math) and array expressions (element_op).
#include "ember/numeric.h"
#include "ir/Error.h"
#include "lowering/FunctionLowerer.h"
#include "lowering/MathFn.h"
#include "lowering/RuntimeFn.h"

namespace ember {

using V = llvm::Value *;

namespace {

ember_complex_fn_code complex_fn_code(BuiltinId id) {
  switch (id) {
    case BuiltinId::NpSqrt: return EMBER_CFN_SQRT;
    case BuiltinId::NpExp: return EMBER_CFN_EXP;
    case BuiltinId::NpLog: return EMBER_CFN_LOG;
    case BuiltinId::NpLog2: return EMBER_CFN_LOG2;
    case BuiltinId::NpLog10: return EMBER_CFN_LOG10;
    case BuiltinId::NpLog1p: return EMBER_CFN_LOG1P;
    case BuiltinId::NpExpm1: return EMBER_CFN_EXPM1;
    case BuiltinId::NpSin: return EMBER_CFN_SIN;
    case BuiltinId::NpCos: return EMBER_CFN_COS;
    case BuiltinId::NpTan: return EMBER_CFN_TAN;
    case BuiltinId::NpArcsin: return EMBER_CFN_ARCSIN;
    case BuiltinId::NpArccos: return EMBER_CFN_ARCCOS;
    case BuiltinId::NpArctan: return EMBER_CFN_ARCTAN;
    case BuiltinId::NpSinh: return EMBER_CFN_SINH;
    case BuiltinId::NpCosh: return EMBER_CFN_COSH;
    case BuiltinId::NpTanh: return EMBER_CFN_TANH;
    default: internal_error << "no complex function for " << builtin_info(id).attr;
  }
  return EMBER_CFN_SQRT;
}

}  // namespace

V FunctionLowerer::complex_ufunc(BuiltinId id, V z, ScalarKind k) {
  V re = b_.CreateExtractValue(z, {0}), im = b_.CreateExtractValue(z, {1});
  switch (id) {
    case BuiltinId::Abs:
    case BuiltinId::NpAbsolute: return ms_.target.math(b_, MathFn::Hypot, {re, im});
    case BuiltinId::NpConjugate: return b_.CreateInsertValue(z, b_.CreateFNeg(im), {1});
    case BuiltinId::NpIsnan: return b_.CreateOr(b_.CreateFCmpUNO(re, re), b_.CreateFCmpUNO(im, im));
    case BuiltinId::NpIsinf:
    case BuiltinId::NpIsfinite: {
      V inf = llvm::ConstantFP::getInfinity(re->getType());
      V ar = ms_.target.math(b_, MathFn::Fabs, {re}), ai = ms_.target.math(b_, MathFn::Fabs, {im});
      if (id == BuiltinId::NpIsinf)
        return b_.CreateOr(b_.CreateFCmpOEQ(ar, inf), b_.CreateFCmpOEQ(ai, inf));
      return b_.CreateAnd(b_.CreateFCmpOLT(ar, inf), b_.CreateFCmpOLT(ai, inf));
    }
    default: break;
  }
  bool single = k == ScalarKind::Complex64;
  if (single) {
    re = b_.CreateFPExt(re, f64_);
    im = b_.CreateFPExt(im, f64_);
  }
  V out = entry_alloca(llvm::ArrayType::get(f64_, 2), "complex.out");
  b_.CreateCall(runtime(RuntimeFn::ComplexFn),
                {llvm::ConstantInt::get(i32_, complex_fn_code(id)), re, im, out});
  V rr = b_.CreateLoad(f64_, out);
  V ri = b_.CreateLoad(f64_, b_.CreateConstInBoundsGEP1_64(f64_, out, 1));
  if (single) {
    rr = b_.CreateFPTrunc(rr, z->getType()->getStructElementType(0));
    ri = b_.CreateFPTrunc(ri, z->getType()->getStructElementType(0));
  }
  return b_.CreateInsertValue(b_.CreateInsertValue(z, rr, {0}), ri, {1});
}

}  // namespace ember
