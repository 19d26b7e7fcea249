/** \file Verifier.h
 * Checks the invariants of a Function and reports the first violation as an InternalError.
 *
 * Structural invariants (always):
 *   1. every block is non-empty, ends in exactly one terminator and has none before it;
 *   2. every branch target is a block of the function and passes one argument per parameter;
 *   3. the entry block has no parameters and no predecessors;
 *   4. every operand and branch argument is a value of the function whose definition dominates
 *      the use (a block parameter dominates its whole block);
 *   5. an instruction defines a value exactly when its op produces one (SetItem, IncRef,
 *      DecRef and terminators do not);
 *   6. no instruction uses a maybe-undefined value (an Undef, or a block parameter with a
 *      maybe-undefined argument on some edge) except as the value a CheckBound guards, as a
 *      branch argument, as a live-in of a ParallelFor (its body checks it), or to drop its
 *      reference (DecRef: an undefined value is all zeros, so it owns nothing).  A variable unbound
 * on some path thus reaches code only through the check that raises UnboundLocalError. Typed
 * invariants (when `typed` is set, after type inference):
 *   7. every value used at run time has a known type;
 *   8. branch arguments have their parameter's type, and Ret returns the function's type.
 * The pipeline runs it after every pass in debug builds and when EMBER_VERIFY=1.
 */
#pragma once

#include "ir/IR.h"

namespace ember {

void verify_function(const Function &f, bool typed);

}  // namespace ember
