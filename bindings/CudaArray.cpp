// CudaArray: the DeviceArray type, its __cuda_array_interface__ and DLPack exports, and the
// readers of foreign device arrays (CudaArray.h).
#include "bindings/CudaArray.h"

#include <cstdio>
#include <cstring>
#include <memory>

#include "bindings/CudaPyErrors.h"
#include "bindings/DLPack.h"
#include "runtime/cuda/CudaDriver.h"

namespace ember::py::cuda {

namespace {

// ---- small readers --------------------------------------------------------------------------

bool read_int64(PyObject *obj, int64_t *out, const char *what) {
  PyObject *index = PyNumber_Index(obj);
  if (!index) {
    PyErr_Format(PyExc_TypeError, "%s must be an integer, not %s", what, Py_TYPE(obj)->tp_name);
    return false;
  }
  long long v = PyLong_AsLongLong(index);
  Py_DECREF(index);
  if (v == -1 && PyErr_Occurred()) return false;
  *out = v;
  return true;
}

bool read_address(PyObject *obj, uint64_t *out, const char *what) {
  PyObject *index = PyNumber_Index(obj);
  if (!index) {
    PyErr_Format(PyExc_TypeError, "%s must be an integer address, not %s", what,
                 Py_TYPE(obj)->tp_name);
    return false;
  }
  unsigned long long v = PyLong_AsUnsignedLongLong(index);
  Py_DECREF(index);
  if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred()) return false;
  *out = v;
  return true;
}

/// An int or a sequence of ints into dims[0..*ndim).
bool read_dims(PyObject *obj, int64_t *dims, int *ndim, const char *what) {
  if (PyLong_Check(obj) || PyIndex_Check(obj)) {
    *ndim = 1;
    return read_int64(obj, dims, what);
  }
  PyObject *seq = PySequence_Fast(obj, "");
  if (!seq) {
    PyErr_Format(PyExc_TypeError, "%s must be a tuple of integers, not %s", what,
                 Py_TYPE(obj)->tp_name);
    return false;
  }
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  if (n > kMaxDims) {
    Py_DECREF(seq);
    PyErr_Format(PyExc_ValueError, "%s has %zd dimensions (at most %d)", what, n, kMaxDims);
    return false;
  }
  for (Py_ssize_t i = 0; i < n; ++i)
    if (!read_int64(PySequence_Fast_GET_ITEM(seq, i), &dims[i], what)) {
      Py_DECREF(seq);
      return false;
    }
  Py_DECREF(seq);
  *ndim = static_cast<int>(n);
  return true;
}

void c_strides(const int64_t *shape, int ndim, int64_t itemsize, int64_t *strides) {
  int64_t step = itemsize;
  for (int d = ndim - 1; d >= 0; --d) {
    strides[d] = step;
    step *= shape[d] > 0 ? shape[d] : 1;
  }
}

bool is_c_contiguous(const int64_t *shape, const int64_t *strides, int ndim, int64_t itemsize) {
  int64_t step = itemsize;
  for (int d = ndim - 1; d >= 0; --d) {
    if (shape[d] == 0) return true;
    if (shape[d] != 1 && strides[d] != step) return false;
    step *= shape[d];
  }
  return true;
}

PyObject *tuple_of(const int64_t *v, int n) {
  PyObject *t = PyTuple_New(n);
  if (!t) return nullptr;
  for (int i = 0; i < n; ++i) {
    PyObject *x = PyLong_FromLongLong(v[i]);
    if (!x) {
      Py_DECREF(t);
      return nullptr;
    }
    PyTuple_SET_ITEM(t, i, x);
  }
  return t;
}

// ---- DeviceArray ----------------------------------------------------------------------------

DeviceArrayObject *self_of(PyObject *o) { return reinterpret_cast<DeviceArrayObject *>(o); }

PyObject *device_array_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  static const char *kwlist[] = {"ptr",   "shape",  "strides", "typestr",     "readonly",
                                 "owner", "stream", "device",  "device_type", nullptr};
  PyObject *ptr_obj, *shape_obj, *strides_obj = Py_None, *owner = Py_None;
  const char *typestr = "<f8";
  int readonly = 0, device = 0, device_type = dlpack::kDLCUDA;
  unsigned long long stream = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|Os$pOKii", const_cast<char **>(kwlist), &ptr_obj,
                                   &shape_obj, &strides_obj, &typestr, &readonly, &owner, &stream,
                                   &device, &device_type))
    return nullptr;
  if (device_type != dlpack::kDLCUDA && device_type != dlpack::kDLROCM) {
    PyErr_Format(PyExc_ValueError, "device_type is DLPack's kDLCUDA (2) or kDLROCM (10), not %d",
                 device_type);
    return nullptr;
  }
  int64_t itemsize = itemsize_of_typestr(typestr);
  if (!itemsize) {
    PyErr_Format(PyExc_ValueError, "'%s' is not a NumPy typestr such as '<f4'", typestr);
    return nullptr;
  }
  uint64_t data;
  if (!read_address(ptr_obj, &data, "ptr")) return nullptr;
  int64_t shape[kMaxDims], strides[kMaxDims];
  int ndim = 0, nstrides = 0;
  if (!read_dims(shape_obj, shape, &ndim, "shape")) return nullptr;
  for (int d = 0; d < ndim; ++d)
    if (shape[d] < 0) {
      PyErr_SetString(PyExc_ValueError, "shape must not be negative");
      return nullptr;
    }
  if (strides_obj == Py_None) {
    c_strides(shape, ndim, itemsize, strides);
  } else {
    if (!read_dims(strides_obj, strides, &nstrides, "strides")) return nullptr;
    if (nstrides != ndim) {
      PyErr_Format(PyExc_ValueError, "%d strides for %d dimensions", nstrides, ndim);
      return nullptr;
    }
  }
  auto *self = self_of(type->tp_alloc(type, 0));
  if (!self) return nullptr;
  self->data = data;
  self->ndim = ndim;
  self->device_id = device;
  self->device_type = device_type;
  self->itemsize = itemsize;
  if (2 * ndim <= 8) {
    self->shape = self->inline_dims;
  } else {
    self->shape = static_cast<int64_t *>(PyMem_Malloc(sizeof(int64_t) * 2 * ndim));
    if (!self->shape) {
      Py_DECREF(self);
      return PyErr_NoMemory();
    }
  }
  self->strides = self->shape + ndim;
  std::memcpy(self->shape, shape, sizeof(int64_t) * ndim);
  std::memcpy(self->strides, strides, sizeof(int64_t) * ndim);
  self->typestr = PyUnicode_FromString(typestr);
  if (!self->typestr) {
    Py_DECREF(self);
    return nullptr;
  }
  self->owner = Py_NewRef(owner);
  self->stream = stream;
  self->readonly = readonly != 0;
  return reinterpret_cast<PyObject *>(self);
}

