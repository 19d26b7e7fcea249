// The record id registry (Records.h).  Dtype objects are compared by identity first: NumPy
// makes a new descr for each `np.dtype([...])`, so the identity cache is bounded and a miss
// asks ember.records, which compares dtypes by value.
#include "bindings/Records.h"

#include <map>
#include <utility>
#include <vector>

namespace ember::py {

namespace {

std::vector<std::pair<PyObject *, int64_t>> *g_seen = nullptr;  // strong references
std::map<int64_t, PyObject *> *g_descrs = nullptr;              // id -> dtype, strong
constexpr size_t kSeenLimit = 64;

PyObject *register_record_dtype(PyObject *, PyObject *args) {
  long long id;
  PyObject *dtype;
  if (!PyArg_ParseTuple(args, "LO", &id, &dtype)) return nullptr;
  if (!PyArray_DescrCheck(dtype)) {
    PyErr_SetString(PyExc_TypeError, "register_record_dtype takes a numpy dtype");
    return nullptr;
  }
  if (!g_descrs) g_descrs = new std::map<int64_t, PyObject *>();
  if (!g_descrs->count(id)) (*g_descrs)[id] = Py_NewRef(dtype);
  Py_RETURN_NONE;
}

PyMethodDef kRegister = {"register_record_dtype", register_record_dtype, METH_VARARGS,
                         "Registers the dtype a record id (ember/records.py) boxes as."};

}  // namespace

int64_t record_id_of(PyArray_Descr *descr) {
  if (!PyDataType_HASFIELDS(descr)) return 0;
  auto *obj = reinterpret_cast<PyObject *>(descr);
  if (!g_seen) g_seen = new std::vector<std::pair<PyObject *, int64_t>>();
  for (const auto &s : *g_seen)
    if (s.first == obj) return s.second;
  static PyObject *record_id = nullptr;  // ember.records.record_id
  if (!record_id) {
    PyObject *m = PyImport_ImportModule("ember.records");
    record_id = m ? PyObject_GetAttrString(m, "record_id") : nullptr;
    Py_XDECREF(m);
    if (!record_id) {
      PyErr_Clear();
      return 0;
    }
  }
  PyObject *r = PyObject_CallOneArg(record_id, obj);
  long long id = r ? PyLong_AsLongLong(r) : 0;
  Py_XDECREF(r);
  if (PyErr_Occurred()) {
    PyErr_Clear();
    return 0;
  }
  if (g_seen->size() >= kSeenLimit) {
    for (auto &s : *g_seen) Py_DECREF(s.first);
    g_seen->clear();
  }
  g_seen->emplace_back(Py_NewRef(obj), id);
  return id;
}

PyArray_Descr *record_descr(int64_t id) {
  if (!g_descrs) return nullptr;
  auto it = g_descrs->find(id);
  return it == g_descrs->end() ? nullptr : reinterpret_cast<PyArray_Descr *>(it->second);
}

bool init_records(PyObject *module) {
  PyObject *f = PyCFunction_New(&kRegister, nullptr);
  return f && PyModule_AddObject(module, "register_record_dtype", f) == 0;
}

}  // namespace ember::py
