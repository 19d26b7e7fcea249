#include "bindings/Dispatcher.h"

#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include <frameobject.h>

#include "bindings/Boxing.h"
#include "bindings/Containers.h"
#include "bindings/ObjMode.h"
#include "bindings/Typeof.h"
#include "ember/abi.h"
#include "ember/exception_ids.h"
#include "ember/runtime.h"

namespace ember::py {

namespace {

// ---- exceptions -----------------------------------------------------------------------------

std::vector<PyObject *> &exception_table() {
  static std::vector<PyObject *> table(EMBER_EXC_FIRST_USER, nullptr);
  return table;
}

void register_builtin_exceptions() {
  auto &t = exception_table();
  t[EMBER_EXC_ZeroDivisionError] = PyExc_ZeroDivisionError;
  t[EMBER_EXC_IndexError] = PyExc_IndexError;
  t[EMBER_EXC_ValueError] = PyExc_ValueError;
  t[EMBER_EXC_TypeError] = PyExc_TypeError;
  t[EMBER_EXC_AssertionError] = PyExc_AssertionError;
  t[EMBER_EXC_OverflowError] = PyExc_OverflowError;
  t[EMBER_EXC_MemoryError] = PyExc_MemoryError;
  t[EMBER_EXC_RuntimeError] = PyExc_RuntimeError;
  t[EMBER_EXC_NotImplementedError] = PyExc_NotImplementedError;
  t[EMBER_EXC_KeyError] = PyExc_KeyError;
  t[EMBER_EXC_ArithmeticError] = PyExc_ArithmeticError;
  t[EMBER_EXC_UnboundLocalError] = PyExc_UnboundLocalError;
  t[EMBER_EXC_Exception] = PyExc_Exception;
  t[EMBER_EXC_StopIteration] = PyExc_StopIteration;
  for (PyObject *cls : t) Py_XINCREF(cls);
}

// ---- entries --------------------------------------------------------------------------------

struct Entry {
  std::vector<uint64_t> keys;
  ember_wrapper_fn wrapper = nullptr;
  std::vector<Plan> args;
  std::vector<size_t> offsets;
  size_t arg_bytes = 0;
  Plan ret;
  bool string_args = false;   // some argument holds strings: release_argument after the call
  PyObject *owner = nullptr;  // keeps the compiled code alive
};

struct DispatcherObject {
  PyObject_HEAD vectorcallfunc vectorcall;
  PyObject *impl;
  PyObject *dict;
  PyObject *weakrefs;
  Py_ssize_t argcount;
  int nogil;
  std::deque<Entry> *entries;  // a deque: references stay valid while entries are added
};

PyObject *call_slow(DispatcherObject *self, PyObject *const *args, Py_ssize_t nargs,
                    PyObject *kwnames) {
  PyObject *tuple = PyTuple_New(nargs);
  if (!tuple) return nullptr;
  for (Py_ssize_t i = 0; i < nargs; ++i) {
    Py_INCREF(args[i]);
    PyTuple_SET_ITEM(tuple, i, args[i]);
  }
  PyObject *kwargs = nullptr;
  if (kwnames) {
    kwargs = PyDict_New();
    if (!kwargs) {
      Py_DECREF(tuple);
      return nullptr;
    }
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kwnames); ++k)
      if (PyDict_SetItem(kwargs, PyTuple_GET_ITEM(kwnames, k), args[nargs + k]) < 0) {
        Py_DECREF(tuple);
        Py_DECREF(kwargs);
        return nullptr;
      }
  } else {
    kwargs = Py_None;
    Py_INCREF(kwargs);
  }
  PyObject *r = PyObject_CallMethod(self->impl, "_call_slow", "OO", tuple, kwargs);
  Py_DECREF(tuple);
  Py_DECREF(kwargs);
  return r;
}