int device_array_traverse(PyObject *o, visitproc visit, void *arg) {
  Py_VISIT(self_of(o)->owner);
  Py_VISIT(self_of(o)->dict);
  return 0;
}

int device_array_clear(PyObject *o) {
  Py_CLEAR(self_of(o)->owner);
  Py_CLEAR(self_of(o)->dict);
  return 0;
}

void device_array_dealloc(PyObject *o) {
  DeviceArrayObject *self = self_of(o);
  PyObject_GC_UnTrack(o);
  if (self->weakrefs) PyObject_ClearWeakRefs(o);
  device_array_clear(o);
  Py_CLEAR(self->typestr);
  if (self->shape && self->shape != self->inline_dims) PyMem_Free(self->shape);
  Py_TYPE(o)->tp_free(o);
}

PyObject *get_ptr(PyObject *o, void *) { return PyLong_FromUnsignedLongLong(self_of(o)->data); }
PyObject *get_shape(PyObject *o, void *) { return tuple_of(self_of(o)->shape, self_of(o)->ndim); }
PyObject *get_strides(PyObject *o, void *) {
  return tuple_of(self_of(o)->strides, self_of(o)->ndim);
}
PyObject *get_ndim(PyObject *o, void *) { return PyLong_FromLong(self_of(o)->ndim); }
PyObject *get_typestr(PyObject *o, void *) { return Py_NewRef(self_of(o)->typestr); }
PyObject *get_itemsize(PyObject *o, void *) { return PyLong_FromLongLong(self_of(o)->itemsize); }
PyObject *get_readonly(PyObject *o, void *) { return PyBool_FromLong(self_of(o)->readonly); }
PyObject *get_owner(PyObject *o, void *) { return Py_NewRef(self_of(o)->owner); }
PyObject *get_stream(PyObject *o, void *) {
  return PyLong_FromUnsignedLongLong(self_of(o)->stream);
}
PyObject *get_device(PyObject *o, void *) { return PyLong_FromLong(self_of(o)->device_id); }

