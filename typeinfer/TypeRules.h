/** \file TypeRules.h
 * The typing rules: pure functions from operand types to result types, one family per file
 * (ScalarRules.cpp, CallRules.cpp, ArrayRules.cpp).  infer_types() drives them to a fixpoint and
 * insert_casts() asks them again which operand types an operation computes in.
 *
 * A rule receives known operand types (the driver skips instructions with Unknown operands),
 * returns the result type, and raises typing_error/unsupported at the instruction's line when
 * the types do not fit.  Rules never modify the IR.
 */
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "ir/IR.h"

namespace ember {

class CalleeResolver;

/// What a rule may look at besides operand types.
struct RuleContext {
  TypeContext &types;
  const Function &f;
  const InstData &inst;
  CalleeResolver *resolver = nullptr;
  uint64_t self_handle = 0;  ///< the dispatcher being compiled
  TypeId self_return;        ///< its return type so far (for recursion)
  const std::vector<TypeId> *self_params = nullptr;
  CalleeRef *callee_out = nullptr;  ///< where a call rule records the callee it resolved
  bool kernel = false;              ///< typing a kernel or device function (InferOptions::kernel)
  /// The item types learned so far for empty container displays, by site (ContainerRules.h).
  std::map<uint64_t, std::vector<TypeId>> *sites = nullptr;
  int warp_size = 32;  ///< InferOptions::warp_size
  SourceLoc loc() const { return inst.loc; }
  TypeId type(Value v) const { return f.type(v); }
  std::string str(TypeId t) const { return types.to_string(t); }
};

/// The types an arithmetic or comparison operation computes in and produces.
struct OperationTypes {
  TypeId operand;  ///< both operands are converted to this type first
  TypeId result;
};

// ---- ScalarRules.cpp ----------------------------------------------------------------------
/// The least type holding both a and b (phis and returns); raises when there is none.
TypeId unify(TypeContext &types, TypeId a, TypeId b, SourceLoc loc);
OperationTypes type_binop(TypeContext &types, BinOpKind kind, TypeId lhs, TypeId rhs,
                          SourceLoc loc);
OperationTypes type_compare(TypeContext &types, CmpKind kind, TypeId lhs, TypeId rhs,
                            SourceLoc loc);
TypeId type_unary(TypeContext &types, UnaryKind kind, TypeId v, SourceLoc loc);
/// The operand types a binary operation or comparison is typed with: a Python int or float
/// written in the code is weak next to a float16 (NumPy 2, NEP 50) and takes float16's type, so
/// `h * 0.5` and `h > 0.1` compute in float16 as in NumPy (`h + 1j` in complex64).  Other
/// operands keep their types.
std::pair<TypeId, TypeId> operand_types(TypeContext &types, const Function &f, Value lhs,
                                        Value rhs);
/// Checks that values of type t have a truth value.
void check_truth(const TypeContext &types, TypeId t, SourceLoc loc);
/// The type of a constant (raises for constants ember cannot use).
TypeId type_const(TypeContext &types, const ConstValue &c, SourceLoc loc);
/// Whether a value of type `from` may be stored where `to` is expected (implicit conversion).
bool can_convert(const TypeContext &types, TypeId from, TypeId to);

// ---- StringRules.cpp -----------------------------------------------------------------------
/// `+` and `*` on strings: unicode_type, with an Unknown operand type (lowering reads each side
/// as it is).  False when neither operand is a string; raises for other operators.
bool type_string_binop(TypeContext &types, BinOpKind kind, TypeId lhs, TypeId rhs, SourceLoc loc,
                       OperationTypes *out);
/// Comparisons of two strings (by code points); false when neither is a string.
bool type_string_compare(TypeContext &types, CmpKind kind, TypeId lhs, TypeId rhs, SourceLoc loc,
                         OperationTypes *out);
/// s[i] and s[a:b:c].
TypeId type_string_getitem(RuleContext &cx);
/// The type a value has once stored (in a container, a tuple): a string literal's is
/// unicode_type; any other type is its own.
TypeId stored_type(TypeContext &types, TypeId t);

/// np.dot / np.matmul / the @ operator on arrays (NumpyRules.cpp).
TypeId type_dot(TypeContext &types, TypeId a, TypeId b, SourceLoc loc, const char *name);

// ---- CallRules.cpp ------------------------------------------------------------------------
TypeId type_call(RuleContext &cx);
/// A call of a first-class function (FunctionPtr): typed by its signature (FunctionPtrRules.cpp).
TypeId type_function_ptr_call(RuleContext &cx);
/// A compile-time value that may still be passed to a jitted function or held in a tuple: a
/// jitted function (one type per function, so each callee gets its own specialization) or an
/// exception class (`except (E1, E2)`).
inline bool passable_function(const TypeContext &types, TypeId t) {
  const TypeData &d = types.get(t);
  return (d.kind == TypeKind::Dispatcher && d.a == static_cast<uint32_t>(CalleeKind::Function)) ||
         d.kind == TypeKind::ExceptionClass;
}

/// A call of the jitted function `handle` with `leading` argument types before the call's own
/// (a closure's captured values, a method's instance), as type_call types a jitted callee.
TypeId type_compiled_call(RuleContext &cx, uint64_t handle, const std::vector<TypeId> &leading);

// ---- JitclassRules.cpp --------------------------------------------------------------------
/// `obj.name` on a jitclass instance (a field, a method, a property's getter, a static method)
/// or on the class (a static method).
TypeId type_jitclass_getattr(RuleContext &cx, uint32_t *attr_id);
/// `obj.name = value` (Op::SetAttr): the value must convert to the field's type.
void check_jitclass_setattr(RuleContext &cx);
/// `Cls(args)`: __init__ typed with a new instance first; the instance is the result.
TypeId type_jitclass_new(RuleContext &cx);
/// An operator (BinOp, Compare, Unary) whose left operand is a jitclass instance, or len() of
/// one: a call of its dunder method (__add__, __lt__, __neg__, __len__, ...), recorded through
/// cx.callee_out.  False when the instruction is not one of those.
bool type_jitclass_operator(RuleContext &cx, TypeId *out);
/// The dunder method name of an operator instruction (Op::BinOp, Compare, Unary), or null.
const char *jitclass_dunder(const InstData &d);

// ---- BytesRules.cpp ------------------------------------------------------------------------
/// An operator (BinOp, Compare, Unary) with a bytes or bytearray operand: comparisons of two
/// are Python's (one bool); the others raise.  False when no operand is a bytes.
bool type_bytes_operator(RuleContext &cx, TypeId *out);

// ---- RecordRules.cpp ----------------------------------------------------------------------
/// `r.x` on a record, `a.x` (a field's view, or shape, size, ...) on an array of records;
/// false when the receiver is neither.
bool type_record_getattr(RuleContext &cx, uint32_t *attr_id, TypeId *out);
/// r["x"], r[0] on a record; a["x"], a[i], a[i:j] on an array of records.
TypeId type_record_getitem(RuleContext &cx);
/// r.x = v (Op::SetAttr on a record).
void check_record_setattr(RuleContext &cx);
/// r["x"] = v, a["x"] = v, a[i] = r.
void check_record_setitem(RuleContext &cx);

// ---- ArrayRules.cpp -----------------------------------------------------------------------
TypeId type_getattr(RuleContext &cx, uint32_t *attr_id);
/// type_getattr, then, where it finds no built-in attribute, the user's @overload_method or
/// @overload_attribute for the value's type (UserAttrRules.cpp).
TypeId type_getattr_or_user(RuleContext &cx, uint32_t *attr_id);

// ---- CFuncRules.cpp ------------------------------------------------------------------------
/// ptr[i] and ptr[i] = v on a C pointer (a @cfunc's argument).
TypeId type_pointer_getitem(RuleContext &cx);
void check_pointer_setitem(RuleContext &cx);

// ---- ArrayRules.cpp (cont.) ---------------------------------------------------------------
TypeId type_getitem(RuleContext &cx);
void check_setitem(RuleContext &cx);
TypeId type_getiter(RuleContext &cx);
/// The iterator iter(t) makes, for GetIter and every builtin that iterates (iter, enumerate,
/// zip, list, ...): one rule, so they all accept the same iterables.  `who` names the builtin
/// in the error ("" for a for loop).
TypeId iterator_type(TypeContext &types, TypeId t, SourceLoc loc, const std::string &who);
/// Whether t is an iterator (what next() takes): an iterator type or a generator.
bool is_iterator(const TypeContext &types, TypeId t);
TypeId type_itervalue(RuleContext &cx);
TypeId type_unpack(RuleContext &cx);

}  // namespace ember