/// Adds a traceback entry for the compiled function that raised (as Cython does): a frame of an
/// empty code object whose first line is the line that raised.
void add_traceback(const char *function, const char *filename, int line) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyCodeObject *code = PyCode_NewEmpty(filename, function, line);
  PyObject *globals = code ? PyDict_New() : nullptr;
  PyFrameObject *frame =
      globals ? PyFrame_New(PyThreadState_Get(), code, globals, nullptr) : nullptr;
  PyErr_Clear();
  PyErr_Restore(type, value, tb);
  if (frame) PyTraceBack_Here(frame);
  Py_XDECREF(frame);
  Py_XDECREF(globals);
  Py_XDECREF(code);
}

/// The arguments of an exception raised with values: the tuple the record describes.
PyObject *exception_args(const void *record) {
  const auto *words = static_cast<const int64_t *>(record);
  int64_t n = words[0];
  std::vector<int64_t> code(words + 1, words + 1 + n);
  size_t header = (static_cast<size_t>(n) + 1) * sizeof(int64_t);
  header = (header + 15) / 16 * 16;
  size_t pos = 0;
  Plan plan = make_plan(code, &pos);
  return box(plan, const_cast<char *>(static_cast<const char *>(record) + header));
}

/// A container's KeyError carries repr(key) (ember_value_repr): raises KeyError(key).  False
/// (nothing raised) when the text is not a literal Python can read back.
bool raise_key_error(const char *msg) {
  PyObject *ast = PyImport_ImportModule("ast");
  PyObject *key = ast ? PyObject_CallMethod(ast, "literal_eval", "s", msg) : nullptr;
  Py_XDECREF(ast);
  if (key) {
    PyObject *exc = PyObject_CallOneArg(PyExc_KeyError, key);
    Py_DECREF(key);
    if (exc) {
      PyErr_SetObject(PyExc_KeyError, exc);
      Py_DECREF(exc);
      return true;
    }
  }
  PyErr_Clear();
  return false;
}

PyObject *raise_from(const ember_error &err) {
  auto &t = exception_table();
  PyObject *cls = err.exc >= 0 && static_cast<size_t>(err.exc) < t.size()
                      ? t[static_cast<size_t>(err.exc)]
                      : nullptr;
  if (!cls) cls = PyExc_RuntimeError;
  const char *msg = err.msg ? err.msg : "";
  if (err.exc == EMBER_EXC_PYTHON_PENDING && restore_objmode_exception()) {
    // a `with objmode()` block's own exception, as Python raised it
  } else if (err.args) {
    PyObject *args = exception_args(err.args);
    if (!args) return nullptr;
    PyErr_SetObject(cls, args);  // cls(*args): Python formats the message
    Py_DECREF(args);
  } else if (cls == PyExc_KeyError && *msg && raise_key_error(msg)) {
    // a container's KeyError, raised with its key
  } else if (*msg) {
    PyErr_SetString(cls, msg);
  } else {
    PyErr_SetNone(cls);
  }
  if (err.function && err.filename && err.line > 0)
    add_traceback(err.function, err.filename, err.line);
  return nullptr;
}

