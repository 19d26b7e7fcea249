// round(x, ndigits) and pow(base, exp, mod) as Python computes them.  A float is rounded
// correctly by the runtime (runtime/PyNumbers.cpp) where the target has one; elsewhere (GPU
// targets) it is scaled by an exact power of ten (a table up to 1e22, beyond which pow() is
// used), rounded half to even and scaled back, as CPython's fallback algorithm and Numba do,
// which differs when the scaled value rounds (round(2.675, 2) gives 2.68 there, 2.67 in
// Python).  An int with a negative ndigits is rounded half to even at 10**-ndigits in integer
// arithmetic (Python's int.__round__), and kept with ndigits >= 0.
#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

llvm::Value *FunctionLowerer::exact_powers_of_ten(llvm::Type *fp) {
  std::string name = fp->isFloatTy() ? "ember.pow10.f32" : "ember.pow10.f64";
  if (llvm::GlobalVariable *gv = ms_.module.getGlobalVariable(name, true)) return gv;
  std::vector<llvm::Constant *> values;
  double v = 1.0;
  for (int k = 0; k <= 22; ++k, v *= 10.0) values.push_back(llvm::ConstantFP::get(fp, v));
  auto *at = llvm::ArrayType::get(fp, values.size());
  return new llvm::GlobalVariable(ms_.module, at, true, llvm::GlobalValue::PrivateLinkage,
                                  llvm::ConstantArray::get(at, values), name);
}

llvm::Value *FunctionLowerer::round_int_digits(V x, Value ndigits) {
  V nd = convert(get(ndigits), type(ndigits), types_.int64());
  auto c = [&](int64_t v) { return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(v), true); };
  // 10**k for k = -nd in [1, 18]; from 19 on every int64 rounds to 0.
  std::vector<llvm::Constant *> powers;
  int64_t p10 = 1;
  for (int k = 0; k <= 18; ++k) {
    powers.push_back(c(p10));
    if (k < 18) p10 *= 10;
  }
  auto *at = llvm::ArrayType::get(i64_, powers.size());
  auto *table = new llvm::GlobalVariable(ms_.module, at, true, llvm::GlobalValue::PrivateLinkage,
                                         llvm::ConstantArray::get(at, powers), "ember.pow10.i64");
  V k = b_.CreateNeg(nd);
  V in_range = b_.CreateAnd(b_.CreateICmpSGT(k, c(0)), b_.CreateICmpSLE(k, c(18)));
  V idx = b_.CreateSelect(in_range, k, c(0));
  V p = b_.CreateLoad(i64_, b_.CreateGEP(at, table, {c(0), idx}));
  V r = b_.CreateSRem(x, p);
  r = b_.CreateSelect(b_.CreateICmpSLT(r, c(0)), b_.CreateAdd(r, p), r);  // Python's x % p
  V base = b_.CreateSub(x, r);                                            // floor to p
  V twice = b_.CreateShl(r, c(1));
  V odd = b_.CreateICmpNE(b_.CreateAnd(b_.CreateSDiv(base, p), c(1)), c(0));
  V up = b_.CreateOr(b_.CreateICmpSGT(twice, p), b_.CreateAnd(b_.CreateICmpEQ(twice, p), odd));
  V rounded = b_.CreateSelect(up, b_.CreateAdd(base, p), base);
  V keep = b_.CreateICmpSGE(nd, c(0));
  return b_.CreateSelect(keep, x, b_.CreateSelect(in_range, rounded, c(0)));
}

llvm::Value *FunctionLowerer::pow_mod(V base, V exp, V mod) {
  auto c = [&](int64_t v) { return llvm::ConstantInt::get(i64_, static_cast<uint64_t>(v), true); };
  raise_if(b_.CreateICmpEQ(mod, c(0)), EMBER_EXC_ValueError, "pow() 3rd argument cannot be 0");
  raise_if(b_.CreateICmpSLT(exp, c(0)), EMBER_EXC_ValueError,
           "pow() with a negative exponent and a modulus (a modular inverse) is not supported "
           "in compiled code");
  return b_.CreateCall(runtime(RuntimeFn::PowMod), {base, exp, mod});  // 128-bit products
}

}  // namespace ember
