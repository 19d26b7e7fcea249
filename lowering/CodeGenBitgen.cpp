// The bit-generator builtins of ember's np.random.Generator (typeinfer/BitgenRules.cpp): one
// draw is an indirect call through the generator's bitgen_t, as NumPy's own C code makes it.
// The argument is the struct's address; its layout is NumPy's (numpy/random/bitgen.h):
//   { void *state; uint64_t (*next_uint64)(void *); uint32_t (*next_uint32)(void *);
//     double (*next_double)(void *); uint64_t (*next_raw)(void *); }
// Nothing is cached across draws: the callee advances the state the Python object holds.
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

V FunctionLowerer::lower_bitgen(const InstData &d, BuiltinId id) {
  unsigned slot;  // the function pointer's index in bitgen_t (the state is slot 0)
  llvm::Type *result;
  switch (id) {
    case BuiltinId::BitgenNextUint64: slot = 1, result = i64_; break;
    case BuiltinId::BitgenNextUint32: slot = 2, result = i32_; break;
    case BuiltinId::BitgenNextDouble: slot = 3, result = f64_; break;
    default: internal_error << "not a bit-generator builtin";
  }
  V address = convert(get(d.operands[1]), type(d.operands[1]), types_.int64());
  V bitgen = b_.CreateIntToPtr(address, ptr_);
  V state = b_.CreateLoad(ptr_, bitgen, "bitgen.state");
  V fn_slot = b_.CreateConstGEP1_64(ptr_, bitgen, slot);
  V fn = b_.CreateLoad(ptr_, fn_slot, "bitgen.next");
  auto *fn_type = llvm::FunctionType::get(result, {ptr_}, false);
  return b_.CreateCall(fn_type, fn, {state});
}

}  // namespace ember