/// Calls one entry with positional arguments (already matched or convertible).
PyObject *invoke(DispatcherObject *self, const Entry &e, PyObject *const *args) {
  size_t n = e.args.size();
  alignas(16) unsigned char small[512];
  std::unique_ptr<unsigned char[]> big;
  size_t total = e.arg_bytes + e.ret.size + 16;
  unsigned char *buf = small;
  if (total > sizeof small) {
    big.reset(new unsigned char[total + 16]);
    buf = big.get();
    buf += (16 - reinterpret_cast<uintptr_t>(buf) % 16) % 16;
  }
  void *argv_small[16];
  std::unique_ptr<void *[]> argv_big;
  void **argv = argv_small;
  if (n > 16) {
    argv_big.reset(new void *[n]);
    argv = argv_big.get();
  }
  // Arguments unboxed for the call may hold references: strings' MemInfos, containers (a
  // reflected list is a native copy).  Reflected lists and sets are written back, then every
  // argument is released.
  bool any_owned = false;
  for (size_t i = 0; i < n; ++i) any_owned |= e.args[i].owns;
  bool release_needed = any_owned || e.string_args;
  if (release_needed) std::memset(buf, 0, e.arg_bytes);  // a failed unbox leaves nulls behind
  auto finish = [&](size_t upto, bool reflect) {
    bool ok = true;
    for (size_t i = 0; i < upto; ++i) {
      const Plan &p = e.args[i];
      bool reflected =
          (p.tag == EMBER_T_LIST && PyList_Check(args[i])) ||
          (p.tag == EMBER_T_SET && PyAnySet_Check(args[i]) && !PyFrozenSet_Check(args[i]));
      if (reflect && ok && reflected) {
        PyObject *saved[3];
        PyErr_Fetch(&saved[0], &saved[1], &saved[2]);  // keep the call's own exception
        ember_meminfo *mi;
        std::memcpy(&mi, argv[i], sizeof mi);
        ok = reflect_to_python(p.code, mi, args[i]);
        if (saved[0]) PyErr_Restore(saved[0], saved[1], saved[2]);
      }
      release_argument(p, argv[i]);
    }
    return ok;
  };
  for (size_t i = 0; i < n; ++i) {
    argv[i] = buf + e.offsets[i];
    if (!unbox(e.args[i], args[i], argv[i])) {
      if (release_needed) finish(i + 1, false);
      return nullptr;
    }
  }
  void *ret = buf + (e.arg_bytes + 15) / 16 * 16;
  ember_error err{0, 0, nullptr, nullptr, nullptr, nullptr};
  int32_t status;
  if (self->nogil) {
    Py_BEGIN_ALLOW_THREADS status = e.wrapper(ret, &err, argv);
    Py_END_ALLOW_THREADS
  } else {
    status = e.wrapper(ret, &err, argv);
  }
  if (status != EMBER_OK) {
    raise_from(err);
    if (release_needed) finish(n, true);
    return nullptr;
  }
  if (release_needed && !finish(n, true)) {
    release(e.ret, ret);
    return nullptr;
  }
  return box(e.ret, ret);
}

PyObject *dispatcher_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                PyObject *kwnames) {
  auto *self = reinterpret_cast<DispatcherObject *>(callable);
  Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  if (kwnames || nargs != self->argcount) return call_slow(self, args, nargs, kwnames);
  uint64_t keys_small[8];
  std::vector<uint64_t> keys_big;
  uint64_t *keys = keys_small;
  if (nargs > 8) {
    keys_big.resize(static_cast<size_t>(nargs));
    keys = keys_big.data();
  }
  for (Py_ssize_t i = 0; i < nargs; ++i) {
    keys[i] = fingerprint(args[i]);
    if (!keys[i]) return call_slow(self, args, nargs, nullptr);
  }
  for (const Entry &e : *self->entries) {
    if (std::memcmp(e.keys.data(), keys, static_cast<size_t>(nargs) * sizeof(uint64_t)) == 0)
      return invoke(self, e, args);
  }
  return call_slow(self, args, nargs, nullptr);
}

// ---- Python-visible methods -------------------------------------------------------------------

bool code_list(PyObject *list, std::vector<int64_t> *out) {
  PyObject *seq = PySequence_Fast(list, "expected a list of ints");
  if (!seq) return false;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  for (Py_ssize_t i = 0; i < n; ++i) {
    long long v = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i));
    if (v == -1 && PyErr_Occurred()) {
      Py_DECREF(seq);
      return false;
    }
    out->push_back(v);
  }
  Py_DECREF(seq);
  return true;
}