int64_t element_count(const DeviceArrayObject *self) {
  int64_t n = 1;
  for (int d = 0; d < self->ndim; ++d) n *= self->shape[d];
  return n;
}

PyObject *get_size(PyObject *o, void *) { return PyLong_FromLongLong(element_count(self_of(o))); }
PyObject *get_nbytes(PyObject *o, void *) {
  return PyLong_FromLongLong(element_count(self_of(o)) * self_of(o)->itemsize);
}

int set_stream(PyObject *o, PyObject *value, void *) {
  if (!value) {
    PyErr_SetString(PyExc_AttributeError, "stream cannot be deleted");
    return -1;
  }
  uint64_t s;
  if (!read_address(value, &s, "stream")) return -1;
  self_of(o)->stream = s;
  return 0;
}

PyObject *get_cai(PyObject *o, void *) {
  DeviceArrayObject *self = self_of(o);
  bool contiguous = is_c_contiguous(self->shape, self->strides, self->ndim, self->itemsize);
  PyObject *shape = tuple_of(self->shape, self->ndim);
  PyObject *strides = contiguous ? Py_NewRef(Py_None) : tuple_of(self->strides, self->ndim);
  // numba's convention: work on the legacy default stream needs no synchronization (None).
  PyObject *stream = self->stream ? PyLong_FromUnsignedLongLong(self->stream) : Py_NewRef(Py_None);
  PyObject *d = nullptr;
  if (shape && strides && stream)
    d = Py_BuildValue("{s:O,s:O,s:O,s:(K,O),s:i,s:O}", "shape", shape, "strides", strides,
                      "typestr", self->typestr, "data", static_cast<unsigned long long>(self->data),
                      self->readonly ? Py_True : Py_False, "version", 3, "stream", stream);
  Py_XDECREF(shape);
  Py_XDECREF(strides);
  Py_XDECREF(stream);
  return d;
}

PyObject *dlpack_device(PyObject *o, PyObject *) {
  return Py_BuildValue("(ii)", self_of(o)->device_type, self_of(o)->device_id);
}

PyObject *get_device_type(PyObject *o, void *) { return PyLong_FromLong(self_of(o)->device_type); }

ember::cuda::Vendor vendor_of(const DeviceArrayObject *self) {
  return self->device_type == dlpack::kDLROCM ? ember::cuda::Vendor::Hip
                                              : ember::cuda::Vendor::Cuda;
}

