// CudaPyErrors: C++ exceptions of the CUDA host layer as Python exceptions.
#include "bindings/CudaPyErrors.h"

#include <new>
#include <stdexcept>

#include "runtime/cuda/CudaErrors.h"

namespace ember::py::cuda {

namespace {
PyObject *driver_error_class = nullptr;
PyObject *hip_error_class = nullptr;
}  // namespace

bool init_errors() {
  PyObject *errors = PyImport_ImportModule("ember.errors");
  if (!errors) return false;
  driver_error_class = PyObject_GetAttrString(errors, "CudaDriverError");
  hip_error_class = PyObject_GetAttrString(errors, "HipError");
  Py_DECREF(errors);
  return driver_error_class != nullptr && hip_error_class != nullptr;
}

void set_cuda_failure(const ember::cuda::CudaFailure &failure) {
  PyObject *code = failure.code() >= 0 ? PyLong_FromLong(failure.code()) : Py_NewRef(Py_None);
  PyObject *name = failure.error_name().empty()
                       ? Py_NewRef(Py_None)
                       : PyUnicode_FromString(failure.error_name().c_str());
  PyObject *exc = nullptr;
  if (code && name)
    exc = PyObject_CallFunction(
        failure.vendor() == ember::cuda::Vendor::Hip ? hip_error_class : driver_error_class, "ssOO",
        failure.what(), failure.call().c_str(), code, name);
  Py_XDECREF(code);
  Py_XDECREF(name);
  if (!exc) return;  // the call's own error stays set
  PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(exc)), exc);
  Py_DECREF(exc);
}

PyObject *set_error_from_exception() {
  try {
    throw;
  } catch (const ember::cuda::CudaFailure &e) {
    set_cuda_failure(e);
  } catch (const std::invalid_argument &e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const std::bad_alloc &) {
    PyErr_NoMemory();
  } catch (const std::exception &e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return nullptr;
}

}  // namespace ember::py::cuda
