/** \file Pipeline.h
 * The front half of every target's pipeline, in order: NIS -> SSA (build_ssa) -> types
 * (infer_types) -> explicit casts and arguments (make_explicit) -> the check that the target
 * has every runtime service the function needs (check_services) -> outlined prange bodies
 * (parallelize_loops) -> fused array expressions -> reference counts (insert_refcounts).  The
 * result is the typed IR that targets lower and that callers lower again when they inline a
 * callee.  With `verify`, the verifier runs after every step.
 *
 * It lives in targets/, above both typeinfer/ and lowering/, because it runs passes of both:
 * every target's compiler (targets/cpu/CpuCompiler.h, later targets/cuda/) calls it, and
 * lowering/ never includes typeinfer/.
 */
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ir/IR.h"
#include "typeinfer/InferTypes.h"
#include "typeinfer/Nis.h"

namespace ember {

struct PipelineOptions {
  CodeFlags flags;
  std::string symbol;  ///< the native symbol the function will have
  bool verify = false;
  /// A kernel (not a device function): it must return None (check_kernel_returns).
  bool kernel = false;
  /// Called with a stage name ("ssa", "typed", "final") and the function, when set.
  std::function<void(const char *, const Function &)> dump;
};

std::shared_ptr<Function> build_typed_function(const FunctionInput &in, TypeContext &types,
                                               const std::vector<TypeId> &arg_types,
                                               CalleeResolver &resolver, const InferOptions &infer,
                                               const PipelineOptions &options);

}  // namespace ember
