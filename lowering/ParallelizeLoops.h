/** \file ParallelizeLoops.h
 * Turns every outermost `for i in prange(...)` loop of a parallel=True function into a
 * ParallelFor instruction that runs an outlined copy of the loop body on the thread pool
 * (runtime/include/ember/parallel.h).
 *
 * The loop may carry values from one iteration to the next only as reductions: a variable
 * updated on every path by the same operator (`s += x`, `s -= x`, `p *= x`, `m &= x`,
 * `m |= x`, `m ^= x`, `s = min(s, x)`, `s = max(s, x)`, possibly under an `if`), and read
 * nowhere else in the loop.  The outlined function runs iterations [lo, hi) with each
 * reduction starting from its operator's identity and returns the partial results; the
 * ParallelFor combines the chunks' partials and the loop's entry values.  The body must leave
 * the loop only through its end (no break or return; raise is fine).  Inner pranges stay
 * serial loops.  Runs after make_explicit(), before fusion and reference counting; the
 * outlined function is a callee of the function (Function::callees).
 */
#pragma once

#include <memory>
#include <vector>

#include "ir/IR.h"

namespace ember {

/// Returns the outlined loop bodies (already callees of f), for the pipeline to finish.
std::vector<std::shared_ptr<Function>> parallelize_loops(Function &f);

}  // namespace ember
