// Typing of `with ember.objmode(name="type", ...)` blocks.  The front end (ember/_objmode.py)
// rewrites each block into `outputs = call(block id, output type code, (inputs...))`: the
// outputs' type comes from the annotations, as a constant tuple of type-code integers, and the
// inputs are whatever the compiled code holds, passed as a tuple that the bindings box.
#include "typeinfer/CallRules.h"

namespace ember {

TypeId type_objmode_call(BuiltinCall &c) {
  TypeContext &types = c.types;
  const Function &f = c.cx.f;
  Inst def = f.def(c.value(1));
  const ConstValue *code = nullptr;
  if (def.valid() && f.inst(def).op == Op::Const)
    code = &f.consts[static_cast<size_t>(f.inst(def).imm)];
  internal_assert(code && code->kind == ConstValue::Kind::Tuple)
      << "an objmode block's output types are a constant tuple";
  std::vector<int64_t> words;
  for (const ConstValue &w : code->elems) words.push_back(w.i);
  size_t pos = 0;
  TypeId out = types.from_code(words, &pos);
  TypeId in = c.param(2);
  std::vector<int64_t> in_code;
  if (types.kind(in) != TypeKind::Tuple || !types.to_code(in, &in_code)) {
    for (TypeId e : types.get(in).elems) {
      std::vector<int64_t> one;
      if (!types.to_code(e, &one))
        unsupported(c.cx.loc()) << "a " << types.to_string(e)
                                << " cannot be passed into a `with objmode()` block";
    }
    unsupported(c.cx.loc()) << "these values cannot be passed into a `with objmode()` block: "
                            << types.to_string(in);
  }
  return out;
}

}  // namespace ember
