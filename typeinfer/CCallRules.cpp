// Typing of calls to C functions (ember/cfunctions.py): a ctypes or cffi function read from a
// global or closure variable is a TypeKind::CFunction carrying its address and C signature.
// Numbers convert to the parameter's C type as in an assignment; a pointer parameter takes a C
// pointer (a @cfunc's argument, `a.ctypes.data_as(ptr_type)`), an array of the pointee's dtype
// (its data, as Numba passes arrays to cffi functions) or an integer address (`a.ctypes.data`).
// `a.ctypes` itself is TypeKind::ArrayCTypes: `.data` is the address as uint64, `.data_as(T)`
// the data as the pointer type T (a ctypes pointer type frozen as a TypeRef).
// Lowering: lowering/CodeGenCCall.cpp.
#include "ir/rules/IndexAnalysis.h"
#include "typeinfer/CallRules.h"

namespace ember {

namespace {

/// Whether an argument of type arg may be passed for the C pointer parameter param.
bool passes_as_pointer(TypeContext &types, TypeId arg, TypeId param) {
  const TypeData &pd = types.get(param);
  bool to_void = pd.b != 0;
  auto pointee = static_cast<ScalarKind>(pd.a);
  switch (types.kind(arg)) {
    case TypeKind::Pointer: {
      const TypeData &ad = types.get(arg);
      return to_void || ad.b != 0 || static_cast<ScalarKind>(ad.a) == pointee;
    }
    case TypeKind::Array: return to_void || types.dtype(arg) == pointee;
    case TypeKind::Scalar:
      return is_int_like(types, arg) && types.scalar_kind(arg) != ScalarKind::Bool;
    default: return false;
  }
}

}  // namespace

TypeId type_cfunction_call(RuleContext &cx) {
  TypeContext &types = cx.types;
  std::vector<TypeId> sig = types.get(cx.type(cx.inst.operands[0])).elems;  // copied
  CallArgs args = call_args(cx.f, cx.inst);
  if (!args.kwnames.empty()) typing_error(cx.loc()) << "a C function takes no keyword arguments";
  size_t nparams = sig.size() - 1;
  if (args.values.size() != nparams)
    typing_error(cx.loc()) << "the C function " << types.to_string(cx.type(cx.inst.operands[0]))
                           << " takes " << nparams << " argument" << (nparams == 1 ? "" : "s")
                           << ", not " << args.values.size();
  for (size_t p = 0; p < nparams; ++p) {
    TypeId param = sig[p + 1], arg = cx.type(args.values[p]);
    bool ok = types.kind(param) == TypeKind::Pointer
                  ? passes_as_pointer(types, arg, param)
                  : types.is_scalar(arg) && !is_complex(types.scalar_kind(arg));
    if (!ok)
      typing_error(cx.loc()) << "argument " << p + 1 << " of a C function is a "
                             << types.to_string(param) << ", which a " << cx.str(arg)
                             << " cannot be passed as";
  }
  return sig[0];
}

TypeId type_array_ctypes_attr(RuleContext &cx, TypeId obj, const std::string &name, AttrId *attr) {
  TypeContext &types = cx.types;
  TypeId array = types.get(obj).elems[0];
  if (types.get(obj).a == 0 && name == "data") {
    *attr = AttrId::CTypesData;
    return types.scalar(ScalarKind::UInt64);
  }
  if (types.get(obj).a == 0 && name == "data_as") {
    *attr = AttrId::CTypesDataAs;
    return types.array_ctypes(array, true);
  }
  typing_error(cx.loc()) << "a.ctypes." << name << " is not supported in compiled code "
                         << "(data and data_as(pointer type) are)";
  return types.unknown();
}

TypeId type_data_as_call(RuleContext &cx) {
  TypeContext &types = cx.types;
  CallArgs args = call_args(cx.f, cx.inst);
  TypeId t = args.values.size() == 1 && args.kwnames.empty() ? cx.type(args.values[0]) : TypeId{};
  TypeId ptr = !t.unknown() && types.kind(t) == TypeKind::TypeRef ? types.get(t).elems[0] : t;
  if (t.unknown() || types.kind(t) != TypeKind::TypeRef || types.kind(ptr) != TypeKind::Pointer)
    typing_error(cx.loc()) << "a.ctypes.data_as() takes one ctypes pointer type "
                              "(ctypes.POINTER(ctypes.c_double), ctypes.c_void_p), read from a "
                              "global or closure variable";
  return ptr;
}

}  // namespace ember
