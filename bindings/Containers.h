/** \file Containers.h
 * The Python side of ember's native containers (runtime: ember/containers.h).
 * `_ember.NativeContainer` is the base type of ember.typed.List and ember.typed.Dict: it owns a
 * reference to a container's MemInfo and knows its ABI type code, so the dispatcher passes it to
 * compiled code without a copy, and a container made in compiled code comes back as one.  Its
 * low-level methods (`_append`, `_lookup`, ...) box and unbox single items; the Pythonic API is
 * written in ember/typed.py on top of them.
 */
#pragma once

#include <cstdint>
#include <vector>

#include "bindings/NumpyApi.h"
#include "ember/abi.h"

namespace ember::py {

/// Registers NativeContainer and the runtime's array-adoption hook; call once at import.
bool init_containers(PyObject *module);
/// Whether obj is a NativeContainer (typed.List or typed.Dict).
bool is_native_container(PyObject *obj);
/// The type code and MemInfo of a NativeContainer (borrowed); false if it is not one.
bool native_container(PyObject *obj, const std::vector<int64_t> **code, ember_meminfo **mi);
/// A new typed.List (code[0] == EMBER_T_LIST) or typed.Dict object owning `mi` (the reference
/// moves into it).  NULL with an error set (and mi released) on failure.
PyObject *wrap_container(const std::vector<int64_t> &code, ember_meminfo *mi);
/// A new native list / set made from the items of a Python list / set (the reflected
/// argument), or NULL with an error set.  `code` is the container's whole type code.
ember_meminfo *native_from_python(const std::vector<int64_t> &code, PyObject *obj);
/// Writes a native list / set back into the Python list / set it was made from (reflection).
bool reflect_to_python(const std::vector<int64_t> &code, ember_meminfo *mi, PyObject *obj);
/// A new Python list or set holding the boxed items of a native one (which is not released).
PyObject *python_from_native(const std::vector<int64_t> &code, ember_meminfo *mi);

}  // namespace ember::py
