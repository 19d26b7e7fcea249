/** \file IR.h
 * ember's typed IR: one SSA control-flow graph per Python function.
 *
 * Values, instructions and blocks are 32-bit ids into arrays owned by their Function, so the IR
 * cannot dangle and copying a function copies plain vectors.  A value is defined either by an
 * instruction (its single result) or as a block parameter; block parameters are the IR's phis,
 * and branches pass one argument per parameter (BlockCall).  The entry block is block 0 and has
 * no predecessors and no parameters.  Every block ends in exactly one terminator (Ops.def).
 *
 * Semantics: operations follow Python and NumPy as Numba's nopython mode does (ints are int64
 * and wrap; / on ints is float64; // and % round toward negative infinity; division by zero
 * raises ZeroDivisionError under error_model='python').  Types come from the TypeContext the
 * function was built against; Unknown (id 0) means "not inferred yet".
 */
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ir/Const.h"
#include "ir/Error.h"
#include "ir/Types.h"

namespace ember {

enum class Op : uint8_t {
#define EMBER_OP(name, text, term) name,
#include "ir/Ops.def"
#undef EMBER_OP
};
const char *op_name(Op op);
bool is_terminator(Op op);

/// BinOp kinds; the numbering is the NIS contract with ember/bytecode.py.
enum class BinOpKind : uint8_t {
  Add,
  Sub,
  Mul,
  TrueDiv,
  FloorDiv,
  Mod,
  Pow,
  LShift,
  RShift,
  And,
  Or,
  Xor,
  MatMul
};
/// Compare kinds; the numbering is the NIS contract with ember/bytecode.py.
enum class CmpKind : uint8_t { Lt, Le, Eq, Ne, Gt, Ge };
/// Unary kinds; the numbering is the NIS contract with ember/bytecode.py.
enum class UnaryKind : uint8_t { Neg, Pos, Invert, Not };

const char *binop_symbol(BinOpKind k);
const char *cmp_symbol(CmpKind k);
const char *unary_symbol(UnaryKind k);

/// What a GetAttr reads, decided by type inference (aux of GetAttr).
enum class AttrId : uint8_t {
  None,        ///< not resolved yet
  ModuleAttr,  ///< a module's attribute: a compile-time value
  Method,      ///< a bound method of a runtime value
  Shape,
  Ndim,
  Size,
  Transpose,  ///< .T
  Dtype,
  Itemsize,
  Nbytes,
  Strides,
  Flags,
  CContiguous,  ///< .flags.c_contiguous
  FContiguous,  ///< .flags.f_contiguous
  Real,
  Imag,
  /// .x, .y, .z of threadIdx, blockIdx, blockDim or gridDim (kernel builtins, ir/Builtins.def)
  GridAxisX,
  GridAxisY,
  GridAxisZ,
  /// A module attribute that is a kernel value rather than a callable: cuda.laneid, warpsize.
  KernelValue,
  /// A method a user's @overload_method gives the value's type (ember/extending.py): the value
  /// is a closure holding the receiver, called like an inner function.
  UserMethod,
  /// An attribute from @overload_attribute: a call of its implementation with the receiver,
  /// whose callee index (Function::callees) is the instruction's imm2.
  UserAttribute,
  /// Of a jitclass instance (TypeKind::Instance): a field; a method (a Closure capturing the
  /// instance); a property, whose getter is called (aux then indexes Function::callees).
  JitclassField,
  JitclassMethod,
  JitclassProperty,
  /// A static method read from the class value (TypeKind::JitClass): a Dispatcher.
  JitclassStatic,
  /// e.args of a caught exception (`except E as e`): a tuple typed from the raise sites its
  /// handler catches (typeinfer/CaughtArgs.cpp), read from the error record at run time.
  ExceptionArgs,
  /// a.ctypes of an array (TypeKind::ArrayCTypes), its .data (the address as uint64) and its
  /// bound .data_as method.
  CTypes,
  CTypesData,
  CTypesDataAs,
  /// A field of a record (TypeKind::Record): its value, or a view for a nested record or a
  /// subarray; of an array of records (a.x, as Numba and np.recarray): the field's strided view.
  RecordField,
  /// .flags.writeable of an array: known from its type (read-only arrays are typed so).
  Writeable,
};

struct Value {
  uint32_t id = UINT32_MAX;
  bool valid() const { return id != UINT32_MAX; }
  bool operator==(Value o) const { return id == o.id; }
  bool operator!=(Value o) const { return id != o.id; }
  bool operator<(Value o) const { return id < o.id; }
};
struct Inst {
  uint32_t id = UINT32_MAX;
  bool valid() const { return id != UINT32_MAX; }
  bool operator==(Inst o) const { return id == o.id; }
};
struct Block {
  uint32_t id = UINT32_MAX;
  bool valid() const { return id != UINT32_MAX; }
  bool operator==(Block o) const { return id == o.id; }
  bool operator!=(Block o) const { return id != o.id; }
};

struct BlockCall {
  Block block;
  std::vector<Value> args;
};

struct ValueData {
  TypeId type;
  bool is_param = false;  ///< a block parameter (else an instruction result)
  uint32_t owner = 0;     ///< the defining Inst id, or the Block id for a parameter
  uint32_t index = 0;     ///< parameter position
};

struct InstData {
  Op op = Op::Unreachable;
  Block block;
  Value result;
  std::vector<Value> operands;
  std::vector<BlockCall> targets;
  int64_t imm = 0;
  int64_t imm2 = 0;
  uint32_t aux = 0;
  SourceLoc loc;
};

struct BlockData {
  std::vector<Value> params;
  std::vector<Inst> insts;  ///< in order; the last one is the terminator
};

class Function;

/// A call from this function to another compiled function (aux of a Call to a dispatcher).
struct CalleeRef {
  uint64_t dispatcher = 0;     ///< the front end's handle of the callee
  std::vector<TypeId> params;  ///< the specialization's parameter types
  TypeId result;               ///< its return type
  bool self = false;           ///< a recursive call to the function being compiled
  /// For each parameter, the index of the call argument bound to it, or -1 for its default.
  std::vector<int32_t> arg_map;
  std::vector<ConstValue> defaults;  ///< for each parameter, its default value (when unbound)
  std::string symbol;                ///< the callee's native symbol
  std::shared_ptr<const Function> function;  ///< its typed IR (null when self)
  /// A gufunc kernel's layout: per parameter, the ids of its core dimensions' names
  /// ("(m,n),(n)->(m)" gives {0,1}, {1}, {0}); the first `gufunc_inputs` are inputs.
  std::vector<std::vector<int>> core_dims;
  int gufunc_inputs = 0;
};

/// Per-function code generation choices, from the decorator's options.
struct CodeFlags {
  bool boundscheck = false;   ///< IndexError on out-of-bounds array indices
  bool fastmath = false;      ///< LLVM fast-math flags on floating-point operations
  bool python_errors = true;  ///< error_model='python': division by zero raises
  bool parallel = false;      ///< parallel=True: prange loops run on the thread pool
};

/// How a prange loop's reduction variable combines partial results (ParallelFor's imm list).
enum class ReduceOp : uint8_t { Add, Mul, And, Or, Xor, Min, Max };

class Function {
 public:
  explicit Function(TypeContext &types) : types_(&types) {}

