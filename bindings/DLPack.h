/** \file DLPack.h
 * DLPack's C structures (the data-exchange ABI of CuPy, PyTorch, JAX and NumPy), declared by
 * ember from the published specification, and the two directions ember needs: reading a
 * capsule's DLManagedTensor(Versioned) into a neutral description, and making a capsule for a
 * DeviceArray.  Capsules are named "dltensor" (DLPack < 1.0) or "dltensor_versioned" (1.0+);
 * a consumer renames one "used_dltensor[_versioned]" and owns it from then on, calling its
 * deleter when done.  DLPack strides count elements; ember's count bytes.
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#define PY_SSIZE_T_CLEAN
#include <Python.h>

namespace ember::py::dlpack {

enum DeviceType : int32_t {
  kDLCPU = 1,
  kDLCUDA = 2,
  kDLCUDAHost = 3,
  kDLROCM = 10,
  kDLROCMHost = 11,
  kDLCUDAManaged = 13,
};

enum TypeCode : uint8_t {
  kDLInt = 0,
  kDLUInt = 1,
  kDLFloat = 2,
  kDLOpaqueHandle = 3,
  kDLBfloat = 4,
  kDLComplex = 5,
  kDLBool = 6,
};

struct DLDevice {
  int32_t device_type;
  int32_t device_id;
};

struct DLDataType {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
};

struct DLTensor {
  void *data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t *shape;
  int64_t *strides;  // elements; null = C-contiguous
  uint64_t byte_offset;
};

struct DLManagedTensor {
  DLTensor dl_tensor;
  void *manager_ctx;
  void (*deleter)(DLManagedTensor *self);
};

struct DLPackVersion {
  uint32_t major;
  uint32_t minor;
};

constexpr uint64_t kFlagReadOnly = 1ull << 0;
constexpr uint64_t kFlagIsCopied = 1ull << 1;

struct DLManagedTensorVersioned {
  DLPackVersion version;
  void *manager_ctx;
  void (*deleter)(DLManagedTensorVersioned *self);
  uint64_t flags;
  DLTensor dl_tensor;
};

/// The DLPack version ember exports.
constexpr uint32_t kMajor = 1, kMinor = 0;

/// A tensor read from a capsule: bytes for strides, a NumPy typestr for the element type.
struct Imported {
  uint64_t data = 0;  // data + byte_offset
  std::vector<int64_t> shape, strides;
  std::string typestr;
  bool readonly = false;
  int32_t device_type = 0, device_id = 0;
};

/// Reads a "dltensor" or "dltensor_versioned" capsule, renames it used_*, and returns a new
/// reference to an owner object whose destruction calls the tensor's deleter (the capsule no
/// longer does).  NULL with a Python error (BufferError, TypeError) when it cannot.
PyObject *import_capsule(PyObject *capsule, Imported *out);

/// The DLPack element type of a NumPy typestr ("<f4"); false when DLPack has none.
bool dtype_of_typestr(const std::string &typestr, DLDataType *out);

/// A new capsule exporting an array described by the arguments, keeping `owner` alive until the
/// consumer's deleter runs.  `versioned` picks DLPack 1.0's struct.  NULL with BufferError when
/// the strides are not whole elements or the type has no DLPack code.
PyObject *export_capsule(PyObject *owner, uint64_t data, const int64_t *shape,
                         const int64_t *strides_bytes, int ndim, const std::string &typestr,
                         bool readonly, DLDevice device, bool versioned);

/// Registers the owner type; once at module import.
bool init(PyObject *module);

}  // namespace ember::py::dlpack
