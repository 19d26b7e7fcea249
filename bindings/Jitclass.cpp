// _ember.JitclassBase (Jitclass.h): the Python owner of a @jitclass instance's MemInfo, and the
// table from class ids to the Python classes instances come back as.  The object is the
// instance's identity on the Python side only: compiled code sees the MemInfo, so an object
// passed in and returned comes back as a new object over the same instance (as in Numba).
#include "bindings/Jitclass.h"

#include <map>

#include "ember/runtime.h"

namespace ember::py {

namespace {

struct JitclassObject {
  PyObject_HEAD ember_meminfo *mi;
  int64_t class_id;
};

PyTypeObject JitclassBaseType = {
    PyVarObject_HEAD_INIT(nullptr, 0) "ember._ember.JitclassBase", /* tp_name */
    sizeof(JitclassObject),                                        /* tp_basicsize */
};

// class id -> the generated Python class (strong references, kept for the process: a class
// id is the id() of the JitClass object, which ember/jitclasses.py keeps alive as well).
std::map<int64_t, PyObject *> *g_classes = nullptr;
// class id -> a callable that turns a boxed instance into the Python object it stands for
// (np.polynomial.Polynomial for ember/npapi/polynomial_class.py's stand-in); most have none.
std::map<int64_t, PyObject *> *g_boxers = nullptr;

PyObject *base_new(PyTypeObject *type, PyObject *, PyObject *) {
  auto *self = reinterpret_cast<JitclassObject *>(type->tp_alloc(type, 0));
  if (!self) return nullptr;
  self->mi = nullptr;
  self->class_id = 0;
  return reinterpret_cast<PyObject *>(self);
}

PyObject *m_meminfo_refcount(PyObject *obj, PyObject *) {
  auto *self = reinterpret_cast<JitclassObject *>(obj);
  return PyLong_FromLongLong(self->mi ? self->mi->refcount : 0);
}

PyObject *m_same_instance(PyObject *obj, PyObject *other) {
  auto *self = reinterpret_cast<JitclassObject *>(obj);
  if (!PyObject_TypeCheck(other, &JitclassBaseType)) Py_RETURN_FALSE;
  return PyBool_FromLong(self->mi && self->mi == reinterpret_cast<JitclassObject *>(other)->mi);
}

PyMethodDef kMethods[] = {
    {"_meminfo_refcount", m_meminfo_refcount, METH_NOARGS,
     "The instance's reference count (compiled code's and Python objects' references)."},
    {"_same_instance", m_same_instance, METH_O,
     "Whether another object boxes the same native instance."},
    {nullptr, nullptr, 0, nullptr},
};

PyObject *register_class(PyObject *, PyObject *args) {
  long long class_id;
  PyObject *cls, *boxer = Py_None;
  if (!PyArg_ParseTuple(args, "LO|O", &class_id, &cls, &boxer)) return nullptr;
  if (!PyType_Check(cls) ||
      !PyType_IsSubtype(reinterpret_cast<PyTypeObject *>(cls), &JitclassBaseType)) {
    PyErr_SetString(PyExc_TypeError, "a jitclass's Python class must subclass JitclassBase");
    return nullptr;
  }
  if (!g_classes) g_classes = new std::map<int64_t, PyObject *>();
  auto it = g_classes->find(class_id);
  if (it != g_classes->end()) Py_DECREF(it->second);
  (*g_classes)[class_id] = Py_NewRef(cls);
  if (boxer != Py_None) {
    if (!g_boxers) g_boxers = new std::map<int64_t, PyObject *>();
    auto b = g_boxers->find(class_id);
    if (b != g_boxers->end()) Py_DECREF(b->second);
    (*g_boxers)[class_id] = Py_NewRef(boxer);
  }
  Py_RETURN_NONE;
}

PyMethodDef kRegister = {
    "register_jitclass", register_class, METH_VARARGS,
    "Sets the class that instances of a jitclass id come back as, and optionally a "
    "callable converting such an object to what Python is given."};

}  // namespace

bool init_jitclass(PyObject *module) {
  JitclassBaseType.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
  JitclassBaseType.tp_doc = "A @jitclass instance (the base of the classes ember generates).";
  JitclassBaseType.tp_new = base_new;
  JitclassBaseType.tp_dealloc = [](PyObject *obj) {
    auto *self = reinterpret_cast<JitclassObject *>(obj);
    ember_meminfo *mi = self->mi;
    self->mi = nullptr;
    PyTypeObject *type = Py_TYPE(obj);
    type->tp_free(obj);
    ember_meminfo_decref(mi);
  };
  JitclassBaseType.tp_methods = kMethods;
  if (PyType_Ready(&JitclassBaseType) < 0) return false;
  Py_INCREF(&JitclassBaseType);
  if (PyModule_AddObject(module, "JitclassBase", reinterpret_cast<PyObject *>(&JitclassBaseType)) <
      0)
    return false;
  PyObject *f = PyCFunction_New(&kRegister, nullptr);
  return f && PyModule_AddObject(module, "register_jitclass", f) == 0;
}

bool jitclass_instance(PyObject *obj, int64_t *class_id, ember_meminfo **mi) {
  if (!PyObject_TypeCheck(obj, &JitclassBaseType)) return false;
  auto *self = reinterpret_cast<JitclassObject *>(obj);
  if (!self->mi) return false;
  *class_id = self->class_id;
  *mi = self->mi;
  return true;
}

PyObject *wrap_jitclass(int64_t class_id, ember_meminfo *mi) {
  PyObject *cls = nullptr;
  if (g_classes) {
    auto it = g_classes->find(class_id);
    if (it != g_classes->end()) cls = it->second;
  }
  if (!cls) {
    ember_meminfo_decref(mi);
    PyErr_SetString(PyExc_SystemError, "ember: an instance of an unregistered jitclass");
    return nullptr;
  }
  PyObject *obj = base_new(reinterpret_cast<PyTypeObject *>(cls), nullptr, nullptr);
  if (!obj) {
    ember_meminfo_decref(mi);
    return nullptr;
  }
  auto *self = reinterpret_cast<JitclassObject *>(obj);
  self->mi = mi;
  self->class_id = class_id;
  if (g_boxers) {
    auto b = g_boxers->find(class_id);
    if (b != g_boxers->end()) {
      PyObject *converted = PyObject_CallOneArg(b->second, obj);
      Py_DECREF(obj);
      return converted;
    }
  }
  return obj;
}

}  // namespace ember::py
