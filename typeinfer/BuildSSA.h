/** \file BuildSSA.h
 * NIS -> untyped SSA IR, in one pass over the blocks in reverse postorder, following
 * Braun, Buchwald, Hack, Leißa, Mallon and Zwinkau, "Simple and Efficient Construction of
 * Static Single Assignment Form" (CC 2013).
 *
 * Local variables and the operand-stack slots live across block boundaries are both treated as
 * SSA variables, so stack phis (from `x if c else y`, `and`/`or`, chained comparisons) come out
 * as ordinary block parameters.  FOR_ITER's body edge gets a block of its own that reads the
 * iterator's value.  Trivial phis are removed at the end, then dead constants.
 * The result has every type Unknown; infer_types() fills them in.
 */
#pragma once

#include <memory>

#include "ir/IR.h"
#include "typeinfer/Nis.h"

namespace ember {

std::unique_ptr<Function> build_ssa(const FunctionInput &in, TypeContext &types);

}  // namespace ember
