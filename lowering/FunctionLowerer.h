/** \file FunctionLowerer.h
 * Internal to lowering/: the object that lowers one typed Function into one LLVM function.
 * Its methods are split by concept over CodeGen.cpp (driver, control flow, calls, errors,
 * reference counts), CodeGenScalar.cpp (conversions and arithmetic), CodeGenArray.cpp (array
 * structs, indexing, views, iteration, allocation) and CodeGenBuiltin.cpp (builtin calls).
 */
#pragma once

#include <functional>
#include <map>
#include <vector>

#include "lowering/Lower.h"

namespace ember {

/// State shared by every function lowered into one module.
struct ModuleState {
  llvm::Module &module;
  DataModel &dm;
  TargetHooks &hooks;
  std::map<std::string, llvm::Function *> functions;  ///< by symbol
  std::map<std::string, llvm::Constant *> strings;     ///< message constants
};

class FunctionLowerer {
 public:
  FunctionLowerer(ModuleState &ms, const Function &f, llvm::Function *fn);
  void run();

  /// Declares f's LLVM function: i32 (ptr ret, ptr err, params...).
  static llvm::Function *declare(ModuleState &ms, const Function &f, bool external);
  /// Emits `i32 wrapper(ptr ret, ptr err, ptr args)` calling `fn`.
  static void emit_wrapper(ModuleState &ms, const Function &f, llvm::Function *fn,
                           const std::string &name);

 private:
  using V = llvm::Value *;

  // ---- CodeGen.cpp: driver, control flow, errors, refcounts, compiled calls ----------------
  void lower_inst(const InstData &d);
  V get(Value v) const { return values_[v.id]; }
  void set(Value v, V x) { values_[v.id] = x; }
  TypeId type(Value v) const { return f_.type(v); }
  llvm::Type *vt(TypeId t) { return dm_.value_type(t); }
  llvm::Type *mt(TypeId t) { return dm_.memory_type(t); }
  /// An alloca in the entry block (so mem2reg can promote it).
  llvm::AllocaInst *entry_alloca(llvm::Type *t, const char *name = "");
  llvm::Constant *message(const std::string &text);
  /// Raises exception `exc` with `msg` when cond is true (python error paths are cold).
  void raise_if(V cond, int32_t exc, const std::string &msg);
  /// Stores the error record, drops the current instruction's unwind set and returns 1.
  void emit_raise(int32_t exc, const std::string &msg);
  void lower_branch(const InstData &d);
  V lower_call_compiled(const InstData &d);
  void incref(V v, TypeId t);
  void decref(V v, TypeId t);
  void meminfo_incref(V meminfo);
  void meminfo_decref(V meminfo);
  /// A value -> its memory form and back (they differ for bool only, recursively).
  V to_memory(V v, TypeId t);
  V from_memory(V v, TypeId t);
  llvm::Function *runtime_function(const char *name, llvm::FunctionType *type);
  /// Emits `for (i = 0; i < n; ++i) body(i)` at the current point.
  void emit_loop(V n, const std::function<void(V)> &body, const char *name = "loop");

  // ---- CodeGenScalar.cpp -------------------------------------------------------------------
  V lower_const(const ConstValue &c, TypeId t);
  V convert(V v, TypeId from, TypeId to);
  V truth(V v, TypeId t);
  V lower_binop(BinOpKind kind, V l, V r, TypeId operand, TypeId result);
  V lower_int_binop(BinOpKind kind, V l, V r, ScalarKind k);
  V lower_float_binop(BinOpKind kind, V l, V r, ScalarKind k);
  V lower_complex_binop(BinOpKind kind, V l, V r, ScalarKind k);
  V lower_compare(CmpKind kind, V l, V r, TypeId operand);
  V lower_unary(UnaryKind kind, V v, TypeId t);
  V lower_is(const InstData &d);
  V lower_contains(const InstData &d);
  V int_pow(V base, V exp, ScalarKind k);
  V scalar_zero(ScalarKind k);
  V scalar_one(ScalarKind k);
  V scalar_min_max(bool is_max, V a, V b, ScalarKind k);
  void set_fast_math(V v);

  // ---- CodeGenArray.cpp --------------------------------------------------------------------
  V array_field(V arr, unsigned field);
  V array_dim(V arr, unsigned field, int k);
  V shape_of(V arr, TypeId t, int k) { (void)t; return array_dim(arr, DataModel::kShape, k); }
  V stride_of(V arr, TypeId t, int k);
  V wrap_index(V index, ScalarKind kind, V extent);
  V element_pointer(V arr, TypeId t, const std::vector<V> &indices);
  V load_element(V ptr, ScalarKind dtype);
  void store_element(V ptr, V value, ScalarKind dtype);
  V make_array(TypeId t, V meminfo, V parent, V data, const std::vector<V> &shape,
               const std::vector<V> &strides);
  /// A new C-contiguous array of type t and this shape (uninitialised), owning its buffer.
  V allocate_array(TypeId t, const std::vector<V> &shape);
  V lower_getattr(const InstData &d);
  V lower_getitem(const InstData &d);
  void lower_setitem(const InstData &d);
  /// The view (or element) `array[index]` as typed by view_type().
  V index_array(V arr, TypeId t, Value index, TypeId result, SourceLoc loc);
  V resolve_slice(V slice, V extent, V *length, V *step);
  V lower_getiter(const InstData &d);
  V iterator_from(V iterable, TypeId from, TypeId iter_type);
  V lower_iternext(V state, TypeId iter);
  V lower_itervalue(V state, TypeId iter);
  V lower_unpack(const InstData &d);
  /// Calls body(indices) for every index of `shape` (row-major order).
  void emit_nd_loop(const std::vector<V> &shape, const std::function<void(const std::vector<V> &)> &body);
  /// Stores `value` (a scalar of the array's dtype, or an array broadcast to its shape) into
  /// every element of the view `dst`.
  void assign_to_view(V dst, TypeId dst_type, V value, TypeId value_type);

  // ---- CodeGenBuiltin.cpp ------------------------------------------------------------------
  V lower_call(const InstData &d);
  V lower_builtin(const InstData &d, BuiltinId id);
  V lower_math(BuiltinId id, const InstData &d);
  V lower_array_creation(const InstData &d, BuiltinId id);
  V shape_values(Value shape, std::vector<V> *out);

  ModuleState &ms_;
  DataModel &dm_;
  TypeContext &types_;
  const Function &f_;
  llvm::Function *fn_;
  llvm::LLVMContext &ctx_;
  llvm::IRBuilder<> b_;
  std::vector<V> values_;
  std::vector<llvm::BasicBlock *> blocks_;
  std::vector<llvm::PHINode *> phis_;  ///< by value id, for block parameters
  llvm::BasicBlock *entry_ = nullptr;
  V ret_ptr_ = nullptr, err_ptr_ = nullptr;
  const InstData *current_ = nullptr;  ///< the instruction being lowered (for raise)
  Inst current_id_;
  llvm::Type *i1_, *i8_, *i32_, *i64_, *ptr_, *f64_;
};

}  // namespace ember
