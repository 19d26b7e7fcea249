/**
 * @file CaughtArgs.h
 * The static type of `e.args` under `except E as e`: the values an exception carries are known
 * only where it is raised, so the handler's type is the unification of the argument tuples of
 * the explicit raises (`raise E(args...)`, in this function's try body or in the compiled
 * callees it calls there) whose class may match the clause.  The record is converted to that
 * type at run time, which refuses an exception of another shape (lowering/CodeGenCaught.cpp).
 */
#ifndef EMBER_TYPEINFER_CAUGHTARGS_H
#define EMBER_TYPEINFER_CAUGHTARGS_H

#include <map>

#include "ir/CFG.h"
#include "ir/IR.h"

namespace ember {

/// e.args of the caught exception `caught`, read in block `use`.  `callees` holds the calls
/// typed so far (by result value); a conflict between raise sites is a TypingError at loc.
TypeId type_caught_args(const Function &f, const CFG &cfg,
                        const std::map<uint32_t, CalleeRef> &callees, Value caught, Block use,
                        SourceLoc loc);

}  // namespace ember

#endif
