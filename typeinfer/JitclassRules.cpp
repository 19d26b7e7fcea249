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

namespace {
/// The instance type of a GetAttr/SetAttr receiver: an optional instance (a linked node's
/// `next`) is used as the instance, as Numba does; MakeExplicit casts it, and the cast raises
/// TypeError when it holds None.
TypeId receiver_type(RuleContext &cx) {
  TypeId obj = cx.type(cx.inst.operands[0]);
  const TypeData &od = cx.types.get(obj);
  if (od.kind == TypeKind::Optional && cx.types.kind(od.elems[0]) == TypeKind::Instance)
    return od.elems[0];
  return obj;
}
}  // namespace

TypeId type_jitclass_getattr(RuleContext &cx, uint32_t *attr_id) {
  TypeContext &types = cx.types;
  TypeId obj = receiver_type(cx);
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
  TypeId obj = receiver_type(cx);
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

const char *jitclass_dunder(const InstData &d) {
  static const char *const binops[] = {"__add__",      "__sub__",    "__mul__",    "__truediv__",
                                       "__floordiv__", "__mod__",    "__pow__",    "__lshift__",
                                       "__rshift__",   "__and__",    "__or__",     "__xor__",
                                       "__matmul__"};
  static const char *const compares[] = {"__lt__", "__le__", "__eq__", "__ne__", "__gt__", "__ge__"};
  static const char *const unaries[] = {"__neg__", "__pos__", "__invert__", nullptr};
  switch (d.op) {
    case Op::BinOp: return binops[d.imm];
    case Op::Compare: return compares[d.imm];
    case Op::Unary: return unaries[d.imm];
    default: return nullptr;
  }
}

bool type_jitclass_operator(RuleContext &cx, TypeId *out) {
  TypeContext &types = cx.types;
  const InstData &d = cx.inst;
  std::string name;
  std::vector<TypeId> args;
  if (d.op == Op::Call) {  // len(obj)
    const TypeData &callee = types.get(cx.type(d.operands[0]));
    if (callee.kind != TypeKind::Builtin || static_cast<BuiltinId>(callee.a) != BuiltinId::Len ||
        d.operands.size() != 2 || types.kind(cx.type(d.operands[1])) != TypeKind::Instance)
      return false;
    name = "__len__";
    args = {cx.type(d.operands[1])};
  } else {
    for (Value v : d.operands) args.push_back(cx.type(v));
    bool any = false;
    for (TypeId t : args) any |= types.kind(t) == TypeKind::Instance;
    if (!any) return false;
    const char *dunder = jitclass_dunder(d);
    if (!dunder || types.kind(args[0]) != TypeKind::Instance)
      unsupported(cx.loc()) << "this operator on a jitclass instance is supported only with the "
                               "instance on the left, through its dunder method (__add__, "
                               "__lt__, __neg__, ...)";
    name = dunder;
  }
  for (TypeId t : args)
    if (t.unknown()) {  // typed on a later pass of the fixpoint
      *out = TypeId{};
      return true;
    }
  const ClassInfo &c = class_of(cx, args[0]);
  auto m = c.methods.find(name);
  if (d.op == Op::BinOp && d.imm2) {  // a += b: __iadd__ first, as Python
    auto in_place = c.methods.find("__i" + name.substr(2));
    if (in_place != c.methods.end()) m = in_place;
  }
  if (m == c.methods.end())
    typing_error(cx.loc()) << "jitclass " << c.name << " has no method " << name
                           << " for this operation";
  internal_assert(cx.resolver) << "no callee resolver";
  CalleeRef ref = cx.resolver->resolve(m->second, args, {}, cx.loc());
  if (ref.self)
    typing_error(cx.loc()) << "cannot type this call of " << c.name << "." << name
                           << ": it is recursive";
  if (cx.callee_out) *cx.callee_out = ref;
  *out = ref.result;
  return true;
}

}  // namespace ember
