// _ember.NativeContainer (Containers.h): the owner of a native list or dict on the Python side,
// the conversions between Python lists/sets and native ones (reflected arguments), and the hook
// that lets the runtime store an ndarray borrowed from Python in a container (a MemInfo that
// holds a reference to the ndarray).
#include "bindings/Containers.h"

#include <cstring>
#include <memory>

#include "bindings/Boxing.h"
#include "ember/containers.h"
#include "ember/runtime.h"

namespace ember::py {

namespace {

struct ContainerObject {
  PyObject_HEAD ember_meminfo *mi;
  std::vector<int64_t> *code;
  Plan *item;   // list items, dict keys
  Plan *value;  // dict values
  const ember_typeinfo *item_ti, *value_ti;
};

PyTypeObject ContainerType = {
    PyVarObject_HEAD_INIT(nullptr, 0) "ember._ember.NativeContainer", /* tp_name */
    sizeof(ContainerObject),                                          /* tp_basicsize */
};

PyObject *g_list_class = nullptr;  // ember.typed.List
PyObject *g_dict_class = nullptr;  // ember.typed.Dict

void release_parent(void *, int64_t, void *info) {
  PyGILState_STATE g = PyGILState_Ensure();
  Py_DECREF(static_cast<PyObject *>(info));
  PyGILState_Release(g);
}

ember_meminfo *adopt_parent(void *parent) {
  ember_meminfo *mi = ember_meminfo_alloc(0);
  if (!mi) return nullptr;
  PyGILState_STATE g = PyGILState_Ensure();
  Py_INCREF(static_cast<PyObject *>(parent));
  PyGILState_Release(g);
  mi->dtor = release_parent;
  mi->dtor_info = parent;
  return mi;
}

const ember_typeinfo *typeinfo_of(const std::vector<int64_t> &code, size_t begin, size_t end) {
  return ember_typeinfo_get(code.data() + begin, static_cast<int64_t>(end - begin));
}

/// Sets up plans and typeinfos from the container's code; false with an error set.
bool set_code(ContainerObject *self, const std::vector<int64_t> &code) {
  if (code.size() < 2 ||
      (code[0] != EMBER_T_LIST && code[0] != EMBER_T_DICT && code[0] != EMBER_T_SET)) {
    PyErr_SetString(PyExc_TypeError, "not a container type code");
    return false;
  }
  size_t pos = code[0] == EMBER_T_LIST ? 2 : 1, start = pos;
  auto item = std::make_unique<Plan>(make_plan(code, &pos));
  self->item_ti = typeinfo_of(code, start, pos);
  if (code[0] == EMBER_T_DICT) {
    start = pos;
    self->value = new Plan(make_plan(code, &pos));
    self->value_ti = typeinfo_of(code, start, pos);
  }
  if (!self->item_ti || (code[0] == EMBER_T_DICT && !self->value_ti)) {
    PyErr_SetString(PyExc_TypeError, "ember cannot store values of this type in a container");
    return false;
  }
  self->item = item.release();
  self->code = new std::vector<int64_t>(code);
  return true;
}

PyObject *container_new(PyTypeObject *type, PyObject *, PyObject *) {
  auto *self = reinterpret_cast<ContainerObject *>(type->tp_alloc(type, 0));
  if (!self) return nullptr;
  self->mi = nullptr;
  self->code = nullptr;
  self->item = self->value = nullptr;
  self->item_ti = self->value_ti = nullptr;
  return reinterpret_cast<PyObject *>(self);
}

void container_dealloc(PyObject *obj) {
  auto *self = reinterpret_cast<ContainerObject *>(obj);
  ember_meminfo_decref(self->mi);
  delete self->code;
  delete self->item;
  delete self->value;
  Py_TYPE(obj)->tp_free(obj);
}

ContainerObject *ready(PyObject *obj) {
  auto *self = reinterpret_cast<ContainerObject *>(obj);
  if (!self->mi) {
    PyErr_SetString(PyExc_TypeError, "the container has no item type yet");
    return nullptr;
  }
  return self;
}

/// A new Python object for the stored value at p (the container keeps its own reference).
PyObject *box_stored(const Plan &plan, const ember_typeinfo *ti, const void *p) {
  std::vector<char> tmp(static_cast<size_t>(ember_typeinfo_size(ti)));
  std::memcpy(tmp.data(), p, tmp.size());
  ember_value_incref(ti, tmp.data());
  return box(plan, tmp.data());
}

/// obj unboxed into buf (owned containers, borrowed arrays and strings: release_argument()
/// after use, which hands a stored string its str object).
bool unbox_item(const Plan &plan, const ember_typeinfo *ti, PyObject *obj, std::vector<char> &buf) {
  buf.assign(static_cast<size_t>(ember_typeinfo_size(ti)), 0);
  return unbox(plan, obj, buf.data());
}

PyObject *m_init(PyObject *obj, PyObject *arg) {
  auto *self = reinterpret_cast<ContainerObject *>(obj);
  if (self->mi) {
    PyErr_SetString(PyExc_RuntimeError, "the container already has a type");
    return nullptr;
  }
  std::vector<int64_t> code;
  PyObject *seq = PySequence_Fast(arg, "expected a type code");
  if (!seq) return nullptr;
  for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); ++i)
    code.push_back(PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, i)));
  Py_DECREF(seq);
  if (PyErr_Occurred() || !set_code(self, code)) return nullptr;
  self->mi = code[0] == EMBER_T_LIST ? ember_list_new(self->item_ti, 0)
                                     : ember_dict_new(self->item_ti, self->value_ti);
  if (!self->mi) return PyErr_NoMemory();
  Py_RETURN_NONE;
}

