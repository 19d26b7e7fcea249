#include "bindings/Typeof.h"

#include <cstring>

#include "bindings/Containers.h"
#include "bindings/Dispatcher.h"
#include "bindings/Jitclass.h"
#include "bindings/Records.h"
#include "ember/abi.h"

#include <string>

namespace ember::py {

namespace {

// Fingerprint layout: bits 0-7 tag, 8-23 dtype tag (16 bits: a datetime tag carries its unit
// in its second byte), 24-31 ndim, 32-33 layout, 34 readonly; tuples: bit 63 set and a hash of
// the code in the other bits.
constexpr uint64_t kTupleBit = 1ull << 63;

uint64_t pack_array(int64_t dtype, int64_t ndim, int64_t layout, int64_t readonly) {
  return static_cast<uint64_t>(EMBER_T_ARRAY) | static_cast<uint64_t>(dtype) << 8 |
         static_cast<uint64_t>(ndim) << 24 | static_cast<uint64_t>(layout) << 32 |
         static_cast<uint64_t>(readonly) << 34;
}

/// ember's TimeUnit (ir/Types.h) of a datetime64/timedelta64 dtype, or -1 for a unit with a
/// multiple ('10s'), which ember does not compile.
int64_t time_unit_of(PyArray_Descr *descr) {
  auto *md = reinterpret_cast<PyArray_DatetimeDTypeMetaData *>(PyDataType_C_METADATA(descr));
  if (!md || md->meta.num != 1) return -1;
  int base = static_cast<int>(md->meta.base);
  if (base < NPY_FR_Y || base > NPY_FR_GENERIC || base == 3) return -1;  // 3: the old B gap
  return base < 3 ? base : base - 1;
}

uint64_t hash_code(const std::vector<int64_t> &code) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (int64_t c : code) {
    h ^= static_cast<uint64_t>(c);
    h *= 1099511628211ull;
  }
  return (h | kTupleBit) & ~0xffull;  // low byte clear: never equal to a scalar's fingerprint
}

int64_t array_layout(PyArrayObject *a) {
  int flags = PyArray_FLAGS(a);
  if (flags & NPY_ARRAY_C_CONTIGUOUS) return EMBER_LAYOUT_C;
  if (flags & NPY_ARRAY_F_CONTIGUOUS) return EMBER_LAYOUT_F;
  return EMBER_LAYOUT_A;
}

bool array_ok(PyArrayObject *a) {
  int flags = PyArray_FLAGS(a);
  return (flags & NPY_ARRAY_ALIGNED) && PyArray_ISNOTSWAPPED(a);
}

}  // namespace

int64_t tag_of_descr(PyArray_Descr *descr) {
  if (!PyArray_ISNBO(descr->byteorder)) return 0;
  switch (descr->type_num) {
    case NPY_BOOL: return EMBER_T_BOOL;
    case NPY_INT8: return EMBER_T_INT8;
    case NPY_INT16: return EMBER_T_INT16;
    case NPY_INT32: return EMBER_T_INT32;
    case NPY_LONG:
    case NPY_LONGLONG: return EMBER_T_INT64;
    case NPY_UINT8: return EMBER_T_UINT8;
    case NPY_UINT16: return EMBER_T_UINT16;
    case NPY_UINT32: return EMBER_T_UINT32;
    case NPY_ULONG:
    case NPY_ULONGLONG: return EMBER_T_UINT64;
    case NPY_FLOAT16: return EMBER_T_FLOAT16;
    case NPY_FLOAT32: return EMBER_T_FLOAT32;
    case NPY_FLOAT64: return EMBER_T_FLOAT64;
    case NPY_COMPLEX64: return EMBER_T_COMPLEX64;
    case NPY_COMPLEX128: return EMBER_T_COMPLEX128;
    case NPY_DATETIME:
    case NPY_TIMEDELTA: {
      int64_t unit = time_unit_of(descr);
      if (unit < 0) return 0;
      return (descr->type_num == NPY_DATETIME ? EMBER_T_DATETIME : EMBER_T_TIMEDELTA) | unit << 8;
    }
    default: return 0;
  }
}

