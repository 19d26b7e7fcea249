// Typing of view_of (ir/Builtins.def, "ember.npapi.viewof"): the one primitive that makes a
// view of an array's data with a given shape, strides (in bytes), byte offset, dtype, layout
// and read-only-ness.  ember's np.broadcast_to, broadcast_arrays, as_strided,
// sliding_window_view, a.real / a.imag and a.view(dtype) (ember/npapi/views.py) are written
// on it.  It is internal: its callers compute shapes and strides that stay inside the parent's
// buffer, and claim a C or F layout only where the strides make it true; the checks here keep
// a wrong call from compiling, not a wrong geometry from running.
#include "typeinfer/CallRules.h"

namespace ember {

const BuiltinSignature *view_builtin_signature(BuiltinId id) {
  static const BuiltinSignature view_of{
      {"a", "shape", "strides", "offset", "dtype", "layout", "readonly"}, 7, false};
  return id == BuiltinId::ViewOf ? &view_of : nullptr;
}

TypeId type_view_of(BuiltinCall &c) {
  TypeContext &types = c.types;
  SourceLoc loc = c.cx.loc();
  TypeId a = c.param(0);
  if (!types.is_array(a))
    typing_error(loc) << c.name() << "() takes an array, not " << types.to_string(a);
  TypeId shape = c.param(1), strides = c.param(2);
  auto int_tuple = [&](TypeId t) {
    if (types.kind(t) != TypeKind::Tuple) return false;
    for (TypeId e : types.get(t).elems)
      if (!c.is_int_like(e)) return false;
    return true;
  };
  if (!int_tuple(shape) || !int_tuple(strides) ||
      types.get(shape).elems.size() != types.get(strides).elems.size())
    typing_error(loc) << c.name() << "() takes a shape and strides as tuples of ints of one "
                      << "length, not " << types.to_string(shape) << " and "
                      << types.to_string(strides);
  if (!c.is_int_like(c.param(3)))
    typing_error(loc) << c.name() << "(): the offset is an int, not "
                      << types.to_string(c.param(3));
  ScalarKind dtype = c.dtype_param(4, types.dtype(a));
  TypeId lt = c.param(5);
  const std::string *text =
      types.kind(lt) == TypeKind::Str ? &types.string(types.get(lt).a) : nullptr;
  if (!text || (*text != "C" && *text != "F" && *text != "A"))
    typing_error(loc) << c.name() << "(): the layout is the constant 'C', 'F' or 'A', not "
                      << types.to_string(lt);
  Layout layout = *text == "C" ? Layout::C : *text == "F" ? Layout::F : Layout::A;
  int64_t readonly = 0;
  if (!c.const_param(6, &readonly))
    typing_error(loc) << c.name() << "(): readonly is a constant True or False";
  // A view of a read-only array is read-only whatever the caller asks.
  return types.array(dtype, static_cast<int>(types.get(shape).elems.size()), layout,
                     readonly != 0 || types.readonly(a));
}

}  // namespace ember
