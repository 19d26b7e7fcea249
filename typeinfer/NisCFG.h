/** \file NisCFG.h
 * The basic blocks of a NIS instruction stream and the operand-stack depth on entry to each.
 * Leaders are instruction 0, every jump target and every instruction after a branch or a
 * terminator.  The depth on every edge into a block must agree (CPython guarantees it); a
 * disagreement is a normalizer bug and raises InternalError.
 */
#pragma once

#include <vector>

#include "typeinfer/Nis.h"

namespace ember {

struct NisBlock {
  int32_t start = 0, end = 0;  ///< [start, end) instruction indices
  int32_t entry_depth = -1;    ///< -1 when unreachable
  /// For each stack slot on entry (bottom first), whether it holds the NULL marker of a call.
  /// Which slots hold it is a property of the bytecode, the same on every edge, so the marker
  /// never needs a phi even when a branch (`f(a if c else b)`) sits between it and its CALL.
  std::vector<char> entry_nulls;
  std::vector<int32_t> succs;  ///< successor block indices, in the terminator's order
  /// The exception-table entry (FunctionInput::handlers) the block's last instruction raises
  /// into, or -1; its handler's block is then the last successor.
  int32_t handler = -1;
  /// The entry this block is the handler of, or -1: it starts with that entry's stack.
  int32_t handler_entry = -1;
};

struct NisCFG {
  std::vector<NisBlock> blocks;
  std::vector<int32_t> block_of;  ///< instruction index -> block index (leaders only matter)
};

NisCFG build_nis_cfg(const FunctionInput &in);

/// Whether a NIS instruction may raise (so that, inside a try, it ends its block with an edge to
/// the handler).
bool nis_may_raise(NisOp op);
/// The exception-table entry covering instruction i, or -1.
int32_t nis_handler_of(const FunctionInput &in, int32_t i);

/// The stack effect of one instruction on its fall-through (or only) path.  For FOR_ITER this
/// is the body edge (+1); its exit edge pops the iterator (-1).
int nis_stack_effect(const NisInstr &ins);

/// Applies one instruction's effect on the NULL-marker mask of the stack (one entry per slot,
/// bottom first) along its fall-through (or only) path; for FOR_ITER, the body edge.
void nis_track_nulls(const NisInstr &ins, std::vector<char> &nulls);

}  // namespace ember