PyArray_Descr *descr_of_tag(int64_t tag) {
  int64_t family = tag & 0xff;
  if (family != EMBER_T_DATETIME && family != EMBER_T_TIMEDELTA) {
    int num = numpy_typenum(tag);
    if (num < 0) {
      PyErr_SetString(PyExc_SystemError, "ember: no NumPy dtype for this type");
      return nullptr;
    }
    return PyArray_DescrFromType(num);
  }
  // NumPy makes a datetime descriptor from its string; kept for the process (a few at most).
  static PyArray_Descr *cache[2][14] = {};
  int64_t unit = tag >> 8;
  if (unit < 0 || unit >= 14) {
    PyErr_SetString(PyExc_SystemError, "ember: bad datetime unit");
    return nullptr;
  }
  PyArray_Descr *&slot = cache[family == EMBER_T_TIMEDELTA][unit];
  if (!slot) {
    static const char *const units[14] = {"Y",  "M",  "W",  "D",  "h",  "m",  "s",
                                          "ms", "us", "ns", "ps", "fs", "as", ""};
    std::string name = family == EMBER_T_DATETIME ? "M8" : "m8";
    if (units[unit][0]) name = name + "[" + units[unit] + "]";
    PyObject *str = PyUnicode_FromString(name.c_str());
    if (!str) return nullptr;
    int ok = PyArray_DescrConverter(str, &slot);
    Py_DECREF(str);
    if (!ok) return nullptr;
  }
  Py_INCREF(slot);
  return slot;
}

int numpy_typenum(int64_t tag) {
  switch (tag) {
    case EMBER_T_BOOL: return NPY_BOOL;
    case EMBER_T_INT8: return NPY_INT8;
    case EMBER_T_INT16: return NPY_INT16;
    case EMBER_T_INT32: return NPY_INT32;
    case EMBER_T_INT64: return NPY_INT64;
    case EMBER_T_UINT8: return NPY_UINT8;
    case EMBER_T_UINT16: return NPY_UINT16;
    case EMBER_T_UINT32: return NPY_UINT32;
    case EMBER_T_UINT64: return NPY_UINT64;
    case EMBER_T_FLOAT16: return NPY_FLOAT16;
    case EMBER_T_FLOAT32: return NPY_FLOAT32;
    case EMBER_T_FLOAT64: return NPY_FLOAT64;
    case EMBER_T_COMPLEX64: return NPY_COMPLEX64;
    case EMBER_T_COMPLEX128: return NPY_COMPLEX128;
    default: return -1;
  }
}

bool is_ctypes_function(PyObject *obj) {
  static PyObject *cfuncptr = nullptr;  // _ctypes.CFuncPtr, the base of every ctypes function
  if (!cfuncptr) {
    PyObject *m = PyImport_ImportModule("_ctypes");
    if (m) cfuncptr = PyObject_GetAttrString(m, "CFuncPtr");
    Py_XDECREF(m);
    if (!cfuncptr) {
      PyErr_Clear();
      return false;
    }
  }
  return PyObject_TypeCheck(obj, reinterpret_cast<PyTypeObject *>(cfuncptr));
}

void *ctypes_function_address(PyObject *obj) {
  // A ctypes object starts with CDataObject's b_ptr, the buffer holding the function pointer.
  char *buffer = *reinterpret_cast<char **>(reinterpret_cast<char *>(obj) + sizeof(PyObject));
  return *reinterpret_cast<void **>(buffer);
}

namespace {
bool from_cffi_backend(PyTypeObject *t) {
  return std::strncmp(t->tp_name, "_cffi_backend.", 14) == 0;
}
}  // namespace

bool maybe_cffi_function(PyObject *obj) {
  if (from_cffi_backend(Py_TYPE(obj))) return true;  // a cdata (an in-line library's function)
  if (!PyCFunction_Check(obj)) return false;
  PyObject *self = PyCFunction_GET_SELF(obj);  // an out-of-line module's lib for its functions
  return self && from_cffi_backend(Py_TYPE(self));
}

bool cffi_function_address(PyObject *obj, void **out) {
  PyObject *m = PyImport_ImportModule("ember.cfunctions");
  PyObject *address = m ? PyObject_CallMethod(m, "c_function_address", "O", obj) : nullptr;
  Py_XDECREF(m);
  if (!address) return false;
  *out = PyLong_AsVoidPtr(address);
  Py_DECREF(address);
  return !PyErr_Occurred();
}

