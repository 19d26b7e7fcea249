// isinstance(x, cls) from types (Isinstance.h).  Python's class relations on the values
// compiled code holds: bool is an int; int64 values are Python ints and float64 ones Python
// floats (NumPy's float64 subclasses float; its integer scalars are not ints in Python, but
// compiled code cannot tell them from ints, so every integer type counts, as in Numba).
#include "ir/rules/Isinstance.h"

#include "ir/Builtins.h"

namespace ember {

namespace {

bool one_class(const TypeContext &types, TypeId value, TypeId cls, bool *known) {
  const TypeData &c = types.get(cls);
  TypeId v = value;
  switch (c.kind) {
    case TypeKind::NumberClass: {
      if (!types.is_scalar(v)) return false;
      ScalarKind vk = types.scalar_kind(v), ck = static_cast<ScalarKind>(c.a);
      if (!c.b) return vk == ck;  // np.float32 and the like: that exact type
      if (ck == ScalarKind::Bool) return vk == ScalarKind::Bool;
      if (is_integer(ck)) return is_integer(vk) || vk == ScalarKind::Bool;
      if (is_float(ck)) return is_float(vk);
      return is_complex(vk);
    }
    case TypeKind::Builtin:
      switch (static_cast<BuiltinId>(c.a)) {
        case BuiltinId::Str: return types.is_string(v);
        case BuiltinId::List: return types.kind(v) == TypeKind::List;
        case BuiltinId::Dict: return types.kind(v) == TypeKind::Dict;
        case BuiltinId::Set: return types.kind(v) == TypeKind::Set;
        default: break;
      }
      break;
    case TypeKind::Tuple: {
      bool any = false;
      for (TypeId e : c.elems) any = one_class(types, value, e, known) || any;
      return any;
    }
    default: break;
  }
  *known = false;
  return false;
}

}  // namespace

bool isinstance_of(const TypeContext &types, TypeId value, TypeId cls, bool *known) {
  *known = true;
  return one_class(types, value, cls, known);
}

}  // namespace ember
