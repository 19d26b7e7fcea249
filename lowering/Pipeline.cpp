#include "lowering/Pipeline.h"

#include "ir/Verifier.h"
#include "lowering/InsertRefcounts.h"
#include "typeinfer/BuildSSA.h"

namespace ember {

std::shared_ptr<Function> build_typed_function(const FunctionInput &in, TypeContext &types,
                                               const std::vector<TypeId> &arg_types,
                                               CalleeResolver &resolver,
                                               const InferOptions &infer,
                                               const PipelineOptions &options) {
  auto step = [&](const char *stage, const Function &f, bool typed) {
    if (options.verify) verify_function(f, typed);
    if (options.dump) options.dump(stage, f);
  };
  std::shared_ptr<Function> f = build_ssa(in, types);
  f->flags = options.flags;
  step("ssa", *f, false);
  infer_types(*f, arg_types, resolver, infer);
  step("typed", *f, false);
  make_explicit(*f);
  step("explicit", *f, true);
  insert_refcounts(*f);
  step("final", *f, true);
  return f;
}

}  // namespace ember
