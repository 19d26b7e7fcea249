// Typing of what a @cfunc (ember/ccallback.py) does with its C pointer arguments
// (TypeKind::Pointer): ember.carray(ptr, shape, dtype=None) and ember.farray(...) view the memory
// as a C- or Fortran-ordered array, borrowed like an argument (nothing owns it; the C caller keeps
// it alive for the call), and ptr[i] / ptr[i] = v read and write one element, as Numba's CPointer
// does.  A void pointer (types.voidptr) needs carray's dtype; a typed pointer's dtype, when given
// too, must agree.  Lowering: lowering/CodeGenCArray.cpp.
#include "ir/rules/IndexAnalysis.h"
#include "typeinfer/CallRules.h"

namespace ember {

const BuiltinSignature *cfunc_builtin_signature(BuiltinId id) {
  static const BuiltinSignature carray{{"ptr", "shape", "dtype"}, 2, false};
  if (id == BuiltinId::EmberCarray || id == BuiltinId::EmberFarray) return &carray;
  return nullptr;
}

TypeId type_carray_call(BuiltinCall &call) {
  if (call.id != BuiltinId::EmberCarray && call.id != BuiltinId::EmberFarray) return TypeId{};
  TypeContext &types = call.types;
  TypeId ptr = call.param(0);
  if (types.kind(ptr) != TypeKind::Pointer)
    typing_error(call.cx.loc()) << call.name() << "() takes a C pointer (a @cfunc's "
                                << "types.CPointer or types.voidptr argument), not "
                                << types.to_string(ptr);
  const TypeData &pd = types.get(ptr);
  bool is_void = pd.b != 0;
  auto pointee = static_cast<ScalarKind>(pd.a);
  if (is_void && !call.given(2))
    typing_error(call.cx.loc()) << call.name() << "() of a void pointer needs its dtype";
  ScalarKind dtype = call.dtype_param(2, pointee);
  if (!is_void && dtype != pointee)
    typing_error(call.cx.loc()) << call.name() << "(): dtype " << scalar_name(dtype)
                                << " does not match the pointer's " << types.to_string(ptr);
  int ndim = call.shape_ndim(call.param(1));
  Layout layout = call.id == BuiltinId::EmberFarray && ndim > 1 ? Layout::F : Layout::C;
  return types.array(dtype, ndim, layout);
}

namespace {
TypeId pointee_of(RuleContext &cx, TypeId ptr) {
  const TypeData &d = cx.types.get(ptr);
  if (d.b)
    typing_error(cx.loc()) << "a void pointer cannot be indexed: view it with "
                              "ember.carray(ptr, shape, dtype)";
  TypeId index = cx.type(cx.inst.operands[1]);
  if (!is_int_like(cx.types, index))
    typing_error(cx.loc()) << "a pointer's index is an integer, not " << cx.str(index);
  return cx.types.scalar(static_cast<ScalarKind>(d.a));
}
}  // namespace

TypeId type_pointer_getitem(RuleContext &cx) {
  return pointee_of(cx, cx.type(cx.inst.operands[0]));
}

void check_pointer_setitem(RuleContext &cx) {
  TypeId elem = pointee_of(cx, cx.type(cx.inst.operands[0]));
  TypeId v = cx.type(cx.inst.operands[2]);
  if (!cx.types.is_scalar(v))
    typing_error(cx.loc()) << "cannot store a " << cx.str(v) << " through a " << cx.str(elem)
                           << " pointer";
  if (is_complex(cx.types.scalar_kind(v)) && !is_complex(cx.types.scalar_kind(elem)))
    typing_error(cx.loc()) << "cannot store a complex value through a " << cx.str(elem)
                           << " pointer";
}

}  // namespace ember
