/** \file CallRules.h
 * Calls of builtins, shared by the typing rules (CallRules.cpp for Python's builtins and the
 * math module, NumpyRules.cpp for NumPy) and by make_explicit(), which rewrites every builtin
 * call into positional form: a method call `a.sum(axis=0)` becomes `np.sum(a, 0)` and missing
 * optional arguments become None.  Lowering only ever sees that form.
 */
#pragma once

#include <string>
#include <vector>

#include "typeinfer/TypeRules.h"

namespace ember {

/// The parameters of a builtin: names in positional order, how many are required, and whether
/// it takes a variable number of positional arguments (then keywords are refused).
struct BuiltinSignature {
  std::vector<const char *> names;
  int required = 0;
  bool varargs = false;
};
const BuiltinSignature &builtin_signature(BuiltinId id);

/// The builtin a method call on a value of kind `receiver` stands for (a.sum -> np.sum,
/// a.fill -> ArrayFill, lst.append -> ListAppend, ...); NumBuiltins when it has no such method.
BuiltinId method_builtin(MethodId m, TypeKind receiver);
/// Containers' methods (ContainerRules.cpp).
BuiltinId container_method_builtin(MethodId m, TypeKind receiver);

/// A call's arguments: positional ones, then keyword ones; for a method call the receiver is
/// the first positional argument.
struct CallArgs {
  std::vector<Value> values;
  std::vector<std::string> kwnames;  ///< names of the trailing keyword arguments
  size_t npos() const { return values.size() - kwnames.size(); }
};
CallArgs call_args(const Function &f, const InstData &d);
/// The builtin a call's callee denotes (a builtin or a bound method), or NumBuiltins.
BuiltinId callee_builtin(const TypeContext &types, const Function &f, const InstData &d);

/// A builtin call with its arguments bound to the builtin's parameters.
class BuiltinCall {
 public:
  BuiltinCall(RuleContext &cx, BuiltinId id);
  RuleContext &cx;
  TypeContext &types;
  BuiltinId id;
  CallArgs args;
  std::vector<int> bound;  ///< per parameter: the index in args.values, or -1 (not varargs)