namespace {
/// A ctypes or cffi function's type code, from ember.cfunctions.argument_code (its signature).
bool c_function_code(PyObject *obj, std::vector<int64_t> *out) {
  if (!is_ctypes_function(obj) && !maybe_cffi_function(obj)) return false;
  PyObject *m = PyImport_ImportModule("ember.cfunctions");
  PyObject *code = m ? PyObject_CallMethod(m, "argument_code", "O", obj) : nullptr;
  Py_XDECREF(m);
  if (!code || code == Py_None) {
    PyErr_Clear();
    Py_XDECREF(code);
    return false;
  }
  std::vector<int64_t> got;
  Py_ssize_t n = PyList_Check(code) ? PyList_GET_SIZE(code) : 0;
  for (Py_ssize_t i = 0; i < n; ++i) got.push_back(PyLong_AsLongLong(PyList_GET_ITEM(code, i)));
  Py_DECREF(code);
  if (got.empty()) return false;
  out->insert(out->end(), got.begin(), got.end());
  return true;
}
}  // namespace

uint64_t fingerprint(PyObject *obj) {
  PyTypeObject *t = Py_TYPE(obj);
  if (t == &PyFloat_Type) return EMBER_T_FLOAT64;
  if (t == &PyLong_Type) {
    int overflow = 0;
    PyLong_AsLongLongAndOverflow(obj, &overflow);
    return overflow ? 0 : EMBER_T_INT64;
  }
  if (t == &PyArray_Type) {
    auto *a = reinterpret_cast<PyArrayObject *>(obj);
    int64_t tag = tag_of_descr(PyArray_DESCR(a));
    if (!tag && array_ok(a)) {  // an array of records (its code is hashed: a separate path)
      int64_t rid = record_id_of(PyArray_DESCR(a));
      if (!rid) return 0;
      return hash_code({EMBER_T_RECORD_ARRAY, rid, PyArray_NDIM(a), array_layout(a),
                        PyArray_ISWRITEABLE(a) ? 0 : 1});
    }
    if (!tag || !array_ok(a)) return 0;
    return pack_array(tag, PyArray_NDIM(a), array_layout(a), PyArray_ISWRITEABLE(a) ? 0 : 1);
  }
  if (t == &PyUnicode_Type) return EMBER_T_UNICODE;
  if (t == &PyBytes_Type) return hash_code({EMBER_T_BYTES, 1, EMBER_LAYOUT_C});
  if (t == &PyByteArray_Type) return hash_code({EMBER_T_BYTES, 2, EMBER_LAYOUT_C});
  if (t == &PyBool_Type) return EMBER_T_BOOL;
  if (t == &PyComplex_Type) return EMBER_T_COMPLEX128;
  if (obj == Py_None) return EMBER_T_NONE;
  if (PyArray_IsScalar(obj, Generic)) {
    PyArray_Descr *d = PyArray_DescrFromScalar(obj);
    int64_t tag = d ? tag_of_descr(d) : 0;
    int64_t rid = !tag && d && PyArray_IsScalar(obj, Void) ? record_id_of(d) : 0;
    Py_XDECREF(d);
    if (rid) return hash_code({EMBER_T_RECORD, rid});
    return static_cast<uint64_t>(tag);
  }
  if (t == &PyTuple_Type || t == &PyList_Type || t == &PySet_Type || is_native_container(obj)) {
    std::vector<int64_t> code;
    if (!type_code(obj, &code)) return 0;
    return hash_code(code);
  }
  if (PyObject *impl = dispatcher_impl(obj))  // one type per jitted function
    return hash_code({EMBER_T_DISPATCHER, reinterpret_cast<int64_t>(impl)});
  int64_t class_id;
  ember_meminfo *instance;
  if (jitclass_instance(obj, &class_id, &instance))  // one type per jitclass
    return hash_code({EMBER_T_JITCLASS, class_id});
  std::vector<int64_t> code;
  if (c_function_code(obj, &code)) return hash_code(code);  // one type per C signature
  return 0;
}

