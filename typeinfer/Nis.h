/** \file Nis.h
 * What the front end hands the compiler: a function's normalized instructions (NIS, see
 * ember/bytecode.py and research/frontend.md §2.4) plus its constants and the frozen values of
 * the globals and closure variables it reads.  Plain data: no Python objects.
 */
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/Const.h"

namespace ember {

enum class NisOp : uint8_t {
#define EMBER_NIS(name, pyname) name,
#define EMBER_NIS_AT(name, pyname, number) name = number,
#include "typeinfer/NisOps.def"
#undef EMBER_NIS_AT
#undef EMBER_NIS
};
const char *nis_op_name(NisOp op);  ///< the Python-side name, e.g. "LOAD_FAST"; null for a gap
/// One more than the largest op number (numbers from 90 on are fixed, leaving a gap).
constexpr int kNumNisOps = 1 + std::max({0
#define EMBER_NIS(name, pyname) , static_cast<int>(NisOp::name)
#define EMBER_NIS_AT(name, pyname, number) , number
#include "typeinfer/NisOps.def"
#undef EMBER_NIS_AT
#undef EMBER_NIS
});
/// Whether op is a number of the enum (not a gap).
bool is_nis_op(int op);

struct NisInstr {
  NisOp op;
  int32_t arg = 0;
  int32_t arg2 = 0;
  int32_t target = -1;  ///< a NIS instruction index for jumps, else -1
  int32_t offset = 0;   ///< the CPython byte offset
  int32_t line = 0;     ///< the absolute source line
};

/// An entry of the exception table: an exception raised by code[start, end) jumps to
/// code[target] with the stack cut to `depth` items, then an int when `lasti`, then the exception.
struct NisHandler {
  int32_t start = 0, end = 0, target = 0, depth = 0;
  bool lasti = false;
};

struct FunctionInput {
  std::string name, qualname, filename;
  int32_t firstlineno = 0;
  int32_t argcount = 0;        ///< positional parameters
  int32_t kwonlyargcount = 0;  ///< keyword-only parameters (they follow the positional ones)
  std::vector<std::string> varnames;
  std::vector<std::string> names;
  std::vector<ConstValue> consts;
  /// The frozen value of names[i] when it is read as a global or closure variable
  /// (Kind::Unsupported, with a description in str, when it cannot be used).
  std::vector<ConstValue> name_values;
  std::map<uint64_t, ModuleAttrs> modules;
  std::vector<NisInstr> code;
  std::vector<NisHandler> handlers;
  uint64_t self_handle = 0;  ///< the handle of this function's own dispatcher
};

}  // namespace ember
