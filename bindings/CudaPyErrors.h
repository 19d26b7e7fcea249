/** \file CudaPyErrors.h
 * How the _cuda module reports C++ failures to Python: a CudaFailure becomes
 * ember.errors.CudaDriverError (HipError for the HIP runtime's) with .call, .code and .name;
 * std::invalid_argument a ValueError; anything else a RuntimeError.  Used by the raw C types
 * (DeviceArray, the launchers) and by the pybind11 exception translator alike.
 */
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

namespace ember::cuda {
class CudaFailure;
}

namespace ember::py::cuda {

/// Imports ember.errors.CudaDriverError; once, at module import.
bool init_errors();
/// Sets CudaDriverError for `failure`.
void set_cuda_failure(const ember::cuda::CudaFailure &failure);
/// Inside a catch (...): sets the Python error for the exception being handled.  Returns
/// nullptr so a C function can `return set_error_from_exception();`.
PyObject *set_error_from_exception();

}  // namespace ember::py::cuda
