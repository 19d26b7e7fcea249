// Typing of bytes and bytearray (TypeContext::bytes: a 1-d uint8 array that boxes as bytes).
// As arrays they index (giving uint8, as Numba), iterate, slice (a view that is still a bytes),
// take len() and are taken by np.frombuffer; this file types what differs from an array:
// comparisons are Python's (lexicographic, one bool), other operators are refused instead of
// running element-wise, and np.frombuffer / ndarray.tobytes.
#include "typeinfer/CallRules.h"

namespace ember {

namespace {

bool is_bytes(const TypeContext &types, TypeId t) { return types.bytes_kind(t) != BytesKind::None; }

const char *op_symbol(BinOpKind k) {
  switch (k) {
    case BinOpKind::Add: return "+";
    case BinOpKind::Mul: return "*";
    case BinOpKind::Mod: return "%";
    default: return "this operator";
  }
}

}  // namespace

bool type_bytes_operator(RuleContext &cx, TypeId *out) {
  TypeContext &types = cx.types;
  const InstData &d = cx.inst;
  if (d.op != Op::BinOp && d.op != Op::Compare && d.op != Op::Unary) return false;
  TypeId l = cx.type(d.operands[0]);
  TypeId r = d.op == Op::Unary ? l : cx.type(d.operands[1]);
  if (!is_bytes(types, l) && !is_bytes(types, r)) return false;
  if (d.op == Op::Compare) {
    if (!is_bytes(types, l) || !is_bytes(types, r))
      unsupported(cx.loc()) << "comparing " << cx.str(l) << " with " << cx.str(r)
                            << " is not supported in compiled code (bytes compare with bytes "
                               "and bytearray only)";
    *out = types.boolean();
    return true;
  }
  if (d.op == Op::Unary)
    typing_error(cx.loc()) << "bad operand type for a unary operator: " << cx.str(l);
  unsupported(cx.loc()) << "the operator " << op_symbol(static_cast<BinOpKind>(d.imm)) << " on "
                        << cx.str(l) << " and " << cx.str(r)
                        << " is not supported in compiled code (bytes and bytearray support "
                           "indexing, slicing, len, iteration, comparisons and np.frombuffer)";
}

const BuiltinSignature *bytes_builtin_signature(BuiltinId id) {
  static const BuiltinSignature frombuffer{{"buffer", "dtype", "count", "offset"}, 1, false};
  static const BuiltinSignature tobytes{{"a", "order"}, 1, false};
  if (id == BuiltinId::NpFrombuffer) return &frombuffer;
  if (id == BuiltinId::ArrayTobytes) return &tobytes;
  return nullptr;
}

TypeId type_bytes_call(BuiltinCall &c) {
  TypeContext &types = c.types;
  switch (c.id) {
    case BuiltinId::NpFrombuffer: {
      TypeId buf = c.param(0);
      if (!types.is_array(buf) || types.ndim(buf) != 1 || types.dtype(buf) != ScalarKind::UInt8)
        typing_error(c.cx.loc()) << "np.frombuffer() takes a bytes, a bytearray or a 1-d uint8 "
                                    "array in compiled code, not "
                                 << types.to_string(buf);
      if (c.given(2) || c.given(3))
        unsupported(c.cx.loc()) << "np.frombuffer()'s count and offset arguments are not "
                                   "supported in compiled code; slice the buffer instead";
      if (c.given(1) && types.kind(c.param(1)) == TypeKind::TypeRef &&
          types.kind(types.get(c.param(1)).elems[0]) == TypeKind::Record)  // records from bytes
        return types.record_array(types.get(types.get(c.param(1)).elems[0]).handle, 1, Layout::C,
                                  types.readonly(buf));
      ScalarKind k = c.dtype_param(1, ScalarKind::Float64);
      return types.array(k, 1, Layout::C, types.readonly(buf));
    }
    case BuiltinId::ArrayTobytes: {
      if (!types.is_array(c.param(0)) || is_bytes(types, c.param(0))) return TypeId{};
      if (c.given(1)) {
        TypeId o = c.param(1);
        if (types.kind(o) != TypeKind::Str || types.string(types.get(o).a) != "C")
          unsupported(c.cx.loc()) << "ndarray.tobytes() is supported with order='C' only";
      }
      return types.bytes(BytesKind::Bytes);
    }
    default: return TypeId{};
  }
}

}  // namespace ember
