// Attributes a user's @overload_method / @overload_attribute gives a type (ember/extending.py,
// typed in typeinfer/UserAttrRules.cpp).  A method is a closure holding the receiver, so the
// call that follows passes it first to the overload's implementation, as a call of an inner
// function passes its captured values; an attribute is that call made at once.
#include "lowering/FunctionLowerer.h"

namespace ember {

using V = llvm::Value *;

V FunctionLowerer::lower_user_attribute(const InstData &d) {
  TypeId t = type(d.operands[0]);
  V obj = get(d.operands[0]);
  if (static_cast<AttrId>(d.aux) == AttrId::UserMethod) {
    // The closure's struct of one captured value; a new owner of what the receiver holds.
    TypeId ct = type(d.result);
    V closure = llvm::UndefValue::get(mt(ct));
    if (vt(t)) {
      closure = b_.CreateInsertValue(closure, to_memory(obj, t), {0});
      incref(obj, t);
    }
    return closure;
  }
  V arg = obj ? obj : llvm::ConstantInt::get(i8_, 0);
  return call_compiled(f_.callees[static_cast<size_t>(d.imm2)], {arg}, type(d.result));
}

}  // namespace ember
