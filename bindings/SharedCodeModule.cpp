// ember._shared_code: the one native module every interpreter of a process can load (PEP 684/734).
//
// A process-wide registry of compiled code: a function's key (module, qualified name and a
// digest of its bytecode, made by ember/_subinterpreter.py) and a signature ("int64,float64")
// map to the native address of its entry and the layout of its result and arguments.  The main
// interpreter publishes every scalar specialization it compiles or loads from the cache
// (ember/dispatcher.py, ember/ccallback.py); a sub-interpreter, where ember's pybind11 modules and
// NumPy cannot load, looks the code up here and calls it with call() (ctypes cannot load in an
// interpreter with its own GIL before 3.13).  So code is compiled once per process, and
// interpreters with their own GIL run it at once: call() releases the interpreter's GIL.
//
// Arrays reach compiled code through the buffer protocol (PEP 3118: memoryview, array.array,
// bytearray, mmap), since NumPy cannot load in a sub-interpreter: call() fills the array struct
// of ember/abi.h from the buffer, borrowed (no MemInfo, no parent), and releases the buffer when
// the call returns.
//
// The module is plain C API with multi-phase init (Py_mod_exec), declares a GIL per interpreter
// supported, and keeps no Python object between calls: the registry is C++ storage behind a
// mutex, which interpreters with different GILs may reach at the same time.  Entries are never
// removed: compiled code stays mapped until the process exits, and the publisher keeps what
// owns it alive (ember/_shared.py).
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ember/abi.h"

namespace {

struct Entry {
  uintptr_t address;
  std::string layout;  // "float64(int64,float64)"
};

struct Registry {
  std::mutex mutex;
  // key -> signature -> entry; std::map keeps signatures() in a stable order
  std::map<std::string, std::map<std::string, Entry>> functions;
};

// Allocated once and never freed: interpreters may still look entries up while the process is
// shutting down, after static destructors would have run.
Registry &registry() {
  static Registry *r = new Registry();
  return *r;
}

PyObject *publish(PyObject *, PyObject *args) {
  const char *key, *signature, *layout;
  unsigned long long address;
  if (!PyArg_ParseTuple(args, "ssKs:publish", &key, &signature, &address, &layout)) return nullptr;
  if (address == 0) {
    PyErr_SetString(PyExc_ValueError, "publish(): the address of compiled code cannot be 0");
    return nullptr;
  }
  Registry &r = registry();
  bool added;
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    // The first publication stands: a function compiled again for the same signature (its
    // typed IR wanted by a caller) keeps the code other interpreters may be running.
    added =
        r.functions[key].emplace(signature, Entry{static_cast<uintptr_t>(address), layout}).second;
  }
  return PyBool_FromLong(added);
}

PyObject *lookup(PyObject *, PyObject *args) {
  const char *key, *signature;
  if (!PyArg_ParseTuple(args, "ss:lookup", &key, &signature)) return nullptr;
  Entry found{0, {}};
  {
    Registry &r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto f = r.functions.find(key);
    if (f != r.functions.end()) {
      auto s = f->second.find(signature);
      if (s != f->second.end()) found = s->second;
    }
  }
  if (!found.address) Py_RETURN_NONE;
  return Py_BuildValue("(Ks)", static_cast<unsigned long long>(found.address),
                       found.layout.c_str());
}

PyObject *signatures(PyObject *, PyObject *args) {
  const char *key;
  if (!PyArg_ParseTuple(args, "s:signatures", &key)) return nullptr;
  std::map<std::string, Entry> copy;
  {
    Registry &r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto f = r.functions.find(key);
    if (f != r.functions.end()) copy = f->second;
  }
  PyObject *out = PyList_New(0);
  if (!out) return nullptr;
  for (const auto &[signature, entry] : copy) {
    PyObject *item =
        Py_BuildValue("(sKs)", signature.c_str(), static_cast<unsigned long long>(entry.address),
                      entry.layout.c_str());
    if (!item || PyList_Append(out, item) < 0) {
      Py_XDECREF(item);
      Py_DECREF(out);
      return nullptr;
    }
    Py_DECREF(item);
  }
  return out;
}

PyObject *count(PyObject *, PyObject *) {
  size_t n = 0;
  {
    Registry &r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    for (const auto &f : r.functions) n += f.second.size();
  }
  return PyLong_FromSize_t(n);
}

