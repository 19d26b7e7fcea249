/** \file CallRules.h
 * Argument binding for calls of builtins, shared by the typing rules (CallRules.cpp) and by
 * make_explicit(), which rewrites keyword and default arguments into positional ones.
 */
#pragma once

#include <string>
#include <vector>

#include "typeinfer/TypeRules.h"

namespace ember {

/// The parameters of a builtin: names in positional order, how many are required, and whether
/// it takes a variable number of positional arguments (then keywords are refused).
struct BuiltinSignature {
  std::vector<const char *> names;
  int required = 0;
  bool varargs = false;
};
const BuiltinSignature &builtin_signature(BuiltinId id);

/// Binds the call's arguments (operands after the callee) to `names`: for each parameter, the
/// operand index bound to it, or -1.  Raises a TypingError for unknown, duplicate or missing
/// arguments.
std::vector<int> bind_call_args(const RuleContext &cx, const std::vector<const char *> &names,
                                int required, const std::string &fname);

/// NumPy's dtype names ("float32", "f4", "int", ...) -> scalar kind.
bool parse_dtype_name(const std::string &name, ScalarKind *out);
/// The dtype a compile-time value denotes (np.float32, float, 'f4'); false when none.
bool dtype_of(const TypeContext &types, TypeId t, ScalarKind *out);

}  // namespace ember