PyObject *m_code(PyObject *obj, PyObject *) {
  auto *self = reinterpret_cast<ContainerObject *>(obj);
  if (!self->code) Py_RETURN_NONE;
  PyObject *l = PyList_New(0);
  for (int64_t c : *self->code) {
    PyObject *v = PyLong_FromLongLong(c);
    PyList_Append(l, v);
    Py_DECREF(v);
  }
  return l;
}

PyObject *m_len(PyObject *obj, PyObject *) {
  auto *self = reinterpret_cast<ContainerObject *>(obj);
  if (!self->mi) return PyLong_FromLong(0);
  int64_t n =
      (*self->code)[0] == EMBER_T_LIST ? ember_list_len(self->mi) : ember_dict_len(self->mi);
  return PyLong_FromLongLong(n);
}

// ---- lists ----

PyObject *m_getitem(PyObject *obj, PyObject *arg) {
  ContainerObject *self = ready(obj);
  if (!self) return nullptr;
  int64_t i = PyLong_AsLongLong(arg);
  if (i == -1 && PyErr_Occurred()) return nullptr;
  ember_list *h = ember_list_header(self->mi);
  return box_stored(*self->item, self->item_ti, h->items + i * h->itemsize);
}

PyObject *m_setitem(PyObject *obj, PyObject *args) {
  ContainerObject *self = ready(obj);
  PyObject *value;
  long long i;
  if (!self || !PyArg_ParseTuple(args, "LO", &i, &value)) return nullptr;
  std::vector<char> buf;
  if (!unbox_item(*self->item, self->item_ti, value, buf)) return nullptr;
  ember_list_setitem(self->mi, i, buf.data());
  release_argument(*self->item, buf.data());
  Py_RETURN_NONE;
}

PyObject *m_insert(PyObject *obj, PyObject *args) {
  ContainerObject *self = ready(obj);
  PyObject *value;
  long long i;
  if (!self || !PyArg_ParseTuple(args, "LO", &i, &value)) return nullptr;
  std::vector<char> buf;
  if (!unbox_item(*self->item, self->item_ti, value, buf)) return nullptr;
  int32_t r = ember_list_insert(self->mi, i, buf.data());
  release_argument(*self->item, buf.data());
  if (r < 0) return PyErr_NoMemory();
  Py_RETURN_NONE;
}

PyObject *m_append(PyObject *obj, PyObject *value) {
  ContainerObject *self = ready(obj);
  if (!self) return nullptr;
  std::vector<char> buf;
  if (!unbox_item(*self->item, self->item_ti, value, buf)) return nullptr;
  int32_t r = ember_list_append(self->mi, buf.data());
  release_argument(*self->item, buf.data());
  if (r < 0) return PyErr_NoMemory();
  Py_RETURN_NONE;
}