// A scalar argument of type `tag` from a Python number, in the low bytes of *slot.
bool unbox_scalar(PyObject *value, long tag, uint64_t *slot) {
  auto store = [slot](auto v) {
    std::memcpy(slot, &v, sizeof v);
    return true;
  };
  switch (tag) {
    case EMBER_T_BOOL: {
      int truth = PyObject_IsTrue(value);
      return truth >= 0 && store(static_cast<uint8_t>(truth));
    }
    case EMBER_T_INT8:
    case EMBER_T_INT16:
    case EMBER_T_INT32:
    case EMBER_T_INT64: {
      long long v = PyLong_AsLongLong(value);
      if (v == -1 && PyErr_Occurred()) return false;
      if (tag == EMBER_T_INT8) return store(static_cast<int8_t>(v));
      if (tag == EMBER_T_INT16) return store(static_cast<int16_t>(v));
      if (tag == EMBER_T_INT32) return store(static_cast<int32_t>(v));
      return store(static_cast<int64_t>(v));
    }
    case EMBER_T_UINT8:
    case EMBER_T_UINT16:
    case EMBER_T_UINT32:
    case EMBER_T_UINT64: {
      unsigned long long v = PyLong_AsUnsignedLongLongMask(value);
      if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred()) return false;
      if (tag == EMBER_T_UINT8) return store(static_cast<uint8_t>(v));
      if (tag == EMBER_T_UINT16) return store(static_cast<uint16_t>(v));
      if (tag == EMBER_T_UINT32) return store(static_cast<uint32_t>(v));
      return store(static_cast<uint64_t>(v));
    }
    case EMBER_T_FLOAT32:
    case EMBER_T_FLOAT64: {
      double v = PyFloat_AsDouble(value);
      if (v == -1.0 && PyErr_Occurred()) return false;
      return tag == EMBER_T_FLOAT32 ? store(static_cast<float>(v)) : store(v);
    }
    default:
      PyErr_Format(PyExc_ValueError, "call(): type tag %ld is not a number or bool", tag);
      return false;
  }
}

// The Python value of a result of type `tag` in *slot.
PyObject *box_scalar(long tag, const uint64_t *slot) {
  auto load = [slot](auto v) {
    std::memcpy(&v, slot, sizeof v);
    return v;
  };
  switch (tag) {
    case EMBER_T_BOOL: return PyBool_FromLong(load(uint8_t{}));
    case EMBER_T_INT8: return PyLong_FromLong(load(int8_t{}));
    case EMBER_T_INT16: return PyLong_FromLong(load(int16_t{}));
    case EMBER_T_INT32: return PyLong_FromLong(load(int32_t{}));
    case EMBER_T_INT64: return PyLong_FromLongLong(load(int64_t{}));
    case EMBER_T_UINT8: return PyLong_FromUnsignedLong(load(uint8_t{}));
    case EMBER_T_UINT16: return PyLong_FromUnsignedLong(load(uint16_t{}));
    case EMBER_T_UINT32: return PyLong_FromUnsignedLong(load(uint32_t{}));
    case EMBER_T_UINT64: return PyLong_FromUnsignedLongLong(load(uint64_t{}));
    case EMBER_T_FLOAT32: return PyFloat_FromDouble(load(float{}));
    case EMBER_T_FLOAT64: return PyFloat_FromDouble(load(double{}));
    case EMBER_T_NONE: Py_RETURN_NONE;
    default:
      PyErr_Format(PyExc_ValueError, "call(): type tag %ld is not a number, bool or None", tag);
      return nullptr;
  }
}

// An array argument of `ndim` dimensions from an object with the buffer protocol: its struct
// (ember_array, then shape[ndim] and strides[ndim]) in *storage, the buffer held in *view until
// the caller releases it.  The caller (ember/_subinterpreter.py) matched the buffer's format,
// dimensions, layout and writability against the published signature; ndim and the writable
// request are checked again here because a mismatch would make compiled code read past the
// struct or write to read-only memory.
bool unbox_buffer(PyObject *value, int ndim, bool writable, Py_buffer *view,
                  std::vector<int64_t> *storage) {
  int flags = PyBUF_RECORDS_RO | (writable ? PyBUF_WRITABLE : 0);
  if (PyObject_GetBuffer(value, view, flags) < 0) return false;
  if (view->ndim != ndim) {
    PyErr_Format(PyExc_TypeError, "call(): a %d-d buffer for a %d-d array argument", view->ndim,
                 ndim);
    PyBuffer_Release(view);
    return false;
  }
  constexpr size_t kHeader = sizeof(ember_array) / sizeof(int64_t);
  static_assert(sizeof(ember_array) % sizeof(int64_t) == 0, "ember_array is int64-aligned");
  storage->assign(kHeader + 2 * static_cast<size_t>(ndim), 0);
  auto *a = reinterpret_cast<ember_array *>(storage->data());
  int64_t nitems = 1;
  for (int d = 0; d < ndim; ++d) {
    a->shape_and_strides[d] = view->shape[d];
    a->shape_and_strides[ndim + d] = view->strides[d];
    nitems *= view->shape[d];
  }
  a->meminfo = nullptr;  // borrowed: the buffer stays held until the call returns
  a->parent = nullptr;   // no ndarray to hand back (results are numbers)
  a->nitems = nitems;
  a->itemsize = view->itemsize;
  a->data = view->buf;
  return true;
}

PyObject *text_or_none(const char *s) {
  if (!s) Py_RETURN_NONE;
  return PyUnicode_DecodeUTF8(s, static_cast<Py_ssize_t>(std::strlen(s)), "replace");
}

