/** \file FuseArrayExprs.h
 * Fuses chains of element-wise array operations so that `a * b + c` is one loop with no
 * temporary arrays.  An element-wise operation (Elementwise.h) whose result has exactly one
 * use, by a later element-wise operation or as the value of an array store in the same block,
 * with nothing in between that may write memory (a store, a call, an in-place array update), is
 * marked in Function::fused: lowering computes it inline, element by element, inside its user's
 * loop, and never materializes it.  Runs after make_explicit() and before insert_refcounts(),
 * which treats a fused value's operands as used by the operation that computes it.
 */
#pragma once

#include "ir/IR.h"

namespace ember {

void fuse_array_exprs(Function &f);

/// The operands an instruction reads at run time once fusion is applied: a fused operand is
/// replaced, recursively, by the operands it is computed from.
std::vector<Value> effective_operands(const Function &f, const InstData &d);

}  // namespace ember
