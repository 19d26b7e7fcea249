/** \file InsertRefcounts.h
 * Makes reference counting explicit with IncRef/DecRef instructions, so that arrays allocated in
 * compiled code are freed exactly when their last reference dies.
 *
 * The ownership rule: every SSA value of a counted type (arrays, and tuples, optionals and
 * iterators holding them) owns one reference from its definition — lowering makes every
 * producing instruction return a new reference (allocations do; views, extractions, Arg and
 * Cast take one).  This pass then
 *   - drops a value's reference right after its last use in a block, or right after its
 *     definition when it is never used;
 *   - on every control-flow edge, takes a reference for each branch argument (the block
 *     parameter owns it) and drops the values that are live at the end of the block but not on
 *     entry to the target (splitting the edge when the two edges of a condbr need different
 *     work);
 *   - at `ret`, transfers the returned value's reference to the caller and drops the rest;
 *     at `raise`, drops everything live;
 *   - records in Function::unwind, for each instruction that may raise, the references to drop
 *     on its error path.
 * Two borrowed exceptions (as Numba's callees borrow): an argument other than an array that the
 * function never returns nor passes along a branch takes no reference (the caller holds one for
 * the whole call), and a jitclass bound method `obj.m` only called in its own block holds none
 * (its calls count as uses of obj instead); the pass marks both with imm2 = 1 for lowering.
 * Liveness is computed once (ir/CFG.h); the pass runs after make_explicit().
 */
#pragma once

#include "ir/IR.h"

namespace ember {

void insert_refcounts(Function &f);

/// Whether lowering of this instruction can raise (and so needs an unwind set).
bool may_raise(const Function &f, const InstData &d);

}  // namespace ember
