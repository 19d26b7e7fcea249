// Attributes and methods users give ember's types from Python: Numba's @overload_method and
// @overload_attribute (ember/extending.py).  Built-in attributes come first (type_getattr);
// only where it finds none is the front end asked, through the callee resolver, whether an
// overload exists for (the value's type, the name).  A method is typed as a closure of the
// overload's implementation holding the receiver, so the call that follows resolves like a
// call of an inner function, receiver first; an attribute is resolved here as a call of its
// implementation with the receiver, recorded as the instruction's callee.
// Lowering: lowering/CodeGenUserAttr.cpp.
#include "typeinfer/InferTypes.h"
#include "typeinfer/TypeRules.h"

namespace ember {

TypeId type_getattr_or_user(RuleContext &cx, uint32_t *attr_id) {
  TypeId obj = cx.type(cx.inst.operands[0]);
  // Compile-time values (modules, builtins, classes) have no user attributes.
  if (!cx.resolver || cx.types.is_compile_time(obj)) return type_getattr(cx, attr_id);
  try {
    return type_getattr(cx, attr_id);
  } catch (const CompileError &) {
    const std::string &name = cx.f.names[static_cast<size_t>(cx.inst.imm)];
    UserAttribute user = cx.resolver->lookup_attribute(obj, name, cx.loc());
    switch (user.kind) {
      case UserAttribute::Kind::None: throw;  // the built-in rule's error stands
      case UserAttribute::Kind::Method:
        *attr_id = static_cast<uint32_t>(AttrId::UserMethod);
        return cx.types.closure(user.handle, {obj});
      case UserAttribute::Kind::Attribute: {
        *attr_id = static_cast<uint32_t>(AttrId::UserAttribute);
        CalleeRef ref = cx.resolver->resolve(user.handle, {obj}, {}, cx.loc());
        internal_assert(!ref.self) << "an @overload_attribute implementation being compiled";
        if (cx.callee_out) *cx.callee_out = ref;
        return ref.result;
      }
    }
    throw;
  }
}

}  // namespace ember