/// __dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)
PyObject *dlpack_export(PyObject *o, PyObject *args, PyObject *kwds) {
  static const char *kwlist[] = {"stream", "max_version", "dl_device", "copy", nullptr};
  PyObject *stream = Py_None, *max_version = Py_None, *dl_device = Py_None, *copy = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$OOOO", const_cast<char **>(kwlist), &stream,
                                   &max_version, &dl_device, &copy))
    return nullptr;
  DeviceArrayObject *self = self_of(o);
  if (copy == Py_True) {
    PyErr_SetString(PyExc_BufferError, "a DeviceArray exports its memory, never a copy");
    return nullptr;
  }
  if (dl_device != Py_None) {
    int type = 0, id = 0;
    if (!PyArg_ParseTuple(dl_device, "ii", &type, &id)) return nullptr;
    if (type != self->device_type || id != self->device_id) {
      PyErr_Format(PyExc_BufferError,
                   "the array is on %s device %d; it cannot be exported to device (%d, %d)",
                   ember::cuda::vendor_name(vendor_of(self)), self->device_id, type, id);
      return nullptr;
    }
  }
  bool versioned = false;
  if (max_version != Py_None) {
    unsigned major = 0, minor = 0;
    if (!PyArg_ParseTuple(max_version, "II", &major, &minor)) return nullptr;
    versioned = major >= 1;
  }
  if (stream != Py_None) {
    long long consumer;
    {
      int64_t v;
      if (!read_int64(stream, &v, "stream")) return nullptr;
      consumer = v;
    }
    if (consumer == 0) {
      PyErr_SetString(PyExc_ValueError,
                      "stream 0 is ambiguous in DLPack; pass 1 for the legacy default stream");
      return nullptr;
    }
    // -1: the consumer asks for no synchronization.  The legacy default stream (1) orders
    // after the producer's default-stream work by itself.
    uint64_t producer = self->stream ? self->stream : ember::cuda::kStreamLegacy;
    if (consumer != -1 && static_cast<uint64_t>(consumer) != producer) {
      try {
        ember::cuda::CudaDriver::process(vendor_of(self))
            ->stream_wait_stream(
                reinterpret_cast<ember::cuda::CUstream>(static_cast<uintptr_t>(consumer)),
                reinterpret_cast<ember::cuda::CUstream>(static_cast<uintptr_t>(producer)));
      } catch (...) {
        return set_error_from_exception();
      }
    }
  }
  const char *typestr = PyUnicode_AsUTF8(self->typestr);
  if (!typestr) return nullptr;
  return dlpack::export_capsule(o, self->data, self->shape, self->strides, self->ndim, typestr,
                                self->readonly, {self->device_type, self->device_id}, versioned);
}

PyObject *device_array_repr(PyObject *o) {
  DeviceArrayObject *self = self_of(o);
  PyObject *shape = tuple_of(self->shape, self->ndim);
  if (!shape) return nullptr;
  char address[32];
  std::snprintf(address, sizeof address, "0x%llx", static_cast<unsigned long long>(self->data));
  PyObject *r = PyUnicode_FromFormat("DeviceArray(ptr=%s, shape=%R, typestr=%R, device=%d)",
                                     address, shape, self->typestr, self->device_id);
  Py_DECREF(shape);
  return r;
}

PyGetSetDef device_array_getset[] = {
    {"ptr", get_ptr, nullptr, "the device address of the first element", nullptr},
    {"shape", get_shape, nullptr, "the shape", nullptr},
    {"strides", get_strides, nullptr, "the strides, in bytes", nullptr},
    {"ndim", get_ndim, nullptr, "the number of dimensions", nullptr},
    {"typestr", get_typestr, nullptr, "the element type as a NumPy typestr ('<f4')", nullptr},
    {"itemsize", get_itemsize, nullptr, "bytes per element", nullptr},
    {"readonly", get_readonly, nullptr, "whether kernels may not write it", nullptr},
    {"owner", get_owner, nullptr, "the object that keeps the memory alive", nullptr},
    {"stream", get_stream, set_stream,
     "the stream its last producer used (0: the legacy default stream)", nullptr},
    {"device", get_device, nullptr, "the device ordinal", nullptr},
    {"device_type", get_device_type, nullptr, "DLPack's device type: 2 (CUDA) or 10 (ROCm)",
     nullptr},
    {"size", get_size, nullptr, "the number of elements", nullptr},
    {"nbytes", get_nbytes, nullptr, "size * itemsize", nullptr},
    {"__cuda_array_interface__", get_cai, nullptr, "the CUDA Array Interface, version 3", nullptr},
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMethodDef device_array_methods[] = {
    {"__dlpack__", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(dlpack_export)),
     METH_VARARGS | METH_KEYWORDS,
     "A DLPack capsule of this array (DLPack 1.0 when max_version >= (1, 0))."},
    {"__dlpack_device__", dlpack_device, METH_NOARGS,
     "(kDLCUDA = 2 or kDLROCM = 10, device ordinal)"},
    {nullptr, nullptr, 0, nullptr}};

