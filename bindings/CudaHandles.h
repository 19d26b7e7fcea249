/** \file CudaHandles.h
 * The C++ objects behind the _cuda module's pybind11 classes (DevicePointer, Stream, Event,
 * Module, Function, ...), and the converters the raw C types (CudaLaunch, CudaArray) use to
 * read them.  Each owner frees its driver resource when Python drops it; a failure then (the
 * driver is shutting down at interpreter exit) is ignored, as there is nothing left to free.
 */
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <memory>
#include <string>

#include "runtime/cuda/CudaModule.h"
#include "runtime/cuda/KernelParams.h"

namespace ember::py::cuda {

using ember::cuda::CudaDriver;
using ember::cuda::CudaModule;

/// Device memory from cuMemAlloc; freed on destruction unless free() ran first.
struct DevicePointer {
  std::shared_ptr<CudaDriver> driver;
  ember::cuda::CUdeviceptr address = 0;
  size_t size = 0;
  void free();
  ~DevicePointer();
};

/// Page-locked host memory from cuMemAllocHost (a Python buffer).
struct PinnedBuffer {
  std::shared_ptr<CudaDriver> driver;
  void *address = nullptr;
  size_t size = 0;
  void free();
  ~PinnedBuffer();
};

struct Stream {
  std::shared_ptr<CudaDriver> driver;
  ember::cuda::CUstream handle = nullptr;
  bool owned = false;
  void destroy();
  ~Stream();
};

struct Event {
  std::shared_ptr<CudaDriver> driver;
  ember::cuda::CUevent handle = nullptr;
  void destroy();
  ~Event();
};

struct Function {
  std::shared_ptr<CudaModule> module;
  std::string name;
  ember::cuda::CUfunction handle = nullptr;
};

/// None, 0 -> the legacy default stream (null); an int -> that handle; a Stream -> its handle.
/// False with a TypeError otherwise.
bool stream_of(PyObject *obj, ember::cuda::CUstream *out);
/// A Function object's C++ value; false with a TypeError otherwise.
bool function_of(PyObject *obj, const Function **out);
/// A ParamLayout object, or a sequence of (ArgKind, size_or_ndim) pairs.  False with an error.
bool layout_of(PyObject *obj, std::unique_ptr<ember::cuda::ParamLayout> *out);

}  // namespace ember::py::cuda