// _add_entry(arg_codes, ret_code, wrapper_address, owner, key_codes=None) -> index
PyObject *add_entry(PyObject *pyself, PyObject *args) {
  auto *self = reinterpret_cast<DispatcherObject *>(pyself);
  PyObject *arg_codes, *ret_code, *owner, *key_codes = Py_None;
  unsigned long long address;
  if (!PyArg_ParseTuple(args, "OOKO|O", &arg_codes, &ret_code, &address, &owner, &key_codes))
    return nullptr;
  Entry e;
  e.wrapper = reinterpret_cast<ember_wrapper_fn>(static_cast<uintptr_t>(address));
  PyObject *seq = PySequence_Fast(arg_codes, "arg_codes must be a sequence");
  if (!seq) return nullptr;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  if (n != self->argcount) {
    Py_DECREF(seq);
    PyErr_SetString(PyExc_ValueError, "entry arity does not match the dispatcher");
    return nullptr;
  }
  size_t off = 0;
  for (Py_ssize_t i = 0; i < n; ++i) {
    std::vector<int64_t> code;
    if (!code_list(PySequence_Fast_GET_ITEM(seq, i), &code)) {
      Py_DECREF(seq);
      return nullptr;
    }
    size_t pos = 0;
    Plan p = make_plan(code, &pos);
    off = (off + p.align - 1) / p.align * p.align;
    e.offsets.push_back(off);
    off += p.size;
    e.string_args = e.string_args || holds_strings(p);
    e.args.push_back(std::move(p));
    e.keys.push_back(fingerprint_of_code(code));
  }
  Py_DECREF(seq);
  e.arg_bytes = off;
  if (key_codes != Py_None) {
    PyObject *ks = PySequence_Fast(key_codes, "key_codes must be a sequence");
    if (!ks) return nullptr;
    for (Py_ssize_t i = 0; i < n && i < PySequence_Fast_GET_SIZE(ks); ++i) {
      std::vector<int64_t> code;
      if (!code_list(PySequence_Fast_GET_ITEM(ks, i), &code)) {
        Py_DECREF(ks);
        return nullptr;
      }
      e.keys[static_cast<size_t>(i)] = fingerprint_of_code(code);
    }
    Py_DECREF(ks);
  }
  std::vector<int64_t> rcode;
  if (!code_list(ret_code, &rcode)) return nullptr;
  size_t pos = 0;
  e.ret = make_plan(rcode, &pos);
  Py_INCREF(owner);
  e.owner = owner;
  self->entries->push_back(std::move(e));
  return PyLong_FromSsize_t(static_cast<Py_ssize_t>(self->entries->size() - 1));
}

// _call_entry(index, args_tuple): calls one entry, converting arguments as its plans say.
PyObject *call_entry(PyObject *pyself, PyObject *args) {
  auto *self = reinterpret_cast<DispatcherObject *>(pyself);
  Py_ssize_t index;
  PyObject *tuple;
  if (!PyArg_ParseTuple(args, "nO!", &index, &PyTuple_Type, &tuple)) return nullptr;
  if (index < 0 || static_cast<size_t>(index) >= self->entries->size() ||
      PyTuple_GET_SIZE(tuple) != self->argcount) {
    PyErr_SetString(PyExc_IndexError, "bad entry or arity");
    return nullptr;
  }
  return invoke(self, (*self->entries)[static_cast<size_t>(index)], &PyTuple_GET_ITEM(tuple, 0));
}

PyObject *entry_count(PyObject *pyself, PyObject *) {
  auto *self = reinterpret_cast<DispatcherObject *>(pyself);
  return PyLong_FromSize_t(self->entries->size());
}

PyMethodDef dispatcher_methods[] = {
    {"_add_entry", add_entry, METH_VARARGS, "Adds a compiled entry; returns its index."},
    {"_call_entry", call_entry, METH_VARARGS,
     "Calls entry i with a tuple of positional arguments."},
    {"_entry_count", entry_count, METH_NOARGS, "How many compiled entries there are."},
    {nullptr, nullptr, 0, nullptr}};

PyObject *dispatcher_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  PyObject *impl;
  Py_ssize_t argcount;
  int nogil = 0;
  static const char *kwlist[] = {"impl", "argcount", "nogil", nullptr};
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "On|p", const_cast<char **>(kwlist), &impl,
                                   &argcount, &nogil))
    return nullptr;
  auto *self = reinterpret_cast<DispatcherObject *>(type->tp_alloc(type, 0));
  if (!self) return nullptr;
  self->vectorcall = dispatcher_vectorcall;
  Py_INCREF(impl);
  self->impl = impl;
  self->dict = nullptr;
  self->weakrefs = nullptr;
  self->argcount = argcount;
  self->nogil = nogil;
  self->entries = new std::deque<Entry>();
  return reinterpret_cast<PyObject *>(self);
}

