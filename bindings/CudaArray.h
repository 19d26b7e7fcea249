/** \file CudaArray.h
 * The device-array side of the _cuda module: DeviceArray, a small native type describing an
 * array in device memory (address, shape, byte strides, NumPy typestr, owner, stream) that
 * exports __cuda_array_interface__ (v3) and DLPack, and that the kernel launcher reads without
 * any Python-level work; and the readers of what other libraries hand over:
 * __cuda_array_interface__ dictionaries (CuPy, PyTorch, numba) and (ptr, shape, strides) tuples.
 * The GPU DeviceNDArray of ember.cuda can subclass DeviceArray (it is a base type with a
 * __dict__) or hold one.  An array in HIP memory has device_type kDLROCM: DLPack exports it as
 * ROCm memory and synchronizes streams through the HIP runtime.
 */
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstdint>
#include <string>

namespace ember::py::cuda {

constexpr int kMaxDims = 64;

struct DeviceArrayObject {
  PyObject_HEAD uint64_t data;
  int32_t ndim;
  int32_t device_id;
  int32_t device_type;  // DLPack's: kDLCUDA, or kDLROCM for HIP memory
  int64_t itemsize;
  int64_t *shape;  // into `inline_dims` or a heap block: shape[ndim] then strides[ndim]
  int64_t *strides;
  int64_t inline_dims[8];
  PyObject *typestr;  // str
  PyObject *owner;    // keeps the memory alive (any object, or None)
  uint64_t stream;    // the stream its producer last used (0: the legacy default stream)
  bool readonly;
  PyObject *dict;
  PyObject *weakrefs;
};

extern PyTypeObject DeviceArrayType;

inline bool is_device_array(PyObject *obj) { return PyObject_TypeCheck(obj, &DeviceArrayType); }

/// An array as the launcher needs it; shape and strides point into the source object or into
/// `storage`.
struct ArrayView {
  uint64_t data = 0;
  int ndim = 0;
  const int64_t *shape = nullptr;
  const int64_t *strides = nullptr;
  int64_t itemsize = 0;
  bool readonly = false;
  bool has_stream = false;  // a __cuda_array_interface__ that names a stream to wait for
  uint64_t stream = 0;
  int64_t storage[2 * kMaxDims];
};

/// What a __cuda_array_interface__ dictionary says (version 0 to 3).
struct CaiInfo {
  ArrayView view;
  std::string typestr;
  int version = 0;
};

/// Reads a __cuda_array_interface__ dict; false with TypeError/ValueError (naming the key).
bool parse_cuda_array_interface(PyObject *dict, CaiInfo *out);

/// Any array the launcher accepts: a DeviceArray, an object with __cuda_array_interface__, or
/// a (ptr, shape, strides) tuple of ints.  False with a TypeError saying what was expected.
bool array_view_of(PyObject *obj, ArrayView *out);

/// The itemsize of a NumPy typestr ("<f4" -> 4), 0 when it is not one.
int64_t itemsize_of_typestr(const std::string &typestr);

bool init_device_array(PyObject *module);

}  // namespace ember::py::cuda
