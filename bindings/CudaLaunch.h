/** \file CudaLaunch.h
 * The native launch path of the _cuda module.  A KernelLauncher holds one kernel (function
 * handle, module, parameter layout computed once); launcher.configure(grid, block, stream,
 * shared) returns a ConfiguredLaunch, a vectorcall object whose call converts the positional
 * arguments straight into a stack parameter buffer and calls cuLaunchKernel:
 *   DeviceArray            -> its address, shape and strides, read from the C struct
 *   __cuda_array_interface__ object / (ptr, shape, strides) tuple -> parsed natively
 *   int / float / bool / complex (and NumPy scalars) -> the slot's width
 * No Python-level code runs, nothing is allocated (below 1 KiB of parameters).
 *
 * fill_params() is the same conversion for ParamLayout.pack() (tests, Driver.launch with a
 * list of arguments), so what the tests check without a GPU is what launches use.
 */
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <vector>

#include "runtime/cuda/KernelLauncher.h"

namespace ember::py::cuda {

/// Writes args[0..nargs) into `writer` as `layout` says; `what` names the kernel in messages.
/// Streams named by __cuda_array_interface__ arguments go to *producer_streams (when given).
/// False with a Python error naming the argument.
bool fill_params(const ember::cuda::ParamLayout &layout, ember::cuda::ParamWriter &writer,
                 PyObject *const *args, Py_ssize_t nargs, const char *what,
                 std::vector<uint64_t> *producer_streams);

/// Grid or block dimensions from an int or a tuple of 1 to 3 ints.
bool read_dim3(PyObject *obj, ember::cuda::Dim3 *out, const char *what);

/// Registers KernelLauncher and ConfiguredLaunch.  `function_type` and `stream_type` are the
/// pybind11 classes Function and Stream (the launcher takes their C++ objects).
bool init_launch(PyObject *module);

}  // namespace ember::py::cuda