PyObject *m_pop(PyObject *obj, PyObject *arg) {
  ContainerObject *self = ready(obj);
  if (!self) return nullptr;
  int64_t i = PyLong_AsLongLong(arg);
  if (i == -1 && PyErr_Occurred()) return nullptr;
  std::vector<char> buf(static_cast<size_t>(ember_typeinfo_size(self->item_ti)));
  ember_list_pop(self->mi, i, buf.data());
  return box(*self->item, buf.data());
}

PyObject *m_clear(PyObject *obj, PyObject *) {
  ContainerObject *self = ready(obj);
  if (!self) return nullptr;
  if ((*self->code)[0] == EMBER_T_LIST)
    ember_list_clear(self->mi);
  else
    ember_dict_clear(self->mi);
  Py_RETURN_NONE;
}

PyObject *m_sort(PyObject *obj, PyObject *arg) {
  ContainerObject *self = ready(obj);
  if (!self) return nullptr;
  int rev = PyObject_IsTrue(arg);
  if (rev < 0) return nullptr;
  ember_list_sort(self->mi, rev);
  Py_RETURN_NONE;
}

PyObject *m_reverse(PyObject *obj, PyObject *) {
  ContainerObject *self = ready(obj);
  if (!self) return nullptr;
  ember_list_reverse(self->mi);
  Py_RETURN_NONE;
}

// ---- dicts ----

PyObject *m_lookup(PyObject *obj, PyObject *args) {
  ContainerObject *self = ready(obj);
  PyObject *key, *dflt = nullptr;
  if (!self || !PyArg_ParseTuple(args, "O|O", &key, &dflt)) return nullptr;
  std::vector<char> buf;
  if (!unbox_item(*self->item, self->item_ti, key, buf)) {
    if (!dflt || !PyErr_ExceptionMatches(PyExc_TypeError)) return nullptr;
    PyErr_Clear();  // a key of another type is simply absent
    Py_INCREF(dflt);
    return dflt;
  }
  void *p = ember_dict_lookup(self->mi, buf.data());
  release_argument(*self->item, buf.data());
  if (!p) {
    if (dflt) {
      Py_INCREF(dflt);
      return dflt;
    }
    PyObject *exc = PyObject_CallOneArg(PyExc_KeyError, key);
    if (exc) {
      PyErr_SetObject(PyExc_KeyError, exc);
      Py_DECREF(exc);
    }
    return nullptr;
  }
  return box_stored(*self->value, self->value_ti, p);
}

PyObject *m_set(PyObject *obj, PyObject *args) {
  ContainerObject *self = ready(obj);
  PyObject *key, *value;
  if (!self || !PyArg_ParseTuple(args, "OO", &key, &value)) return nullptr;
  std::vector<char> kb, vb;
  if (!unbox_item(*self->item, self->item_ti, key, kb)) return nullptr;
  if (!unbox_item(*self->value, self->value_ti, value, vb)) {
    release_argument(*self->item, kb.data());
    return nullptr;
  }
  int32_t r = ember_dict_setitem(self->mi, kb.data(), vb.data());
  release_argument(*self->item, kb.data());
  release_argument(*self->value, vb.data());
  if (r < 0) return PyErr_NoMemory();
  Py_RETURN_NONE;
}

PyObject *m_delete(PyObject *obj, PyObject *key) {
  ContainerObject *self = ready(obj);
  if (!self) return nullptr;
  std::vector<char> buf;
  if (!unbox_item(*self->item, self->item_ti, key, buf)) return nullptr;
  int32_t found = ember_dict_delitem(self->mi, buf.data(), nullptr);
  release_argument(*self->item, buf.data());
  return PyBool_FromLong(found);
}

/// All entries, boxed: keys, values or (key, value) tuples (what = 0, 1, 2); list items (0).
PyObject *m_entries(PyObject *obj, PyObject *arg) {
  ContainerObject *self = ready(obj);
  if (!self) return nullptr;
  long what = PyLong_AsLong(arg);
  PyObject *out = PyList_New(0);
  if (!out) return nullptr;
  auto add = [&](PyObject *v) {
    if (!v || PyList_Append(out, v) < 0) {
      Py_XDECREF(v);
      return false;
    }
    Py_DECREF(v);
    return true;
  };
  if ((*self->code)[0] == EMBER_T_LIST) {
    ember_list *h = ember_list_header(self->mi);
    for (int64_t i = 0; i < h->size; ++i)
      if (!add(box_stored(*self->item, self->item_ti, h->items + i * h->itemsize))) {
        Py_DECREF(out);
        return nullptr;
      }
    return out;
  }
  int64_t pos = 0;
  void *k, *v;
  while (ember_dict_next(self->mi, &pos, &k, &v)) {
    PyObject *e;
    if (what == 0) {
      e = box_stored(*self->item, self->item_ti, k);
    } else if (what == 1) {
      e = box_stored(*self->value, self->value_ti, v);
    } else {
      PyObject *bk = box_stored(*self->item, self->item_ti, k);
      PyObject *bv = bk ? box_stored(*self->value, self->value_ti, v) : nullptr;
      e = bv ? PyTuple_Pack(2, bk, bv) : nullptr;
      Py_XDECREF(bk);
      Py_XDECREF(bv);
    }
    if (!add(e)) {
      Py_DECREF(out);
      return nullptr;
    }
  }
  return out;
}