bool type_code(PyObject *obj, std::vector<int64_t> *out) {
  PyTypeObject *t = Py_TYPE(obj);
  if (t == &PyFloat_Type) {
    out->push_back(EMBER_T_FLOAT64);
    return true;
  }
  if (t == &PyBool_Type) {
    out->push_back(EMBER_T_BOOL);
    return true;
  }
  if (t == &PyLong_Type) {
    int overflow = 0;
    PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow) return false;
    out->push_back(EMBER_T_INT64);
    return true;
  }
  if (t == &PyComplex_Type) {
    out->push_back(EMBER_T_COMPLEX128);
    return true;
  }
  if (obj == Py_None) {
    out->push_back(EMBER_T_NONE);
    return true;
  }
  if (t == &PyUnicode_Type) {
    out->push_back(EMBER_T_UNICODE);
    return true;
  }
  if (t == &PyBytes_Type || t == &PyByteArray_Type) {  // bindings/Bytes.cpp unboxes them
    out->insert(out->end(), {EMBER_T_BYTES, t == &PyBytes_Type ? 1 : 2, EMBER_LAYOUT_C});
    return true;
  }
  if (PyArray_Check(obj)) {
    auto *a = reinterpret_cast<PyArrayObject *>(obj);
    int64_t tag = tag_of_descr(PyArray_DESCR(a));
    int64_t rid = !tag && array_ok(a) ? record_id_of(PyArray_DESCR(a)) : 0;
    if (rid) {
      out->insert(out->end(), {EMBER_T_RECORD_ARRAY, rid, PyArray_NDIM(a), array_layout(a),
                               PyArray_ISWRITEABLE(a) ? 0 : 1});
      return true;
    }
    if (!tag || !array_ok(a)) return false;
    out->insert(out->end(), {EMBER_T_ARRAY, tag, PyArray_NDIM(a), array_layout(a),
                             PyArray_ISWRITEABLE(a) ? 0 : 1});
    return true;
  }
  if (PyArray_IsScalar(obj, Generic)) {
    PyArray_Descr *d = PyArray_DescrFromScalar(obj);
    int64_t tag = d ? tag_of_descr(d) : 0;
    int64_t rid = !tag && d && PyArray_IsScalar(obj, Void) ? record_id_of(d) : 0;
    Py_XDECREF(d);
    if (rid) {
      out->insert(out->end(), {EMBER_T_RECORD, rid});
      return true;
    }
    if (!tag) return false;
    out->push_back(tag);
    return true;
  }
  const std::vector<int64_t> *native;
  ember_meminfo *mi;
  if (native_container(obj, &native, &mi)) {
    out->insert(out->end(), native->begin(), native->end());
    return true;
  }
  if (t == &PyList_Type) {
    // A reflected list: typed by its first item, as Numba does (the rest are checked when
    // the list is unboxed).  An empty list has no type.
    if (PyList_GET_SIZE(obj) == 0) return false;
    out->insert(out->end(), {EMBER_T_LIST, 0});
    return type_code(PyList_GET_ITEM(obj, 0), out);
  }
  if (t == &PySet_Type) {
    PyObject *it = PyObject_GetIter(obj);
    PyObject *first = it ? PyIter_Next(it) : nullptr;
    Py_XDECREF(it);
    if (!first) {
      PyErr_Clear();
      return false;
    }
    out->push_back(EMBER_T_SET);
    bool ok = type_code(first, out);
    Py_DECREF(first);
    return ok;
  }
  if (PyObject *impl = dispatcher_impl(obj)) {
    out->insert(out->end(), {EMBER_T_DISPATCHER, reinterpret_cast<int64_t>(impl)});
    return true;
  }
  int64_t class_id;
  if (jitclass_instance(obj, &class_id, &mi)) {
    out->insert(out->end(), {EMBER_T_JITCLASS, class_id});
    return true;
  }
  if (c_function_code(obj, out)) return true;
  if (PyTuple_Check(obj)) {
    Py_ssize_t n = PyTuple_GET_SIZE(obj);
    out->push_back(EMBER_T_TUPLE);
    out->push_back(n);
    for (Py_ssize_t i = 0; i < n; ++i)
      if (!type_code(PyTuple_GET_ITEM(obj, i), out)) return false;
    return true;
  }
  return false;
}

uint64_t fingerprint_of_code(const std::vector<int64_t> &code) {
  if (code.empty()) return 0;
  int64_t tag = code[0];
  if (tag == EMBER_T_ARRAY) return pack_array(code[1], code[2], code[3], code[4]);
  if (tag == EMBER_T_TUPLE || tag == EMBER_T_DISPATCHER || tag == EMBER_T_LIST ||
      tag == EMBER_T_DICT || tag == EMBER_T_SET || tag == EMBER_T_JITCLASS ||
      tag == EMBER_T_CFUNC || tag == EMBER_T_RECORD || tag == EMBER_T_RECORD_ARRAY ||
      tag == EMBER_T_BYTES)
    return hash_code(code);
  if (tag == EMBER_T_OPTIONAL) return 0;  // never the type of a Python value
  return static_cast<uint64_t>(tag);
}

}  // namespace ember::py
