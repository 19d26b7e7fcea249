/**
 * @file Isinstance.h
 * isinstance(x, cls) in compiled code, decided from types at compile time (as Numba does): the
 * class is a number class (int, float, complex, bool, np.float64, ...), str, list, dict, set,
 * or a tuple of those.  Shared by typing (which rejects other classes at the line) and
 * lowering (which emits the constant).
 */
#ifndef EMBER_IR_RULES_ISINSTANCE_H
#define EMBER_IR_RULES_ISINSTANCE_H

#include "ir/Types.h"

namespace ember {

/// Whether a value of type `value` is an instance of the class `cls` (the type of the
/// isinstance call's second argument); false in *known when cls is not a supported class.
bool isinstance_of(const TypeContext &types, TypeId value, TypeId cls, bool *known);

}  // namespace ember

#endif
