/** \file CheckServices.h
 * Typing knows the target: a feature whose runtime service the target lacks (an array made in
 * compiled code without an allocator, np.sort without the sort kernels, prange without a thread
 * pool, ...; ir/rules/RuntimeNeeds.h) is a TypingError at the user's line, naming the target as
 * InferOptions::target_name does: "np.zeros() allocates an array, which a CUDA kernel cannot do;
 * allocate it on the host and pass it in".  Runs after make_explicit(), before the passes that
 * outline prange loops, so every feature is still an instruction with its line.
 */
#pragma once

#include "ir/IR.h"
#include "typeinfer/InferTypes.h"

namespace ember {

/// Raises a TypingError at the first instruction of f that needs a service options.services
/// lacks (and at the def line for parallel=True without a thread pool).
void check_services(const Function &f, const InferOptions &options);

}  // namespace ember
