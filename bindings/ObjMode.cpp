// `with objmode(name="type", ...)` blocks (bindings side).  ember/_objmode.py turned each block
// into a Python function and registered it here with the names and annotations of its
// outputs, under an id it derives from the block's home and source (the same in every
// process, so that code loaded from the on-disk cache finds its blocks); compiled code calls
// ember_objmode_call, which lands in run_block: it takes the GIL (compiled code may run without it,
// in nogil or parallel code), boxes the inputs (taking over the references compiled code made for
// them), calls the block and unboxes each output as its annotation says.  An array output gets a
// MemInfo holding a reference to the ndarray, so compiled code owns it like any array it made.  A
// failure leaves the Python exception for the dispatcher (restore_objmode_exception), one per
// thread; a block that fails on a worker thread of a parallel loop (a thread Python has not
// seen) leaves it in a process-wide slot instead, since the dispatcher that reports it runs on
// the thread that started the loop.
#include "bindings/ObjMode.h"

#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bindings/Boxing.h"
#include "bindings/Dispatcher.h"
#include "ember/abi.h"
#include "ember/runtime.h"
#include "ember/str.h"

namespace ember::py {

namespace {

struct Block {
  PyObject *fn;                          ///< the block as a Python function (kept alive)
  std::vector<std::string> names;        ///< the outputs, in order
  std::vector<std::string> annotations;  ///< as written
};

std::mutex g_blocks_mutex;
// id -> block; a node map, so an entry never moves while another is added (run_block uses it
// without the mutex), and a registered id is never replaced.
std::unordered_map<int64_t, Block> g_blocks;

struct Pending {
  PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
};
thread_local Pending t_pending;
// The first exception of a block run on a thread Python did not know (ember's pool workers);
// read and written with the GIL held.
Pending g_worker_pending;

void store_pending(Pending &slot) {
  Py_XDECREF(slot.type);
  Py_XDECREF(slot.value);
  Py_XDECREF(slot.traceback);
  PyErr_Fetch(&slot.type, &slot.value, &slot.traceback);
  PyErr_NormalizeException(&slot.type, &slot.value, &slot.traceback);
}

std::vector<int64_t> code_of(const int64_t *words) {
  return std::vector<int64_t>(words + 1, words + 1 + words[0]);
}

void release_object(void *, int64_t, void *obj) {
  PyGILState_STATE g = PyGILState_Ensure();
  Py_DECREF(static_cast<PyObject *>(obj));
  PyGILState_Release(g);
}

/// An array unboxed from an output borrows the ndarray: give it a MemInfo owning a reference.
bool own_array(ember_array *a) {
  if (a->meminfo) return true;
  ember_meminfo *mi = ember_meminfo_alloc(0);
  if (!mi) {
    PyErr_NoMemory();
    return false;
  }
  Py_INCREF(static_cast<PyObject *>(a->parent));
  mi->dtor = release_object;
  mi->dtor_info = a->parent;
  a->meminfo = mi;
  return true;
}

/// A string unboxed from an output borrows the str's buffer (bindings/Boxing.cpp): its MemInfo
/// holds a reference to the str from now on, or the buffer is freed with the block's result
/// tuple while compiled code still reads it.
void own_str(void *slot) {
  ember_meminfo *mi;
  std::memcpy(&mi, slot, sizeof mi);
  auto *parent = static_cast<PyObject *>(ember_str_of(mi)->parent);
  if (!parent || mi->dtor) return;
  Py_INCREF(parent);
  mi->dtor = release_object;
  mi->dtor_info = parent;
}

/// Unboxes the block's result tuple into `out`; false with a Python error naming the output.
bool unbox_outputs(const Block &block, const Plan &plan, PyObject *result, void *out) {
  size_t n = plan.children.size();
  if (!PyTuple_Check(result) || static_cast<size_t>(PyTuple_GET_SIZE(result)) != n) {
    PyErr_SetString(PyExc_TypeError, "objmode block: unexpected result (please report)");
    return false;
  }
  for (size_t i = 0; i < n; ++i) {
    const Plan &p = plan.children[i];
    void *slot = static_cast<char *>(out) + plan.offsets[i];
    PyObject *v = PyTuple_GET_ITEM(result, i);
    bool ok = unbox(p, v, slot) &&
              (p.tag != EMBER_T_ARRAY || own_array(static_cast<ember_array *>(slot)));
    if (ok && p.tag == EMBER_T_UNICODE) own_str(slot);
    if (!ok) {
      PyObject *type, *value, *tb;
      PyErr_Fetch(&type, &value, &tb);
      PyObject *text = value ? PyObject_Str(value) : nullptr;
      PyErr_Format(PyExc_TypeError,
                   "with objmode(): the value of '%s' is a %s, which does not match its "
                   "annotation %s (%s)",
                   block.names[i].c_str(), Py_TYPE(v)->tp_name, block.annotations[i].c_str(),
                   text ? PyUnicode_AsUTF8(text) : "");
      Py_XDECREF(text);
      Py_XDECREF(type);
      Py_XDECREF(value);
      Py_XDECREF(tb);
      for (size_t j = 0; j < i; ++j)  // what was unboxed before is not handed out
        release(plan.children[j], static_cast<char *>(out) + plan.offsets[j]);
      return false;
    }
  }
  return true;
}

int32_t run_block(int64_t id, const int64_t *in_code, void *in, const int64_t *out_code,
                  void *out) {
  // A sub-interpreter running shared compiled code: the block is a main-interpreter function.
  // Failing without a pending exception, the code reports EMBER_EXC_PYTHON_PENDING, which
  // ember/_subinterpreter.py raises as a SubinterpreterError.
  if (on_subinterpreter_thread()) return 1;
  const bool worker = PyGILState_GetThisThreadState() == nullptr;
  PyGILState_STATE gil = PyGILState_Ensure();
  const Block *block = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_blocks_mutex);
    auto found = g_blocks.find(id);
    if (found != g_blocks.end()) block = &found->second;
  }
  std::vector<int64_t> ic = code_of(in_code), oc = code_of(out_code);
  size_t pos = 0;
  Plan in_plan = make_plan(ic, &pos);
  pos = 0;
  Plan out_plan = make_plan(oc, &pos);
  bool ok = false;
  if (PyObject *args = box(in_plan, in)) {  // takes the inputs' references over
    // An id nobody registered cannot happen: a function's blocks are registered before its
    // code (compiled, or loaded from the cache) can run.
    PyObject *result =
        block ? PyObject_CallObject(block->fn, args)
              : PyErr_Format(PyExc_RuntimeError,
                             "ember: objmode block %lld is not registered (please report)",
                             static_cast<long long>(id));
    Py_DECREF(args);
    if (result) {
      ok = unbox_outputs(*block, out_plan, result, out);
      Py_DECREF(result);
    }
  }
  if (!ok) {
    if (!worker)
      store_pending(t_pending);
    else if (!g_worker_pending.type)
      store_pending(g_worker_pending);
    else
      PyErr_Clear();  // a later worker's failure: the loop reports the first
  }
  PyGILState_Release(gil);
  return ok ? 0 : 1;
}

