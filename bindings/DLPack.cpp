// DLPack: reading capsules into ember's description and exporting DeviceArrays as capsules
// (DLPack.h).  Every failure is a Python exception; a capsule that could not be read is left
// as it was, so its producer's destructor still frees it.
#include "bindings/DLPack.h"

#include <cstring>
#include <new>

namespace ember::py::dlpack {

namespace {

constexpr const char *kLegacyName = "dltensor";
constexpr const char *kVersionedName = "dltensor_versioned";
constexpr const char *kUsedLegacyName = "used_dltensor";
constexpr const char *kUsedVersionedName = "used_dltensor_versioned";

// ---- typestr <-> DLDataType -----------------------------------------------------------------

bool typestr_of_dtype(DLDataType t, std::string *out) {
  if (t.lanes != 1 || t.bits % 8 != 0 || t.bits == 0) return false;
  int bytes = t.bits / 8;
  char kind;
  switch (static_cast<TypeCode>(t.code)) {
    case kDLInt: kind = 'i'; break;
    case kDLUInt: kind = 'u'; break;
    case kDLFloat: kind = 'f'; break;
    case kDLComplex: kind = 'c'; break;
    case kDLBool:
      if (bytes != 1) return false;
      kind = 'b';
      break;
    case kDLOpaqueHandle:
    case kDLBfloat:
    default: return false;
  }
  *out = std::string(1, bytes == 1 ? '|' : '<') + kind + std::to_string(bytes);
  return true;
}

// ---- the owner of an imported tensor --------------------------------------------------------

struct OwnerObject {
  PyObject_HEAD DLManagedTensor *legacy;
  DLManagedTensorVersioned *versioned;
};

void owner_dealloc(PyObject *self) {
  auto *o = reinterpret_cast<OwnerObject *>(self);
  if (o->legacy && o->legacy->deleter) o->legacy->deleter(o->legacy);
  if (o->versioned && o->versioned->deleter) o->versioned->deleter(o->versioned);
  Py_TYPE(self)->tp_free(self);
}

PyTypeObject OwnerType = {
    PyVarObject_HEAD_INIT(nullptr, 0) "ember._cuda.DLPackOwner", /* tp_name */
    sizeof(OwnerObject),                                         /* tp_basicsize */
};

// ---- exported tensors -----------------------------------------------------------------------

struct ExportContext {
  PyObject *owner = nullptr;
  std::vector<int64_t> shape, strides;
  DLManagedTensor legacy{};
  DLManagedTensorVersioned versioned{};
};

void release_context(ExportContext *ctx) {
  // A consumer may call the deleter from any thread, or after the interpreter ended.
  if (Py_IsInitialized()) {
    PyGILState_STATE gil = PyGILState_Ensure();
    Py_XDECREF(ctx->owner);
    PyGILState_Release(gil);
  }
  delete ctx;
}

void delete_legacy(DLManagedTensor *t) {
  release_context(static_cast<ExportContext *>(t->manager_ctx));
}

void delete_versioned(DLManagedTensorVersioned *t) {
  release_context(static_cast<ExportContext *>(t->manager_ctx));
}

void capsule_destructor(PyObject *capsule) {
  // Only a capsule nobody consumed still owns its tensor.
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  if (PyCapsule_IsValid(capsule, kLegacyName)) {
    auto *t = static_cast<DLManagedTensor *>(PyCapsule_GetPointer(capsule, kLegacyName));
    if (t && t->deleter) t->deleter(t);
  } else if (PyCapsule_IsValid(capsule, kVersionedName)) {
    auto *t =
        static_cast<DLManagedTensorVersioned *>(PyCapsule_GetPointer(capsule, kVersionedName));
    if (t && t->deleter) t->deleter(t);
  }
  PyErr_Restore(type, value, traceback);
}

}  // namespace

bool dtype_of_typestr(const std::string &typestr, DLDataType *out) {
  if (typestr.size() < 3) return false;
  char order = typestr[0], kind = typestr[1];
  if (order != '<' && order != '|' && order != '=') return false;
  int bytes = 0;
  for (size_t i = 2; i < typestr.size(); ++i) {
    if (typestr[i] < '0' || typestr[i] > '9' || bytes > 1000) return false;
    bytes = bytes * 10 + (typestr[i] - '0');
  }
  if (bytes <= 0 || bytes > 32) return false;
  uint8_t code;
  switch (kind) {
    case 'b':
      if (bytes != 1) return false;
      code = kDLBool;
      break;
    case 'i': code = kDLInt; break;
    case 'u': code = kDLUInt; break;
    case 'f': code = kDLFloat; break;
    case 'c': code = kDLComplex; break;
    default: return false;
  }
  *out = {code, static_cast<uint8_t>(8 * bytes), 1};
  return true;
}

PyObject *import_capsule(PyObject *capsule, Imported *out) {
  if (!PyCapsule_CheckExact(capsule)) {
    PyErr_Format(PyExc_TypeError, "expected a DLPack capsule, not %s", Py_TYPE(capsule)->tp_name);
    return nullptr;
  }
  const char *name = PyCapsule_GetName(capsule);
  if (!name) name = "";
  bool versioned;
  if (std::strcmp(name, kLegacyName) == 0) {
    versioned = false;
  } else if (std::strcmp(name, kVersionedName) == 0) {
    versioned = true;
  } else if (std::strcmp(name, kUsedLegacyName) == 0 ||
             std::strcmp(name, kUsedVersionedName) == 0) {
    PyErr_SetString(PyExc_BufferError, "this DLPack capsule was already consumed");
    return nullptr;
  } else {
    PyErr_Format(PyExc_TypeError, "a capsule named '%s' is not a DLPack tensor", name);
    return nullptr;
  }
  void *pointer = PyCapsule_GetPointer(capsule, name);
  if (!pointer) return nullptr;
  DLTensor *t;
  DLManagedTensor *legacy = nullptr;
  DLManagedTensorVersioned *vers = nullptr;
  if (versioned) {
    vers = static_cast<DLManagedTensorVersioned *>(pointer);
    if (vers->version.major > kMajor) {
      PyErr_Format(PyExc_BufferError,
                   "the producer's DLPack version %u.%u is newer than ember reads (%u.x)",
                   vers->version.major, vers->version.minor, kMajor);
      return nullptr;
    }
    t = &vers->dl_tensor;
    out->readonly = (vers->flags & kFlagReadOnly) != 0;
  } else {
    legacy = static_cast<DLManagedTensor *>(pointer);
    t = &legacy->dl_tensor;
    out->readonly = false;
  }
  if (!typestr_of_dtype(t->dtype, &out->typestr)) {
    PyErr_Format(PyExc_BufferError,
                 "the DLPack element type (code %u, %u bits, %u lanes) has no NumPy equivalent",
                 t->dtype.code, t->dtype.bits, t->dtype.lanes);
    return nullptr;
  }
  if (t->ndim < 0 || t->ndim > 64 || (t->ndim > 0 && !t->shape)) {
    PyErr_Format(PyExc_BufferError, "a DLPack tensor with %d dimensions", t->ndim);
    return nullptr;
  }
  int64_t itemsize = t->dtype.bits / 8;
  out->shape.assign(t->shape, t->shape + t->ndim);
  out->strides.resize(static_cast<size_t>(t->ndim));
  int64_t step = itemsize;
  for (int d = t->ndim - 1; d >= 0; --d) {
    if (t->strides) {
      out->strides[static_cast<size_t>(d)] = t->strides[d] * itemsize;
    } else {
      out->strides[static_cast<size_t>(d)] = step;
      step *= out->shape[static_cast<size_t>(d)];
    }
  }
  out->data = reinterpret_cast<uint64_t>(t->data) + t->byte_offset;
  out->device_type = t->device.device_type;
  out->device_id = t->device.device_id;

  auto *owner = PyObject_New(OwnerObject, &OwnerType);
  if (!owner) return nullptr;
  owner->legacy = legacy;
  owner->versioned = vers;
  if (PyCapsule_SetName(capsule, versioned ? kUsedVersionedName : kUsedLegacyName) < 0) {
    owner->legacy = nullptr;  // the capsule still owns it
    owner->versioned = nullptr;
    Py_DECREF(owner);
    return nullptr;
  }
  return reinterpret_cast<PyObject *>(owner);
}

PyObject *export_capsule(PyObject *owner, uint64_t data, const int64_t *shape,
                         const int64_t *strides_bytes, int ndim, const std::string &typestr,
                         bool readonly, DLDevice device, bool versioned) {
  DLDataType dtype;
  if (!dtype_of_typestr(typestr, &dtype)) {
    PyErr_Format(PyExc_BufferError, "DLPack has no element type for '%s'", typestr.c_str());
    return nullptr;
  }
  int64_t itemsize = dtype.bits / 8;
  auto *ctx = new (std::nothrow) ExportContext();
  if (!ctx) return PyErr_NoMemory();
  ctx->shape.assign(shape, shape + ndim);
  for (int d = 0; d < ndim; ++d) {
    if (strides_bytes[d] % itemsize != 0) {
      delete ctx;
      PyErr_Format(PyExc_BufferError,
                   "DLPack strides count elements: a stride of %lld bytes is not a whole number "
                   "of %lld-byte elements",
                   static_cast<long long>(strides_bytes[d]), static_cast<long long>(itemsize));
      return nullptr;
    }
    ctx->strides.push_back(strides_bytes[d] / itemsize);
  }
  DLTensor tensor{};
  tensor.data = reinterpret_cast<void *>(data);
  tensor.device = device;
  tensor.ndim = ndim;
  tensor.dtype = dtype;
  tensor.shape = ndim ? ctx->shape.data() : nullptr;
  tensor.strides = ndim ? ctx->strides.data() : nullptr;
  tensor.byte_offset = 0;
  Py_INCREF(owner);
  ctx->owner = owner;
  PyObject *capsule;
  if (versioned) {
    ctx->versioned.version = {kMajor, kMinor};
    ctx->versioned.manager_ctx = ctx;
    ctx->versioned.deleter = delete_versioned;
    ctx->versioned.flags = readonly ? kFlagReadOnly : 0;
    ctx->versioned.dl_tensor = tensor;
    capsule = PyCapsule_New(&ctx->versioned, kVersionedName, capsule_destructor);
  } else {
    ctx->legacy.dl_tensor = tensor;
    ctx->legacy.manager_ctx = ctx;
    ctx->legacy.deleter = delete_legacy;
    capsule = PyCapsule_New(&ctx->legacy, kLegacyName, capsule_destructor);
  }
  if (!capsule) release_context(ctx);
  return capsule;
}

bool init(PyObject *module) {
  OwnerType.tp_flags = Py_TPFLAGS_DEFAULT;
  OwnerType.tp_doc =
      "Keeps a tensor imported through DLPack alive; its producer frees it when "
      "this object goes.";
  OwnerType.tp_dealloc = owner_dealloc;
  if (PyType_Ready(&OwnerType) < 0) return false;
  Py_INCREF(&OwnerType);
  return PyModule_AddObject(module, "DLPackOwner", reinterpret_cast<PyObject *>(&OwnerType)) == 0;
}

}  // namespace ember::py::dlpack
