/** \file Kernel.h
 * Facts about the kernel language (ember.cuda's builtins, ir/Builtins.def) that typing
 * (typeinfer/KernelRules.cpp) and lowering (lowering/CodeGenKernel.cpp) must agree on: which
 * builtins belong to it, which are values rather than calls, and the compile-time shapes of
 * cuda.shared.array / cuda.local.array.
 */
#pragma once

#include <cstdint>
#include <vector>

#include "ir/IR.h"

namespace ember {

/// A builtin of ember.cuda (usable only inside kernels and device functions).
bool is_kernel_builtin(BuiltinId id);
/// threadIdx, blockIdx, blockDim, gridDim: 0..3 in that order (lowering's GridQuery), else -1.
int grid_query_index(BuiltinId id);
/// cuda.laneid, cuda.warpsize: read as values, not called.
bool is_kernel_value(BuiltinId id);
/// The atomics of cuda.atomic (add, sub, ..., cas, compare_and_swap).
bool is_kernel_atomic(BuiltinId id);
/// Whether lowering a call of this builtin synchronizes the threads of a block or warp
/// (barriers, shuffles, votes): a kernel that does cannot run its threads as a plain loop.
bool kernel_builtin_synchronizes(BuiltinId id);

/// The shape `v` holds when it is known at compile time: an integer constant, or a tuple of
/// them (a constant tuple or a tuple built of constants).  False otherwise.
bool constant_shape(const Function &f, Value v, std::vector<int64_t> *out);

}  // namespace ember