// ---- __cuda_array_interface__ ---------------------------------------------------------------

PyObject *required_key(PyObject *dict, const char *key) {
  PyObject *v = PyDict_GetItemString(dict, key);  // borrowed
  if (!v) PyErr_Format(PyExc_TypeError, "__cuda_array_interface__ has no '%s' entry", key);
  return v;
}

}  // namespace

PyTypeObject DeviceArrayType = {
    PyVarObject_HEAD_INIT(nullptr, 0) "ember._cuda.DeviceArray", /* tp_name */
    sizeof(DeviceArrayObject),                                   /* tp_basicsize */
};

int64_t itemsize_of_typestr(const std::string &typestr) {
  if (typestr.size() < 3 || std::strchr("<>|=", typestr[0]) == nullptr) return 0;
  int64_t n = 0;
  for (size_t i = 2; i < typestr.size(); ++i) {
    if (typestr[i] < '0' || typestr[i] > '9' || n > 1000000) return 0;
    n = n * 10 + (typestr[i] - '0');
  }
  return n;
}

bool parse_cuda_array_interface(PyObject *dict, CaiInfo *out) {
  if (!PyDict_Check(dict)) {
    PyErr_Format(PyExc_TypeError, "__cuda_array_interface__ must be a dict, not %s",
                 Py_TYPE(dict)->tp_name);
    return false;
  }
  ArrayView &v = out->view;
  PyObject *version = required_key(dict, "version");
  if (!version) return false;
  int64_t ver;
  if (!read_int64(version, &ver, "__cuda_array_interface__['version']")) return false;
  if (ver < 0 || ver > 3) {
    PyErr_Format(PyExc_ValueError,
                 "__cuda_array_interface__ version %lld (ember reads versions 0 to 3)",
                 static_cast<long long>(ver));
    return false;
  }
  out->version = static_cast<int>(ver);
  PyObject *typestr = required_key(dict, "typestr");
  if (!typestr) return false;
  const char *ts = PyUnicode_Check(typestr) ? PyUnicode_AsUTF8(typestr) : nullptr;
  if (!ts || !(v.itemsize = itemsize_of_typestr(ts))) {
    PyErr_Clear();
    PyErr_SetString(PyExc_ValueError,
                    "__cuda_array_interface__['typestr'] is not a NumPy typestr such as '<f4'");
    return false;
  }
  out->typestr = ts;
  PyObject *shape = required_key(dict, "shape");
  if (!shape) return false;
  int nd = 0;
  if (!read_dims(shape, v.storage, &nd, "__cuda_array_interface__['shape']")) return false;
  v.ndim = nd;
  v.shape = v.storage;
  int64_t *strides = v.storage + kMaxDims;
  PyObject *st = PyDict_GetItemString(dict, "strides");
  if (!st || st == Py_None) {
    c_strides(v.storage, nd, v.itemsize, strides);
  } else {
    int ns = 0;
    if (!read_dims(st, strides, &ns, "__cuda_array_interface__['strides']")) return false;
    if (ns != nd) {
      PyErr_Format(PyExc_ValueError, "__cuda_array_interface__ has %d strides for %d dimensions",
                   ns, nd);
      return false;
    }
  }
  v.strides = strides;
  PyObject *data = required_key(dict, "data");
  if (!data) return false;
  if (!PyTuple_Check(data) || PyTuple_GET_SIZE(data) != 2) {
    PyErr_SetString(PyExc_TypeError,
                    "__cuda_array_interface__['data'] must be a (pointer, read_only) tuple");
    return false;
  }
  if (!read_address(PyTuple_GET_ITEM(data, 0), &v.data, "__cuda_array_interface__['data'][0]"))
    return false;
  int ro = PyObject_IsTrue(PyTuple_GET_ITEM(data, 1));
  if (ro < 0) return false;
  v.readonly = ro != 0;
  PyObject *mask = PyDict_GetItemString(dict, "mask");
  if (mask && mask != Py_None) {
    PyErr_SetString(PyExc_NotImplementedError,
                    "masked arrays (__cuda_array_interface__['mask']) are not supported");
    return false;
  }
  PyObject *stream = PyDict_GetItemString(dict, "stream");
  v.has_stream = false;
  if (stream && stream != Py_None) {
    if (!read_address(stream, &v.stream, "__cuda_array_interface__['stream']")) return false;
    if (v.stream == 0) {
      PyErr_SetString(PyExc_ValueError,
                      "__cuda_array_interface__['stream'] is 0, which version 3 disallows "
                      "(1 is the legacy default stream, 2 the per-thread one)");
      return false;
    }
    v.has_stream = true;
  }
  return true;
}