// call(address, ret_tag, arg_tags, args): runs a published status wrapper (ember/abi.h:
// `i32 wrapper(ret*, ember_error*, args**)`) without the GIL.  arg_tags holds two bytes per
// argument: a number's or bool's type tag and 0, or EMBER_T_ARRAY and the array's ndim, with
// 0x80 set when compiled code may write to it (the argument then has the buffer protocol).
// Returns (0, result), or (1, exception id, message, line, function, filename) when the code
// raised; ember/_subinterpreter.py makes the exception in the calling interpreter.
PyObject *call(PyObject *, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 4 || !PyBytes_Check(args[2]) || !PyTuple_Check(args[3])) {
    PyErr_SetString(PyExc_TypeError, "call(address, ret_tag, arg_tags: bytes, args: tuple)");
    return nullptr;
  }
  unsigned long long address = PyLong_AsUnsignedLongLong(args[0]);
  if (PyErr_Occurred()) return nullptr;
  long ret_tag = PyLong_AsLong(args[1]);
  if (ret_tag == -1 && PyErr_Occurred()) return nullptr;
  const auto *tags = reinterpret_cast<const unsigned char *>(PyBytes_AS_STRING(args[2]));
  Py_ssize_t n = PyBytes_GET_SIZE(args[2]) / 2;
  if (PyBytes_GET_SIZE(args[2]) % 2 || PyTuple_GET_SIZE(args[3]) != n) {
    PyErr_Format(PyExc_TypeError, "call(): %zd arguments for %zd bytes of types",
                 PyTuple_GET_SIZE(args[3]), PyBytes_GET_SIZE(args[2]));
    return nullptr;
  }
  constexpr Py_ssize_t kMaxArgs = 64;
  if (n > kMaxArgs) {
    PyErr_SetString(PyExc_TypeError, "call(): more than 64 arguments");
    return nullptr;
  }
  uint64_t values[kMaxArgs];
  void *slots[kMaxArgs];
  std::vector<Py_buffer> views;  // reserved up front: slots point into `arrays`, not here
  views.reserve(static_cast<size_t>(n));
  std::vector<std::vector<int64_t>> arrays(static_cast<size_t>(n));
  auto release = [&views] {
    for (Py_buffer &v : views) PyBuffer_Release(&v);
  };
  for (Py_ssize_t i = 0; i < n; ++i) {
    unsigned char tag = tags[2 * i], extra = tags[2 * i + 1];
    PyObject *value = PyTuple_GET_ITEM(args[3], i);
    if (tag == EMBER_T_ARRAY) {
      views.emplace_back();
      if (!unbox_buffer(value, extra & 0x7f, extra & 0x80, &views.back(), &arrays[i])) {
        views.pop_back();
        release();
        return nullptr;
      }
      slots[i] = arrays[i].data();
      continue;
    }
    if (!unbox_scalar(value, tag, &values[i])) {
      release();
      return nullptr;
    }
    slots[i] = &values[i];
  }
  using Wrapper = int32_t (*)(void *, ember_error *, void **);
  auto wrapper = reinterpret_cast<Wrapper>(static_cast<uintptr_t>(address));
  uint64_t ret[2] = {0, 0};
  ember_error err;
  std::memset(&err, 0, sizeof err);
  int32_t status;
  Py_BEGIN_ALLOW_THREADS status = wrapper(ret, &err, slots);
  Py_END_ALLOW_THREADS release();
  if (status == EMBER_OK) {
    PyObject *value = box_scalar(ret_tag, ret);
    if (!value) return nullptr;
    return Py_BuildValue("(iN)", 0, value);
  }
  return Py_BuildValue("(iiNiNN)", 1, err.exc, text_or_none(err.msg), err.line,
                       text_or_none(err.function), text_or_none(err.filename));
}

PyMethodDef methods[] = {
    {"call", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(call)), METH_FASTCALL,
     "call(address, ret_tag, arg_tags, args) -> (0, result) or (1, exc id, msg, line, "
     "function, filename): runs published code of numbers, bool and buffers without the GIL"},
    {"publish", publish, METH_VARARGS,
     "publish(key, signature, address, layout) -> bool: record compiled code for every "
     "interpreter of the process (False when the key and signature were already there)"},
    {"lookup", lookup, METH_VARARGS, "lookup(key, signature) -> (address, layout) or None"},
    {"signatures", signatures, METH_VARARGS,
     "signatures(key) -> [(signature, address, layout), ...] published for key"},
    {"count", count, METH_NOARGS, "count() -> how many entries the process has published"},
    {nullptr, nullptr, 0, nullptr}};

int exec_module(PyObject *) { return 0; }  // nothing per interpreter: no module state

PyModuleDef_Slot slots[] = {{Py_mod_exec, reinterpret_cast<void *>(exec_module)},
#if PY_VERSION_HEX >= 0x030C0000
                            {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#if PY_VERSION_HEX >= 0x030D0000
                            {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
                            {0, nullptr}};

PyModuleDef module_def = {PyModuleDef_HEAD_INIT,
                          "ember._shared_code",
                          "Compiled code shared by the interpreters of a process (PEP 684/734).",
                          0,  // no per-interpreter state
                          methods,
                          slots,
                          nullptr,
                          nullptr,
                          nullptr};

}  // namespace

PyMODINIT_FUNC PyInit__shared_code(void) { return PyModuleDef_Init(&module_def); }
