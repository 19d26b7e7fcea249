// Reading a caught exception (`except E as e`): e.args, a tuple typed from the raise sites the
// handler catches (typeinfer/CaughtArgs.cpp), is converted from the error record by the runtime
// (runtime/CaughtException.cpp), which refuses a record of another shape (an exception raised
// by a NumPy function or a bounds check, whose args are its message); str(e) is formatted by the
// runtime as Python formats it.  The caught value is the error record itself (DataModel).
#include <vector>

#include "ember/abi.h"
#include "lowering/FunctionLowerer.h"

namespace ember {

llvm::Value *FunctionLowerer::lower_caught_args(const InstData &d) {
  TypeId t = type(d.result);
  std::vector<int64_t> code;
  internal_assert(types_.to_code(t, &code)) << "no type code for " << types_.to_string(t);
  auto *init = llvm::ConstantDataArray::get(
      ctx_, llvm::ArrayRef<uint64_t>(reinterpret_cast<const uint64_t *>(code.data()), code.size()));
  auto *gv = new llvm::GlobalVariable(ms_.module, init->getType(), true,
                                      llvm::GlobalValue::PrivateLinkage, init, "ember.args.code");
  V record = entry_alloca(dm_.error_type(), "caught");
  b_.CreateStore(get(d.operands[0]), record);
  V out = entry_alloca(mt(t), "caught.args");
  V status = b_.CreateCall(runtime(RuntimeFn::ExcReadArgs),
                           {record, gv, llvm::ConstantInt::get(i64_, code.size()), out});
  raise_if(b_.CreateICmpNE(status, llvm::ConstantInt::get(i32_, 0)), EMBER_EXC_TypeError,
           "e.args: the caught exception's arguments are not the " + types_.to_string(t) +
               " its handler was typed with (from the raise sites it catches)");
  return b_.CreateLoad(mt(t), out);
}

llvm::Value *FunctionLowerer::caught_exception_str(V caught) {
  V record = entry_alloca(dm_.error_type(), "caught");
  b_.CreateStore(caught, record);
  return checked_string(b_.CreateCall(runtime(RuntimeFn::ExcStr), {record}), "str()");
}

}  // namespace ember
