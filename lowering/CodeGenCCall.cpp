// Lowering of calls to C functions (typeinfer/CCallRules.cpp): the address frozen in the
// CFunction type becomes a constant pointer, called indirectly with the C signature and the
// calling convention's extension attributes (integers narrower than int are sign- or
// zero-extended, bool is a zero-extended i1, as lowering/CFuncEntry.cpp gives a @cfunc).  A
// pointer parameter gets a C pointer as is, an array's data, or an integer address converted
// with inttoptr.  `a.ctypes` is the array struct; `.data` its data pointer as an integer.
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

V FunctionLowerer::lower_ctypes_data(V array) {
  return b_.CreatePtrToInt(b_.CreateExtractValue(array, {DataModel::kData}), i64_);
}

V FunctionLowerer::lower_data_as(const InstData &d) {
  return b_.CreateExtractValue(get(d.operands[0]), {DataModel::kData});
}

V FunctionLowerer::lower_cfunction_call(const InstData &d) {
  const TypeData &cd = types_.get(type(d.operands[0]));
  std::vector<TypeId> sig = cd.elems;
  TypeId result = sig[0];
  auto ext_of = [&](TypeId t) {
    if (!types_.is_scalar(t)) return llvm::Attribute::None;
    ScalarKind k = types_.scalar_kind(t);
    if (k == ScalarKind::Bool) return llvm::Attribute::ZExt;
    llvm::Type *st = dm_.scalar_type(k);
    if (st->isIntegerTy() && st->getIntegerBitWidth() < 32)
      return is_signed(k) ? llvm::Attribute::SExt : llvm::Attribute::ZExt;
    return llvm::Attribute::None;
  };
  auto c_type = [&](TypeId t) -> llvm::Type * {
    if (types_.kind(t) == TypeKind::None) return llvm::Type::getVoidTy(b_.getContext());
    if (types_.kind(t) == TypeKind::Pointer) return ptr_;
    return vt(t);  // a number; bool is an i1
  };
  std::vector<llvm::Type *> params;
  std::vector<V> args;
  for (size_t p = 1; p < sig.size(); ++p) {
    TypeId pt = sig[p], at = type(d.operands[p]);
    V v = get(d.operands[p]);
    if (types_.kind(pt) == TypeKind::Pointer) {
      if (types_.kind(at) == TypeKind::Array)
        v = b_.CreateExtractValue(v, {DataModel::kData});
      else if (types_.kind(at) == TypeKind::Scalar)
        v = b_.CreateIntToPtr(convert(v, at, types_.int64()), ptr_);
    }
    params.push_back(c_type(pt));
    args.push_back(v);
  }
  auto *ft = llvm::FunctionType::get(c_type(result), params, false);
  V callee = cd.handle
                 ? llvm::ConstantExpr::getIntToPtr(llvm::ConstantInt::get(i64_, cd.handle), ptr_)
                 : get(d.operands[0]);  // passed as an argument: its address
  llvm::CallInst *call = b_.CreateCall(ft, callee, args);
  for (size_t p = 1; p < sig.size(); ++p) {
    llvm::Attribute::AttrKind ext = ext_of(sig[p]);
    if (ext != llvm::Attribute::None) call->addParamAttr(static_cast<unsigned>(p - 1), ext);
  }
  if (ext_of(result) != llvm::Attribute::None) call->addRetAttr(ext_of(result));
  if (types_.kind(result) == TypeKind::None) {
    llvm::Type *none = vt(result);
    return none ? llvm::Constant::getNullValue(none) : nullptr;
  }
  return call;
}

}  // namespace ember