bool array_view_of(PyObject *obj, ArrayView *out) {
  if (is_device_array(obj)) {
    DeviceArrayObject *a = self_of(obj);
    out->data = a->data;
    out->ndim = a->ndim;
    out->shape = a->shape;
    out->strides = a->strides;
    out->itemsize = a->itemsize;
    out->readonly = a->readonly;
    out->has_stream = false;  // ember's own arrays order through the stream they are passed on
    return true;
  }
  if (PyTuple_Check(obj)) {
    if (PyTuple_GET_SIZE(obj) != 3) {
      PyErr_SetString(PyExc_TypeError, "an array tuple is (ptr, shape, strides)");
      return false;
    }
    int nd = 0, ns = 0;
    if (!read_address(PyTuple_GET_ITEM(obj, 0), &out->data, "the array's pointer") ||
        !read_dims(PyTuple_GET_ITEM(obj, 1), out->storage, &nd, "the array's shape") ||
        !read_dims(PyTuple_GET_ITEM(obj, 2), out->storage + kMaxDims, &ns, "the array's strides"))
      return false;
    if (nd != ns) {
      PyErr_Format(PyExc_ValueError, "an array tuple with %d strides for %d dimensions", ns, nd);
      return false;
    }
    out->ndim = nd;
    out->shape = out->storage;
    out->strides = out->storage + kMaxDims;
    out->itemsize = 0;
    out->readonly = false;
    out->has_stream = false;
    return true;
  }
  PyObject *cai = PyObject_GetAttrString(obj, "__cuda_array_interface__");
  if (!cai) {
    if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return false;
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError,
                 "expected a device array (an ember DeviceArray, an object with "
                 "__cuda_array_interface__, or a (ptr, shape, strides) tuple), not %s",
                 Py_TYPE(obj)->tp_name);
    return false;
  }
  CaiInfo info;
  bool ok = parse_cuda_array_interface(cai, &info);
  Py_DECREF(cai);
  if (!ok) return false;
  *out = info.view;
  // the view's pointers point into info.view.storage, which was copied: re-point them
  out->shape = out->storage;
  out->strides = out->storage + kMaxDims;
  return true;
}

bool init_device_array(PyObject *module) {
  DeviceArrayType.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC;
  DeviceArrayType.tp_doc =
      "DeviceArray(ptr, shape, strides=None, typestr='<f8', *, readonly=False, owner=None, "
      "stream=0, device=0)\n\nAn array in CUDA device memory: what kernels receive.  Exports "
      "__cuda_array_interface__ (v3) and DLPack; `owner` keeps the memory alive.";
  DeviceArrayType.tp_new = device_array_new;
  DeviceArrayType.tp_dealloc = device_array_dealloc;
  DeviceArrayType.tp_traverse = device_array_traverse;
  DeviceArrayType.tp_clear = device_array_clear;
  DeviceArrayType.tp_getset = device_array_getset;
  DeviceArrayType.tp_methods = device_array_methods;
  DeviceArrayType.tp_repr = device_array_repr;
  DeviceArrayType.tp_dictoffset = offsetof(DeviceArrayObject, dict);
  DeviceArrayType.tp_weaklistoffset = offsetof(DeviceArrayObject, weakrefs);
  if (PyType_Ready(&DeviceArrayType) < 0) return false;
  Py_INCREF(&DeviceArrayType);
  return PyModule_AddObject(module, "DeviceArray",
                            reinterpret_cast<PyObject *>(&DeviceArrayType)) == 0;
}

}  // namespace ember::py::cuda
