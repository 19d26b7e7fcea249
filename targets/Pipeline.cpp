#include "targets/Pipeline.h"

#include "ir/Verifier.h"
#include "lowering/FuseArrayExprs.h"
#include "lowering/InsertRefcounts.h"
#include "lowering/LlvmIrBody.h"
#include "lowering/ParallelizeLoops.h"
#include "typeinfer/BuildSSA.h"
#include "typeinfer/CheckServices.h"

namespace ember {

namespace {
/// An @intrinsic (its LLVM IR text filed under its symbol): its signature, and a stub body (the
/// return of an undefined value of the return type) for the passes that read a callee's blocks,
/// such as the check that a callee returns at all; lowering emits the LLVM IR text instead.
std::shared_ptr<Function> llvm_ir_function(const FunctionInput &in, TypeContext &types,
                                           const std::vector<TypeId> &arg_types,
                                           const InferOptions &infer,
                                           const PipelineOptions &options, std::string text) {
  auto f = std::make_shared<Function>(types);
  f->name = in.qualname;
  f->filename = in.filename;
  f->firstlineno = in.firstlineno;
  f->symbol = options.symbol;
  f->flags = options.flags;
  f->arg_types = arg_types;
  for (size_t i = 0; i < arg_types.size(); ++i)
    f->arg_names.push_back(i < in.varnames.size() ? in.varnames[i] : "arg" + std::to_string(i));
  internal_assert(!infer.declared_return.unknown()) << "an @intrinsic without a return type";
  f->return_type = infer.declared_return;
  register_llvm_ir_body(f->symbol, std::move(text));
  SourceLoc loc{in.firstlineno};
  Block b = f->add_block();
  for (TypeId t : arg_types) f->add_param(b, t);
  Value v = f->inst(f->append(b, Op::Undef, {}, true, loc)).result;
  f->set_type(v, f->return_type);
  f->append(b, Op::Ret, {v}, false, loc);
  return f;
}
}  // namespace

std::shared_ptr<Function> build_typed_function(const FunctionInput &in, TypeContext &types,
                                               const std::vector<TypeId> &arg_types,
                                               CalleeResolver &resolver, const InferOptions &infer,
                                               const PipelineOptions &options) {
  if (std::optional<std::string> text = take_pending_llvm_ir(in.self_handle))  // an @intrinsic
    return llvm_ir_function(in, types, arg_types, infer, options, std::move(*text));
  auto step = [&](const char *stage, const Function &f, bool typed) {
    if (options.verify) verify_function(f, typed);
    if (options.dump) options.dump(stage, f);
  };
  std::shared_ptr<Function> f = build_ssa(in, types);
  f->flags = options.flags;
  f->symbol = options.symbol;
  step("ssa", *f, false);
  infer_types(*f, arg_types, resolver, infer);
  step("typed", *f, false);
  if (options.kernel) check_kernel_returns(*f);
  make_explicit(*f);
  step("explicit", *f, true);
  check_services(*f, infer);
  for (const std::shared_ptr<Function> &body : parallelize_loops(*f)) {
    step("prange-body", *body, true);
    fuse_array_exprs(*body);
    insert_refcounts(*body);
    step("final", *body, true);
  }
  fuse_array_exprs(*f);
  insert_refcounts(*f);
  step("final", *f, true);
  return f;
}

}  // namespace ember