  std::string name() const;  ///< as the user wrote it: "np.sum", "math.sqrt", "len"
  size_t nargs() const { return args.values.size(); }
  TypeId arg(size_t i) const { return cx.type(args.values[i]); }  ///< varargs access
  bool given(size_t p) const;  ///< parameter p was passed and is not None
  TypeId param(size_t p) const { return cx.type(args.values[static_cast<size_t>(bound[p])]); }
  Value value(size_t p) const { return args.values[static_cast<size_t>(bound[p])]; }
  [[noreturn]] void bad_args() const;
  bool is_number(TypeId t) const;
  bool is_int_like(TypeId t) const;
  ScalarKind kind_of(TypeId t) const;  ///< scalar kind, through an Optional
  /// The dtype parameter p denotes (np.float32, 'f4', float), or dflt when not given.
  ScalarKind dtype_param(size_t p, ScalarKind dflt) const;
  /// The ndim of a shape argument: an int (1) or a tuple of ints (its length).
  int shape_ndim(TypeId shape) const;
  /// The constant integer of parameter p (an axis), or false.
  bool const_param(size_t p, int64_t *out) const;
};

/// For each parameter of `names`, the index in args.values bound to it, or -1.  Raises a
/// TypingError for unknown, duplicate or missing arguments.
std::vector<int> bind_call_args(const CallArgs &args, const std::vector<const char *> &names,
                                int required, const std::string &fname, SourceLoc loc);

/// NumPy's dtype names ("float32", "f4", "int", ...) -> scalar kind.
bool parse_dtype_name(const std::string &name, ScalarKind *out);
/// The dtype a compile-time value denotes (np.float32, float, 'f4'); false when none.
bool dtype_of(const TypeContext &types, TypeId t, ScalarKind *out);

/// The iterator a builtin (enumerate, zip, list, ...) takes over its iterable argument t.
TypeId iterator_of(BuiltinCall &c, TypeId t);

/// Typing of NumPy's functions (NumpyRules.cpp): creation, reductions, shape, sorting,
/// linear algebra, random.  Returns Unknown when the builtin is not one of them.
TypeId type_numpy_call(BuiltinCall &call);
/// The dtype np.sum / np.prod / np.cumsum produce for an array of kind k.
ScalarKind sum_kind(ScalarKind k);

// ---- LAPACK for ember's np.linalg (LinalgRules.cpp) --------------------------------------------
bool is_lapack_builtin(BuiltinId id);
/// Positional-only parameters for the LAPACK builtins (nullptr for other builtins).
const BuiltinSignature *lapack_builtin_signature(BuiltinId id);
/// int64 (LAPACK's INFO) after checking the buffers; Unknown for other builtins.
TypeId type_lapack_call(BuiltinCall &call);
// ---- NumPy bit generators for ember's np.random.Generator (BitgenRules.cpp) ------------------
bool is_bitgen_builtin(BuiltinId id);
/// The one parameter of a bit-generator builtin (nullptr for other builtins).
const BuiltinSignature *bitgen_builtin_signature(BuiltinId id);
/// The draw's type (uint64, uint32 or float64); Unknown for other builtins.
TypeId type_bitgen_call(BuiltinCall &call);
// ---- views of an array's data for ember's stride tricks (ViewRules.cpp) ---------------------
/// The parameters of view_of (nullptr for other builtins).
const BuiltinSignature *view_builtin_signature(BuiltinId id);
/// view_of(a, shape, strides, offset, dtype, layout, readonly): the view's array type.
TypeId type_view_of(BuiltinCall &call);
// ---- strings (StringRules.cpp) ----------------------------------------------------------------
/// The parameters of a string builtin or str method (nullptr for other builtins).
const BuiltinSignature *string_builtin_signature(BuiltinId id);
/// A `with objmode(...)` block's call (ObjmodeRules.cpp): its outputs' tuple type.
TypeId type_objmode_call(BuiltinCall &c);
/// The builtin a method of a string stands for (s.find -> StrFind), or NumBuiltins.
BuiltinId string_method_builtin(MethodId m);
/// Typing of str(), ord(), chr(), hash(), format(), repr() and str's methods; Unknown when the
/// builtin is not one of them.
TypeId type_string_call(BuiltinCall &call);

// ---- @cfunc pointers (CFuncRules.cpp) -------------------------------------------------------
/// ember.carray / farray over a C pointer (CFuncRules.cpp): the signature, and the type of a
/// call (Unknown for other builtins).
const BuiltinSignature *cfunc_builtin_signature(BuiltinId id);
TypeId type_carray_call(BuiltinCall &call);
/// Calls of C functions and a.ctypes (typeinfer/CCallRules.cpp).
TypeId type_cfunction_call(RuleContext &cx);
TypeId type_data_as_call(RuleContext &cx);
TypeId type_array_ctypes_attr(RuleContext &cx, TypeId obj, const std::string &name, AttrId *attr);

// ---- ufuncs with an output array (CallRules.cpp) ----------------------------------------------
/// np.sqrt(x, out=y), np.maximum(a, b, y): for a call of a NumPy ufunc lowered in C++ with an
/// output array (out= or one positional argument more than its inputs), the index of that array
/// in inst.operands; 0 when the call has none.  Typing types such a call as the ufunc without
/// it, checks NumPy's 'same_kind' cast of the result into it and gives the call its type (the
/// call returns it); make_explicit() then rewrites the call into `out[...] = ufunc(...)`, which
/// the fused array-expression store evaluates straight into `out`.
size_t ufunc_out_operand(const TypeContext &types, const Function &f, const InstData &d);
// ---- datetime64 / timedelta64 (DatetimeRules.cpp) ---------------------------------------------
/// The parameters of np.datetime64 / np.timedelta64 (nullptr for other builtins).
const BuiltinSignature *datetime_builtin_signature(BuiltinId id);
/// np.datetime64(), np.timedelta64(), np.isnat, and the builtins NumPy defines on datetime and
/// timedelta values when one is an argument; Unknown for the rest.
TypeId type_datetime_call(BuiltinCall &call);

// ---- bytes and bytearray (BytesRules.cpp) -----------------------------------------------------
/// The parameters of np.frombuffer / ndarray.tobytes (nullptr for other builtins).
const BuiltinSignature *bytes_builtin_signature(BuiltinId id);
/// np.frombuffer and ndarray.tobytes; Unknown for other builtins.
TypeId type_bytes_call(BuiltinCall &call);
/// np.empty / np.zeros with a structured dtype (a global, or a.dtype of an array of records):
/// a new array of records (RecordRules.cpp); Unknown otherwise.
TypeId type_record_call(BuiltinCall &call);

// ---- the kernel language (KernelRules.cpp) ----------------------------------------------------
/// The parameters of a kernel builtin (nullptr for other builtins).
const BuiltinSignature *kernel_builtin_signature(BuiltinId id);
/// Typing of ember.cuda's functions; Unknown when the builtin is not one of them.  Outside a
/// kernel or device function (RuleContext::kernel) they are TypingErrors.
TypeId type_kernel_call(BuiltinCall &call);
/// threadIdx.x and the other dim3 queries: int64 (sets AttrId::GridAxis*).
TypeId type_kernel_attr(RuleContext &cx, BuiltinId id, const std::string &name, uint32_t *attr_id);
/// cuda.laneid / cuda.warpsize read from the module: int32 (sets AttrId::KernelValue).
TypeId type_kernel_value(RuleContext &cx, BuiltinId id, uint32_t *attr_id);

}  // namespace ember
