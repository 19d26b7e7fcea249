/** \file Const.h
 * Compile-time values: the constants of a function and the globals and closure variables it
 * reads, frozen by the front end (ember/values.py) when the function is compiled.  The compiler
 * never sees a Python object: a module, a jitted function or an exception class arrives as a
 * kind plus an opaque handle that only the front end can map back.
 */
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/Builtins.h"

namespace ember {

enum class ScalarKind : uint8_t;

struct ConstValue {
  enum class Kind : uint8_t {
    None,
    Bool,
    Int,             ///< i (a Python int that fits int64)
    Float,           ///< f
    Complex,         ///< f + f2 j
    Str,             ///< str
    Tuple,           ///< elems
    Module,          ///< handle; its attributes are in FunctionInput::modules
    Builtin,         ///< builtin
    Dispatcher,      ///< handle of another jitted function; i = CalleeKind
    ExceptionClass,  ///< i = exception id; str = class name
    NumberClass,     ///< i = ScalarKind (float, int, np.float32, np.dtype('f4'), ...);
                     ///< scalar = 1 for Python's own classes
    Unsupported,     ///< a value ember cannot use; str says what it is
    Array,           ///< a NumPy array read from a global, frozen as a constant: i = its dtype
                     ///< (ScalarKind), shape, and its C-order bytes in str; scalar = 1 for a
                     ///< bytes value (a literal), typed as bytes
    TypeRef,         ///< an ember.types type used as a value: its ABI type code in shape
    JitClass,        ///< a @jitclass: handle = its class id (TypeContext::define_class); str = name
    /// A ctypes or cffi function (ember/cfunctions.py): handle = its address, i = its number of
    /// parameters, shape = the ABI type codes of its result (None: void) then its parameters.
    CFunction,
  };
  Kind kind = Kind::None;
  int32_t scalar = -1;  ///< for Bool/Int/Float/Complex: a NumPy scalar's ScalarKind (-1: Python's)
  int64_t i = 0;
  double f = 0.0, f2 = 0.0;
  uint64_t handle = 0;
  BuiltinId builtin = BuiltinId::NumBuiltins;
  std::string str;
  std::vector<ConstValue> elems;
  std::vector<int64_t> shape;  ///< Array

  static ConstValue integer(int64_t v) {
    ConstValue c;
    c.kind = Kind::Int;
    c.i = v;
    return c;
  }
};

/// The attributes of a module the function reads (only names the function uses).
using ModuleAttrs = std::map<std::string, ConstValue>;

}  // namespace ember