PyMethodDef kMethods[] = {
    {"_init", m_init, METH_O, "Gives the container its type (an ABI type code)."},
    {"_code", m_code, METH_NOARGS, "The container's type code, or None."},
    {"_len", m_len, METH_NOARGS, "The number of items."},
    {"_getitem", m_getitem, METH_O, "List item i (0 <= i < len)."},
    {"_setitem", m_setitem, METH_VARARGS, "Replaces list item i."},
    {"_insert", m_insert, METH_VARARGS, "Inserts before list item i."},
    {"_append", m_append, METH_O, "Appends to the list."},
    {"_pop", m_pop, METH_O, "Removes and returns list item i (0 <= i < len)."},
    {"_clear", m_clear, METH_NOARGS, "Removes every item."},
    {"_sort", m_sort, METH_O, "Sorts the list (argument: reverse)."},
    {"_reverse", m_reverse, METH_NOARGS, "Reverses the list."},
    {"_lookup", m_lookup, METH_VARARGS, "d[key], or the default, or KeyError."},
    {"_set", m_set, METH_VARARGS, "d[key] = value."},
    {"_delete", m_delete, METH_O, "Removes key; whether it was there."},
    {"_entries", m_entries, METH_O, "Every item boxed: keys (0), values (1) or items (2)."},
    {nullptr, nullptr, 0, nullptr},
};

PyObject *register_classes(PyObject *, PyObject *args) {
  PyObject *list_cls, *dict_cls;
  if (!PyArg_ParseTuple(args, "OO", &list_cls, &dict_cls)) return nullptr;
  Py_XSETREF(g_list_class, Py_NewRef(list_cls));
  Py_XSETREF(g_dict_class, Py_NewRef(dict_cls));
  Py_RETURN_NONE;
}

PyMethodDef kRegister = {"register_container_classes", register_classes, METH_VARARGS,
                         "Sets the classes containers made in compiled code come back as."};

/// The code of the items of a list/set code (after the header).
size_t item_start(const std::vector<int64_t> &code) { return code[0] == EMBER_T_LIST ? 2 : 1; }

}  // namespace

bool init_containers(PyObject *module) {
  ContainerType.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
  ContainerType.tp_doc = "A native list or dict (the base of ember.typed.List and Dict).";
  ContainerType.tp_new = container_new;
  ContainerType.tp_dealloc = container_dealloc;
  ContainerType.tp_methods = kMethods;
  if (PyType_Ready(&ContainerType) < 0) return false;
  Py_INCREF(&ContainerType);
  if (PyModule_AddObject(module, "NativeContainer", reinterpret_cast<PyObject *>(&ContainerType)) <
      0)
    return false;
  PyObject *f = PyCFunction_New(&kRegister, nullptr);
  if (!f || PyModule_AddObject(module, "register_container_classes", f) < 0) return false;
  ember_set_adopt_hook(adopt_parent);
  return true;
}

bool is_native_container(PyObject *obj) { return PyObject_TypeCheck(obj, &ContainerType); }

bool native_container(PyObject *obj, const std::vector<int64_t> **code, ember_meminfo **mi) {
  if (!is_native_container(obj)) return false;
  auto *self = reinterpret_cast<ContainerObject *>(obj);
  if (!self->mi) return false;
  *code = self->code;
  *mi = self->mi;
  return true;
}

