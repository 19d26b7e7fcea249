// Calls of first-class functions (TypeKind::FunctionPtr, ember.types.FunctionType(sig)): the
// callee is known only at run time, so the call is typed by the signature alone.  Arguments
// convert to the parameter types as they would for a jitted function with that signature;
// anything else is a TypingError at the call's line (lowering/CodeGenFunctionPtr.cpp makes the
// indirect call).
#include "typeinfer/TypeRules.h"

namespace ember {

TypeId type_function_ptr_call(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId fn = cx.type(cx.inst.operands[0]);
  std::vector<TypeId> sig = types.get(fn).elems;  // copied: typing interns more types
  size_t nargs = cx.inst.operands.size() - 1, nparams = sig.size() - 1;
  if (cx.inst.imm >= 0)
    unsupported(cx.loc()) << "keyword arguments in a call of a " << types.to_string(fn)
                          << " (a function known only at run time) are not supported";
  if (nargs != nparams)
    typing_error(cx.loc()) << "this " << types.to_string(fn) << " takes " << nparams
                           << " argument(s), not " << nargs;
  for (size_t k = 0; k < nargs; ++k) {
    TypeId a = cx.type(cx.inst.operands[k + 1]), p = sig[k + 1];
    bool ok = a == p || (types.is_scalar(a) && types.is_scalar(p)) ||
              (types.kind(a) == TypeKind::Str && types.kind(p) == TypeKind::Unicode);
    if (!ok)
      typing_error(cx.loc()) << "argument " << k + 1 << " of this " << types.to_string(fn)
                             << " must be " << types.to_string(p) << ", not " << types.to_string(a);
  }
  return sig[0];
}

}  // namespace ember
