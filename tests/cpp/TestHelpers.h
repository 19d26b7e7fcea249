/** \file TestHelpers.h
 * Builders shared by the C++ unit tests: a tiny NIS assembler (so a test writes the normalized
 * bytecode the Python front end would produce), constant makers, a fake CalleeResolver, and small
 * queries over IR Functions (find instructions by op, check reference-count balance).
 */
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/IR.h"
#include "lowering/InsertRefcounts.h"
#include "typeinfer/InferTypes.h"
#include "typeinfer/Nis.h"

namespace ember::test {

// ---- constants ----------------------------------------------------------------------------------

ConstValue c_none();
ConstValue c_bool(bool v);
ConstValue c_int(int64_t v);
ConstValue c_float(double v);
ConstValue c_str(const std::string &s);
ConstValue c_tuple(std::vector<ConstValue> elems);
ConstValue c_builtin(BuiltinId id);
ConstValue c_dispatcher(uint64_t handle, const std::string &name = "g");
ConstValue c_exception(int32_t exc_id, const std::string &name);
ConstValue c_number_class(ScalarKind k);

// ---- the NIS assembler --------------------------------------------------------------------------

/// One NIS instruction.  For jumps (FOR_ITER, JUMP, POP_JUMP_IF_*), `arg` is the target
/// instruction index, as the disassembly shows it (`POP_JUMP_IF_FALSE -> 7`).  A line of 0
/// repeats the previous instruction's line (the first defaults to firstlineno + 1).
struct Ins {
  NisOp op;
  int32_t arg = 0;
  int32_t arg2 = -1;  ///< -1: none (0 for most ops; CALL's keyword-names const index or -1)
  int32_t line = 0;
};

/// A FunctionInput under construction:
///   FunctionInput in = NisBuilder("f", {"a", "b"}, {"s"}).consts({c_int(0)})
///                          .global("range", c_builtin(BuiltinId::Range))
///                          .code({{NisOp::LoadFast, 0}, {NisOp::ReturnValue}});
class NisBuilder {
 public:
  /// `args` are the positional parameters; `locals` the other local variables (varnames).
  NisBuilder(std::string name, std::vector<std::string> args, std::vector<std::string> locals = {},
             int32_t firstlineno = 1);
  NisBuilder &consts(std::vector<ConstValue> values);
  /// Appends names[i] with the frozen value a LOAD_GLOBAL of it reads.
  NisBuilder &global(const std::string &name, ConstValue value);
  /// Appends names[i] used only as an attribute name (LOAD_ATTR).
  NisBuilder &attr(const std::string &name);
  NisBuilder &self_handle(uint64_t handle);
  NisBuilder &module(uint64_t handle, ModuleAttrs attrs);
  FunctionInput code(const std::vector<Ins> &code) const;

 private:
  FunctionInput in_;
};

/// The short form for functions named f with no globals:
///   nis({"a", "b"}, 2, {{NisOp::LoadFast, 0}, {NisOp::LoadFast, 1}, {NisOp::BinaryOp, 0},
///                       {NisOp::ReturnValue}})
/// (varnames, how many of them are parameters, the code, the constants).
FunctionInput nis(std::vector<std::string> varnames, int32_t argcount, const std::vector<Ins> &code,
                  std::vector<ConstValue> consts = {});

// ---- the fake resolver --------------------------------------------------------------------------

/// Resolves calls to other jitted functions from a table of handlers, recording every request.
class FakeResolver : public CalleeResolver {
 public:
  struct Request {
    uint64_t dispatcher;
    std::vector<TypeId> args;
    std::vector<std::string> kwnames;
    SourceLoc loc;
  };
  using Handler = std::function<CalleeRef(const std::vector<TypeId> &args,
                                          const std::vector<std::string> &kwnames)>;

  /// Calls of `handle` get a callee with these parameters and this result.
  void add(uint64_t handle, Handler handler) { handlers_[handle] = std::move(handler); }
  /// A callee whose parameters are the argument types and whose result is `result`.
  void add_simple(uint64_t handle, TypeId result);

  CalleeRef resolve(uint64_t dispatcher, const std::vector<TypeId> &args,
                    const std::vector<std::string> &kwnames, SourceLoc loc) override;

  std::vector<Request> requests;

 private:
  std::map<uint64_t, Handler> handlers_;
};

// ---- pipeline shortcuts -------------------------------------------------------------------------

/// build_ssa + infer_types (no make_explicit).
std::unique_ptr<Function> infer(const FunctionInput &in, TypeContext &types,
                                const std::vector<TypeId> &args,
                                CalleeResolver *resolver = nullptr);

// ---- IR queries ---------------------------------------------------------------------------------

/// Every instruction with op `op`, in block order.
std::vector<Inst> find_insts(const Function &f, Op op);
/// The single instruction with op `op`, or an invalid Inst when there are none or several
/// (check with .valid()).
Inst find_one(const Function &f, Op op);
/// The Call instructions whose callee is the builtin `id`.
std::vector<Inst> find_builtin_calls(const Function &f, BuiltinId id);
/// Number of instructions (in reachable and unreachable blocks) with op `op`.
size_t count_op(const Function &f, Op op);

/// Checks the ownership discipline of insert_refcounts by walking every path of f (each block
/// visited at most `max_visits` times on a path): every counted value owns one reference from
/// its definition, IncRef adds one, DecRef drops one, a branch moves one reference from each
/// argument into its parameter, `ret` moves the returned one out (fused array expressions own
/// nothing: their operands count as used by the fused value's user).  Returns "" when, on every
/// path, no count goes negative, no value is redefined while it still owns a reference, and
/// nothing is left owned at `ret` or `raise`; otherwise a description of the first violation.
std::string check_refcount_balance(const Function &f, int max_visits = 3);

}  // namespace ember::test