PyObject *wrap_container(const std::vector<int64_t> &code, ember_meminfo *mi) {
  PyObject *cls = code[0] == EMBER_T_LIST ? g_list_class : g_dict_class;
  if (!cls) {
    ember_meminfo_decref(mi);
    PyErr_SetString(PyExc_RuntimeError, "ember.typed is not imported");
    return nullptr;
  }
  auto *type = reinterpret_cast<PyTypeObject *>(cls);
  PyObject *obj = container_new(type, nullptr, nullptr);
  if (!obj) {
    ember_meminfo_decref(mi);
    return nullptr;
  }
  auto *self = reinterpret_cast<ContainerObject *>(obj);
  std::vector<int64_t> typed = code;
  if (typed[0] == EMBER_T_LIST) typed[1] = 1;
  if (!set_code(self, typed)) {
    ember_meminfo_decref(mi);
    Py_DECREF(obj);
    return nullptr;
  }
  self->mi = mi;
  return obj;
}

ember_meminfo *native_from_python(const std::vector<int64_t> &code, PyObject *obj) {
  size_t pos = item_start(code), start = pos;
  Plan item = make_plan(code, &pos);
  const ember_typeinfo *ti = typeinfo_of(code, start, pos);
  if (!ti) {
    PyErr_SetString(PyExc_TypeError, "ember cannot store values of this type in a container");
    return nullptr;
  }
  bool list = code[0] == EMBER_T_LIST;
  ember_meminfo *mi = list ? ember_list_new(ti, PyList_GET_SIZE(obj)) : ember_dict_new(ti, nullptr);
  if (!mi) {
    PyErr_NoMemory();
    return nullptr;
  }
  PyObject *it = PyObject_GetIter(obj);
  if (!it) {
    ember_meminfo_decref(mi);
    return nullptr;
  }
  std::vector<char> buf;
  while (PyObject *v = PyIter_Next(it)) {
    bool ok = unbox_item(item, ti, v, buf);
    Py_DECREF(v);
    if (ok) {
      int32_t r =
          list ? ember_list_append(mi, buf.data()) : ember_dict_setitem(mi, buf.data(), nullptr);
      release_argument(item, buf.data());
      if (r < 0) {
        PyErr_NoMemory();
        ok = false;
      }
    }
    if (!ok) {
      if (PyErr_ExceptionMatches(PyExc_TypeError)) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError,
                        list ? "the items of a list argument must all have the first item's type"
                             : "the elements of a set argument must all have one type");
      }
      Py_DECREF(it);
      ember_meminfo_decref(mi);
      return nullptr;
    }
  }
  Py_DECREF(it);
  if (PyErr_Occurred()) {
    ember_meminfo_decref(mi);
    return nullptr;
  }
  return mi;
}

PyObject *python_from_native(const std::vector<int64_t> &code, ember_meminfo *mi) {
  size_t pos = item_start(code), start = pos;
  Plan item = make_plan(code, &pos);
  const ember_typeinfo *ti = typeinfo_of(code, start, pos);
  bool list = code[0] == EMBER_T_LIST;
  PyObject *out = list ? PyList_New(0) : PySet_New(nullptr);
  if (!out) return nullptr;
  auto add = [&](const void *p) {
    PyObject *v = box_stored(item, ti, p);
    if (!v) return false;
    int r = list ? PyList_Append(out, v) : PySet_Add(out, v);
    Py_DECREF(v);
    return r == 0;
  };
  if (list) {
    ember_list *h = ember_list_header(mi);
    for (int64_t i = 0; i < h->size; ++i)
      if (!add(h->items + i * h->itemsize)) {
        Py_DECREF(out);
        return nullptr;
      }
    return out;
  }
  int64_t p = 0;
  void *k, *v;
  while (ember_dict_next(mi, &p, &k, &v))
    if (!add(k)) {
      Py_DECREF(out);
      return nullptr;
    }
  return out;
}

bool reflect_to_python(const std::vector<int64_t> &code, ember_meminfo *mi, PyObject *obj) {
  PyObject *now = python_from_native(code, mi);
  if (!now) return false;
  int r;
  if (code[0] == EMBER_T_LIST) {
    r = PyList_SetSlice(obj, 0, PyList_GET_SIZE(obj), now);
  } else {
    r = PySet_Clear(obj);
    if (r == 0) {
      PyObject *res = PyObject_CallMethod(obj, "update", "O", now);
      r = res ? 0 : -1;
      Py_XDECREF(res);
    }
  }
  Py_DECREF(now);
  return r == 0;
}

}  // namespace ember::py
