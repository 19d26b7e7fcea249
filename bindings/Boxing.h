/** \file Boxing.h
 * Moving values between Python objects and the native layout of ember/abi.h, driven by a Plan
 * built once per compiled signature from its type codes.  Unboxing borrows arrays (meminfo NULL,
 * parent = the ndarray, which the call's arguments keep alive); boxing hands an array made in
 * compiled code to NumPy without a copy, its MemInfo owned by the ndarray's base.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bindings/NumpyApi.h"

namespace ember::py {

struct Plan {
  int64_t tag = 0;  ///< EMBER_T_*
  size_t size = 0, align = 1;
  // arrays
  int64_t dtype = 0;
  int ndim = 0;
  bool readonly = false;
  int64_t layout = 2;  ///< EMBER_LAYOUT_*: what an array inside a container must be
  // containers: the whole type code; `owns`: unboxing made references to release afterwards
  std::vector<int64_t> code;
  bool owns = false;
  // tuples and optionals: children and their offsets
  std::vector<Plan> children;
  std::vector<size_t> offsets;
};

/// Builds the plan of the type code starting at code[*pos]; advances *pos.
Plan make_plan(const std::vector<int64_t> &code, size_t *pos);

/// Writes obj into `out` as plan's type; false with a Python error set when it does not fit.
bool unbox(const Plan &plan, PyObject *obj, void *out);
/// A new reference to the Python value of the native value at `in` (which it takes ownership
/// of: array references move into the result).  NULL with an error set on failure.
PyObject *box(const Plan &plan, void *in);
/// Drops the references held by a native value (used when a result is discarded).
void release(const Plan &plan, void *in);
/// Whether values of the plan's type hold strings (whose unboxed arguments need releasing).
bool holds_strings(const Plan &plan);
/// Drops what unboxing an argument made (the MemInfos of its strings), after the call.  A string
/// the compiled code kept (stored in a container it returned) then keeps its str object alive.
void release_argument(const Plan &plan, void *in);

/// Registers the MemInfoOwner type; call once at module import.
bool init_boxing(PyObject *module);

}  // namespace ember::py
