/** \file Builtins.h
 * The ids of the Python callables ember compiles specially (Builtins.def).  The front end maps
 * Python objects to these ids; typing rules and lowering switch on them.
 */
#pragma once

#include <cstdint>

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

}  // namespace ember
