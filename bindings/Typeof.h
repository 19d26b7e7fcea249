/** \file Typeof.h
 * Python values -> ember types, two ways: a 64-bit fingerprint computed with exact type checks
 * on the dispatcher's hot path, and the full type code (ember/abi.h) for compiling.  The
 * fingerprint of a value equals fingerprint_of_code() of its type code, so an entry compiled
 * for a type code matches the values of that type.
 */
#pragma once

#include <cstdint>
#include <vector>

#include "bindings/NumpyApi.h"

namespace ember::py {

/// 0 when the value needs the slow path (an unsupported type, or a tuple holding one).
uint64_t fingerprint(PyObject *obj);
/// Appends obj's type code; returns false (with no Python error set) when unsupported.
bool type_code(PyObject *obj, std::vector<int64_t> *out);
uint64_t fingerprint_of_code(const std::vector<int64_t> &code);
/// A ctypes function's address when obj is one (its signature is its type code), else null.
bool is_ctypes_function(PyObject *obj);
void *ctypes_function_address(PyObject *obj);
/// Whether obj may be a cffi function: a cdata of _cffi_backend, or a built-in function of an
/// out-of-line module's lib (ember.cfunctions decides whether it is one).
bool maybe_cffi_function(PyObject *obj);
/// A cffi function's address, from ember.cfunctions.c_function_address; false with a Python
/// error set when obj is not one.
bool cffi_function_address(PyObject *obj, void **out);
/// The NumPy type number of a dtype tag (EMBER_T_*), -1 if none.
int numpy_typenum(int64_t tag);
/// A new reference to the NumPy dtype of a dtype tag (datetimes with their unit), or null with
/// a Python error set.
PyArray_Descr *descr_of_tag(int64_t tag);
/// The tag of a NumPy dtype, 0 when ember does not support it.
int64_t tag_of_descr(PyArray_Descr *descr);

}  // namespace ember::py
