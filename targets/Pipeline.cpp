#include "targets/Pipeline.h"

#include "ir/Verifier.h"
#include "lowering/FuseArrayExprs.h"
#include "lowering/InsertRefcounts.h"
#include "lowering/ParallelizeLoops.h"
#include "typeinfer/BuildSSA.h"
#include "typeinfer/CheckServices.h"

namespace ember {

std::shared_ptr<Function> build_typed_function(const FunctionInput &in, TypeContext &types,
                                               const std::vector<TypeId> &arg_types,
                                               CalleeResolver &resolver, const InferOptions &infer,
                                               const PipelineOptions &options) {
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
