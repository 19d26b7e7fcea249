/** \file Elementwise.h
 * Element-wise operations over arrays: arithmetic, comparisons and unary operators with an
 * array operand, and NumPy's ufuncs (np.sqrt, np.where, ...) called on arrays.  One rule gives
 * the dtype every element is computed in and the result's dtype, with NumPy 2's promotion:
 * array dtypes combine by np.promote_types, and scalars are "weak" (NEP 50: a float scalar
 * keeps a float32 array float32; an int scalar keeps an int8 array int8).  Operands broadcast
 * as in NumPy; the result is a new C-contiguous array of the broadcast ndim.
 *
 * Typing (typeinfer/ScalarRules, CallRules), the fusion pass and lowering all ask this file, so
 * they agree; it lives in ir/rules/ so that lowering need not include typeinfer/.
 */
#pragma once

#include "ir/IR.h"

namespace ember {

/// NumPy's np.promote_types for two dtypes.
ScalarKind numpy_promote(ScalarKind a, ScalarKind b);

struct ElementwiseTyping {
  ScalarKind compute = ScalarKind::Float64;  ///< operands are converted to this per element
  ScalarKind result = ScalarKind::Float64;   ///< the result array's dtype
  int ndim = 0;                              ///< the broadcast ndim
};

/// Whether d is an element-wise operation (some operand is an array, none is anything but
/// arrays and numbers); if so, fills *out.  Raises a TypingError for ill-typed ones.
bool type_elementwise(TypeContext &types, const Function &f, const InstData &d,
                      ElementwiseTyping *out);

/// The builtins that are element-wise ufuncs when given an array.
bool is_ufunc_builtin(BuiltinId id);
/// Whether a numpy ufunc builtin maps a complex number through the runtime's ember_complex_fn
/// (np.sqrt, np.exp, np.log*, trigonometry): its result has the argument's complex dtype.
bool is_complex_fn_builtin(BuiltinId id);

}  // namespace ember