PyObject *objmode_register(PyObject *, PyObject *args) {
  PyObject *fn, *names, *annotations;
  long long id;
  if (!PyArg_ParseTuple(args, "LOO!O!", &id, &fn, &PyTuple_Type, &names, &PyTuple_Type,
                        &annotations))
    return nullptr;
  Block b;
  b.fn = fn;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); ++i) {
    const char *n = PyUnicode_AsUTF8(PyTuple_GET_ITEM(names, i));
    const char *a = PyUnicode_AsUTF8(PyTuple_GET_ITEM(annotations, i));
    if (!n || !a) return nullptr;
    b.names.emplace_back(n);
    b.annotations.emplace_back(a);
  }
  std::lock_guard<std::mutex> lock(g_blocks_mutex);
  // A block seen before (the function rewritten again, or another closure of the same def):
  // the same code, kept as first registered.
  if (g_blocks.emplace(static_cast<int64_t>(id), std::move(b)).second)
    Py_INCREF(fn);  // registered blocks live as long as the process, as compiled code does
  Py_RETURN_NONE;
}

PyMethodDef g_methods[] = {
    {"objmode_register", objmode_register, METH_VARARGS,
     "objmode_register(id, fn, names, annotations): compiled code calls fn for block id"},
    {nullptr, nullptr, 0, nullptr}};

}  // namespace

bool restore_objmode_exception() {
  Pending &p = t_pending.type ? t_pending : g_worker_pending;
  if (!p.type) return false;
  PyErr_Restore(p.type, p.value, p.traceback);
  p = Pending{};
  // A loop whose own thread and a worker both failed reports the former; the worker's is
  // dropped so that a later call cannot report it.
  if (g_worker_pending.type) {
    Py_XDECREF(g_worker_pending.type);
    Py_XDECREF(g_worker_pending.value);
    Py_XDECREF(g_worker_pending.traceback);
    g_worker_pending = Pending{};
  }
  return true;
}

bool init_objmode(PyObject *module) {
  ember_set_objmode_hook(run_block);
  return PyModule_AddFunctions(module, g_methods) == 0;
}

}  // namespace ember::py