  TypeContext &types() const { return *types_; }

  // Identity and signature.
  std::string name;  ///< the Python qualname
  std::string filename;
  int32_t firstlineno = 0;
  std::string symbol;  ///< the native symbol name
  std::vector<TypeId> arg_types;
  std::vector<std::string> arg_names;
  TypeId return_type;  ///< a generator function's is Generator(yield_type)
  CodeFlags flags;
  /// A generator function (its code has `yield`): lowered as a coroutine whose ramp returns the
  /// generator (lowering/CodeGenGenerator.cpp).  yield_type unifies what its Yields hand out.
  bool is_generator = false;
  TypeId yield_type;

  // Tables referenced by imm fields.
  std::vector<ConstValue> consts;
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> kwnames;
  std::map<uint64_t, ModuleAttrs> modules;
  std::vector<CalleeRef> callees;
  /// For instructions that may raise: the references to drop when they do (InsertRefcounts).
  std::map<uint32_t, std::vector<Value>> unwind;
  /// Element-wise array results computed inline by their only user (FuseArrayExprs): by value.
  std::set<uint32_t> fused;
  /// For each ParallelFor (by instruction id): how each reduction combines, in result order.
  std::map<uint32_t, std::vector<ReduceOp>> reductions;
  bool is_fused(Value v) const { return fused.count(v.id) != 0; }

  // Construction.
  Block add_block();
  Value add_param(Block b, TypeId type = TypeId{});
  /// Appends an instruction; make_result says whether it defines a value.
  Inst append(Block b, Op op, std::vector<Value> operands, bool make_result, SourceLoc loc,
              int64_t imm = 0, int64_t imm2 = 0);
  /// Inserts an instruction before position `pos` of block b's instruction list.
  Inst insert(Block b, size_t pos, Op op, std::vector<Value> operands, bool make_result,
              SourceLoc loc, int64_t imm = 0, int64_t imm2 = 0);
  /// Replaces every use of `from` (operands and branch arguments) by `to`.
  void replace_all_uses(Value from, Value to);

  // Access.
  size_t num_blocks() const { return blocks_.size(); }
  size_t num_values() const { return values_.size(); }
  size_t num_insts() const { return insts_.size(); }
  Block entry() const { return Block{0}; }
  BlockData &block(Block b) { return blocks_[b.id]; }
  const BlockData &block(Block b) const { return blocks_[b.id]; }
  InstData &inst(Inst i) { return insts_[i.id]; }
  const InstData &inst(Inst i) const { return insts_[i.id]; }
  ValueData &value(Value v) { return values_[v.id]; }
  const ValueData &value(Value v) const { return values_[v.id]; }
  TypeId type(Value v) const { return values_[v.id].type; }
  void set_type(Value v, TypeId t) { values_[v.id].type = t; }
  /// The instruction defining v, or an invalid Inst for a block parameter.
  Inst def(Value v) const;
  const InstData &terminator(Block b) const { return insts_[blocks_[b.id].insts.back().id]; }
  InstData &terminator(Block b) { return insts_[blocks_[b.id].insts.back().id]; }
  /// Successor blocks of b, in target order (duplicates kept).
  std::vector<Block> successors(Block b) const;
  /// The integer constant v is defined as (looking through Const and int-to-int Casts).
  bool const_int(Value v, int64_t *out) const;

 private:
  TypeContext *types_;
  // Deques, so that a reference from value()/inst()/block() stays valid while passes append
  // (a pass holding `InstData &d` across an insertion is an easy mistake to make).
  std::deque<ValueData> values_;
  std::deque<InstData> insts_;
  std::deque<BlockData> blocks_;
};

}  // namespace ember
