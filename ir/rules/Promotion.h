/** \file Promotion.h
 * Numba's promotion of scalars for arithmetic, which typing (typeinfer/ScalarRules.cpp,
 * CallRules.cpp) and lowering (mixed comparisons, min/max of mixed tuples) share: integer
 * arithmetic happens in at least 64 bits (int8 + int8 is int64), signed with unsigned gives
 * int64, float32 stays float32 only with float32, bool or small integers.  NumPy's dtype
 * promotion for arrays is in Elementwise.h.
 */
#pragma once

#include "ir/Types.h"

namespace ember {

/// The common type of two scalars for arithmetic (Numba's promotion rules; see docs/design.md).
ScalarKind promote(ScalarKind a, ScalarKind b);
/// The common type of two integers (or bools) for arithmetic: uint64 when both are unsigned,
/// else int64.
ScalarKind int_promote(ScalarKind a, ScalarKind b);

}  // namespace ember
