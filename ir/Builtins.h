/** \file Builtins.h
 * The ids of the Python callables ember compiles specially (Builtins.def).  The front end maps
 * Python objects to these ids; typing rules and lowering switch on them.
 */
#pragma once

#include <cstdint>
#include <string>

namespace ember {

enum class BuiltinId : uint16_t {
#define EMBER_BUILTIN(id, module, attr) id,
#include "ir/Builtins.def"
#undef EMBER_BUILTIN
  NumBuiltins
};

struct BuiltinInfo {
  const char *module;
  const char *attr;
};

/// Module and attribute of a builtin, e.g. {"math", "sqrt"}.
const BuiltinInfo &builtin_info(BuiltinId id);
/// str(), ord(), chr(), hash(), format(), repr() and str's methods (Builtins.def's last block).
bool is_string_builtin(BuiltinId id);
/// The builtin as the user wrote it, for messages: "np.sum", "math.sqrt", "len", "ndarray.fill".
std::string builtin_display_name(BuiltinId id);

}  // namespace ember