int dispatcher_traverse(PyObject *pyself, visitproc visit, void *arg) {
  auto *self = reinterpret_cast<DispatcherObject *>(pyself);
  Py_VISIT(self->impl);
  Py_VISIT(self->dict);
  for (const Entry &e : *self->entries) Py_VISIT(e.owner);
  return 0;
}

int dispatcher_clear(PyObject *pyself) {
  auto *self = reinterpret_cast<DispatcherObject *>(pyself);
  Py_CLEAR(self->impl);
  Py_CLEAR(self->dict);
  return 0;
}

void dispatcher_dealloc(PyObject *pyself) {
  auto *self = reinterpret_cast<DispatcherObject *>(pyself);
  PyObject_GC_UnTrack(pyself);
  if (self->weakrefs) PyObject_ClearWeakRefs(pyself);
  dispatcher_clear(pyself);
  for (Entry &e : *self->entries) Py_XDECREF(e.owner);
  delete self->entries;
  Py_TYPE(pyself)->tp_free(pyself);
}

/// Attributes not found on the dispatcher come from its Python implementation.
PyObject *dispatcher_getattro(PyObject *pyself, PyObject *name) {
  PyObject *r = PyObject_GenericGetAttr(pyself, name);
  if (r || !PyErr_ExceptionMatches(PyExc_AttributeError)) return r;
  auto *self = reinterpret_cast<DispatcherObject *>(pyself);
  if (!self->impl) return nullptr;
  PyErr_Clear();
  return PyObject_GetAttr(self->impl, name);
}

PyObject *dispatcher_repr(PyObject *pyself) {
  auto *self = reinterpret_cast<DispatcherObject *>(pyself);
  return PyObject_Repr(self->impl);
}

PyObject *dispatcher_get_impl(PyObject *pyself, void *) {
  auto *self = reinterpret_cast<DispatcherObject *>(pyself);
  Py_INCREF(self->impl);
  return self->impl;
}

PyGetSetDef dispatcher_getset[] = {
    {"_impl", dispatcher_get_impl, nullptr, "the Python implementation", nullptr},
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyTypeObject DispatcherType = {
    PyVarObject_HEAD_INIT(nullptr, 0) "ember._ember.Dispatcher", /* tp_name */
    sizeof(DispatcherObject),                                    /* tp_basicsize */
};

}  // namespace

namespace {
/// Where a user class's id is looked for first: FNV-1a of "module.qualname", so that the class
/// gets the same id in every process (compiled code cached on disk raises it by that id).
int32_t home_slot(PyObject *cls) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](PyObject *text) {
    Py_ssize_t n = 0;
    const char *s = text && PyUnicode_Check(text) ? PyUnicode_AsUTF8AndSize(text, &n) : nullptr;
    if (!s) PyErr_Clear();
    for (Py_ssize_t i = 0; s && i < n; ++i)
      h = (h ^ static_cast<unsigned char>(s[i])) * 1099511628211ull;
    h = (h ^ '.') * 1099511628211ull;
  };
  PyObject *module = PyObject_GetAttrString(cls, "__module__");
  mix(module);
  Py_XDECREF(module);
  PyErr_Clear();
  PyObject *qualname = PyType_GetQualName(reinterpret_cast<PyTypeObject *>(cls));
  mix(qualname);
  Py_XDECREF(qualname);
  PyErr_Clear();
  constexpr uint64_t span = EMBER_EXC_ID_LIMIT - EMBER_EXC_FIRST_USER;
  return static_cast<int32_t>(EMBER_EXC_FIRST_USER + h % span);
}

