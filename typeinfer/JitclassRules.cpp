// Typing of @jitclass classes and instances (ember/jitclasses.py registers each class's fields
// and compiled methods in the TypeContext, ClassInfo in ir/Types.h).  A field read has the
// field's type; a method read is a Closure of the method's jitted function capturing the
// instance, so `obj.m(x)` is typed and lowered as any closure call (the instance first); a
// property read is a call of its getter, resolved here; `Cls(args)` types __init__ with the new
// instance first.  A store must convert to the field's type: a wrong type or an unknown
// attribute is a TypingError at the user's line, naming the class.
#include "typeinfer/InferTypes.h"
#include "typeinfer/TypeRules.h"

namespace ember {

namespace {
const ClassInfo &class_of(RuleContext &cx, TypeId t) {
  const ClassInfo *c = cx.types.class_info(cx.types.get(t).handle);
  internal_assert(c) << "jitclass " << cx.types.get(t).handle << " was never defined";
  return *c;
}
}  // namespace

TypeId type_jitclass_getattr(RuleContext &cx, uint32_t *attr_id) {
  TypeContext &types = cx.types;
  TypeId obj = cx.type(cx.inst.operands[0]);
  const std::string &name = cx.f.names[static_cast<size_t>(cx.inst.imm)];
  const ClassInfo &c = class_of(cx, obj);
  auto set = [&](AttrId a) { *attr_id = static_cast<uint32_t>(a); };
  auto stat = c.static_methods.find(name);
  if (types.kind(obj) == TypeKind::JitClass) {
    if (stat == c.static_methods.end())
      typing_error(cx.loc()) << "jitclass " << c.name << " has no static method '" << name
                             << "' (compiled code reads only static methods from the class)";
    set(AttrId::JitclassStatic);
    return types.dispatcher(stat->second);
  }
  int k = c.field(name);
  if (k >= 0) {
    set(AttrId::JitclassField);
    return c.field_types[static_cast<size_t>(k)];
  }
  auto m = c.methods.find(name);
  if (m != c.methods.end()) {
    set(AttrId::JitclassMethod);
    return types.closure(m->second, {obj});
  }
  if (stat != c.static_methods.end()) {
    set(AttrId::JitclassStatic);
    return types.dispatcher(stat->second);
  }
  auto g = c.getters.find(name);
  if (g != c.getters.end()) {
    set(AttrId::JitclassProperty);
    internal_assert(cx.resolver) << "no callee resolver";
    CalleeRef ref = cx.resolver->resolve(g->second, {obj}, {}, cx.loc());
    if (ref.self)
      typing_error(cx.loc()) << "the property '" << name << "' of jitclass " << c.name
                             << " reads itself";
    if (cx.callee_out) *cx.callee_out = ref;
    return ref.result;
  }
  typing_error(cx.loc()) << "jitclass " << c.name << " has no attribute '" << name << "'";
}

void check_jitclass_setattr(RuleContext &cx) {
  TypeContext &types = cx.types;
  TypeId obj = cx.type(cx.inst.operands[0]);
  TypeId value = cx.type(cx.inst.operands[1]);
  const std::string &name = cx.f.names[static_cast<size_t>(cx.inst.imm)];
  if (types.kind(obj) != TypeKind::Instance)
    unsupported(cx.loc()) << "setting the attribute '" << name << "' of a " << cx.str(obj)
                          << " is not supported in compiled code";
  const ClassInfo &c = class_of(cx, obj);
  int k = c.field(name);
  if (k < 0) {
    if (c.getters.count(name))
      unsupported(cx.loc()) << "setting the property '" << name << "' of jitclass " << c.name
                            << " is supported from Python only; assign its field instead";
    typing_error(cx.loc()) << "jitclass " << c.name << " has no field '" << name << "'";
  }
  TypeId ft = c.field_types[static_cast<size_t>(k)];
  if (value.unknown()) return;  // typed on a later pass of the fixpoint
  if (!can_convert(types, value, ft))
    typing_error(cx.loc()) << "cannot assign a " << cx.str(value) << " to the field '" << name
                           << "' of jitclass " << c.name << ", which is a " << cx.str(ft);
}

TypeId type_jitclass_new(RuleContext &cx) {
  TypeContext &types = cx.types;
  uint64_t id = types.get(cx.type(cx.inst.operands[0])).handle;
  const ClassInfo &c = class_of(cx, cx.type(cx.inst.operands[0]));
  TypeId instance = types.instance(id);
  TypeId r = type_compiled_call(cx, c.init, {instance});
  if (r.unknown()) return r;  // an argument's type is not known yet
  if (types.kind(r) != TypeKind::None)
    typing_error(cx.loc()) << c.name << ".__init__ must return None, not " << cx.str(r);
  return instance;
}

}  // namespace ember
