// Typing of the bit-generator builtins (ir/Builtins.def, "ember.npapi.bitgen"): the draws
// ember's np.random.Generator (ember/npapi/generator.py) makes from a NumPy BitGenerator.
// They are internal: the one argument is the integer address of the generator's bitgen_t,
// the result a uint64, uint32 or float64 draw (lowering/CodeGenBitgen.cpp).
#include "typeinfer/CallRules.h"

namespace ember {

bool is_bitgen_builtin(BuiltinId id) {
  switch (id) {
    case BuiltinId::BitgenNextUint64:
    case BuiltinId::BitgenNextUint32:
    case BuiltinId::BitgenNextDouble: return true;
    default: return false;
  }
}

const BuiltinSignature *bitgen_builtin_signature(BuiltinId id) {
  static const BuiltinSignature address{{"bitgen"}, 1, false};
  return is_bitgen_builtin(id) ? &address : nullptr;
}

TypeId type_bitgen_call(BuiltinCall &c) {
  TypeContext &types = c.types;
  ScalarKind result;
  switch (c.id) {
    case BuiltinId::BitgenNextUint64: result = ScalarKind::UInt64; break;
    case BuiltinId::BitgenNextUint32: result = ScalarKind::UInt32; break;
    case BuiltinId::BitgenNextDouble: result = ScalarKind::Float64; break;
    default: return TypeId{};
  }
  TypeId t = c.param(0);
  if (!types.is_scalar(t) || !is_integer(types.scalar_kind(t)))
    typing_error(c.cx.loc()) << c.name() << "() takes the integer address of a bitgen_t, not "
                             << types.to_string(t);
  return types.scalar(result);
}

}  // namespace ember