/// The id of an exception class, registered (with its bases, for except clauses) if new; -1
/// (a Python error set) when every user id is taken.
int32_t exception_id(PyObject *cls) {
  auto &t = exception_table();
  for (int32_t i = 1; i < EMBER_EXC_FIRST_USER; ++i)
    if (t[static_cast<size_t>(i)] == cls) return i;
  // Probing from the home slot finds the class if it was registered (ids are never freed), or
  // the free id it gets: the same one in each process that registers the same classes.
  constexpr int32_t span = EMBER_EXC_ID_LIMIT - EMBER_EXC_FIRST_USER;
  int32_t id = home_slot(cls);
  for (int32_t tries = 0;; ++tries) {
    if (tries == span) {
      PyErr_SetString(PyExc_RuntimeError, "ember: too many exception classes for compiled code");
      return -1;
    }
    auto slot = static_cast<size_t>(id);
    if (slot >= t.size()) t.resize(slot + 1, nullptr);
    if (t[slot] == cls) return id;
    if (!t[slot]) break;
    id = EMBER_EXC_FIRST_USER + (id - EMBER_EXC_FIRST_USER + 1) % span;
  }
  Py_INCREF(cls);
  t[static_cast<size_t>(id)] = cls;
  auto *base = reinterpret_cast<PyObject *>(reinterpret_cast<PyTypeObject *>(cls)->tp_base);
  if (base && PyExceptionClass_Check(base)) {
    int32_t parent = exception_id(base);
    if (parent < 0) return -1;
    ember_exception_set_parent(id, parent);
  }
  return id;
}
}  // namespace

PyObject *register_exception(PyObject *, PyObject *cls) {
  if (!PyExceptionClass_Check(cls)) {
    PyErr_SetString(PyExc_TypeError, "expected an exception class");
    return nullptr;
  }
  int32_t id = exception_id(cls);
  return id < 0 ? nullptr : PyLong_FromLong(id);
}

PyObject *dispatcher_impl(PyObject *obj) {
  if (Py_TYPE(obj) != &DispatcherType) return nullptr;
  return reinterpret_cast<DispatcherObject *>(obj)->impl;
}

PyObject *raise_compiled_error(const ember_error &err) { return raise_from(err); }

PyObject *exception_class(int32_t id) {
  auto &t = exception_table();
  return id > 0 && static_cast<size_t>(id) < t.size() ? t[static_cast<size_t>(id)] : nullptr;
}

bool init_dispatcher(PyObject *module) {
  register_builtin_exceptions();
  for (int32_t id = 1; id < EMBER_EXC_FIRST_USER; ++id)  // their bases, for except clauses
    if (PyObject *cls = exception_table()[static_cast<size_t>(id)]) {
      auto *base = reinterpret_cast<PyObject *>(reinterpret_cast<PyTypeObject *>(cls)->tp_base);
      if (!base || !PyExceptionClass_Check(base)) continue;
      int32_t parent = exception_id(base);
      if (parent < 0) return false;
      ember_exception_set_parent(id, parent);
    }
  DispatcherType.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL;
  DispatcherType.tp_doc = "A function compiled by ember, one native entry per signature.";
  DispatcherType.tp_new = dispatcher_new;
  DispatcherType.tp_dealloc = dispatcher_dealloc;
  DispatcherType.tp_traverse = dispatcher_traverse;
  DispatcherType.tp_clear = dispatcher_clear;
  DispatcherType.tp_call = PyVectorcall_Call;
  DispatcherType.tp_vectorcall_offset = offsetof(DispatcherObject, vectorcall);
  DispatcherType.tp_dictoffset = offsetof(DispatcherObject, dict);
  DispatcherType.tp_weaklistoffset = offsetof(DispatcherObject, weakrefs);
  DispatcherType.tp_getattro = dispatcher_getattro;
  DispatcherType.tp_repr = dispatcher_repr;
  DispatcherType.tp_methods = dispatcher_methods;
  DispatcherType.tp_getset = dispatcher_getset;
  if (PyType_Ready(&DispatcherType) < 0) return false;
  Py_INCREF(&DispatcherType);
  return PyModule_AddObject(module, "Dispatcher", reinterpret_cast<PyObject *>(&DispatcherType)) ==
         0;
}

}  // namespace ember::py
