#include "bindings/Ufunc.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "bindings/Dispatcher.h"
#include "ember/abi.h"
#include "ember/parallel.h"

namespace ember::py {

namespace {

using UfuncLoopFn = int32_t (*)(char **args, int64_t n, const npy_intp *steps, ember_error *err);
using GufuncLoopFn = int32_t (*)(char **args, const npy_intp *dims, const npy_intp *steps,
                                 ember_error *err);

struct LoopData {
  void *fn;
  bool gufunc;
  bool parallel;
  int nargs;
  int nin;
};

/// Everything a ufunc points at, freed with the ufunc (its `obj` keeps the capsule alive).
struct UfuncStorage {
  std::vector<PyUFuncGenericFunction> funcs;
  std::vector<void *> data;
  std::vector<char> types;
  std::vector<LoopData> loops;
  std::string name, doc, signature;
  std::vector<PyObject *> owners;
};

void storage_destructor(PyObject *capsule) {
  auto *s = static_cast<UfuncStorage *>(PyCapsule_GetPointer(capsule, "ember.ufunc"));
  for (PyObject *o : s->owners) Py_XDECREF(o);
  delete s;
}

void report(const ember_error &err) {
  PyGILState_STATE g = PyGILState_Ensure();
  if (!PyErr_Occurred()) {
    PyObject *cls = exception_class(err.exc);
    if (!cls) cls = PyExc_RuntimeError;
    if (err.msg && *err.msg)
      PyErr_SetString(cls, err.msg);
    else
      PyErr_SetNone(cls);
  }
  PyGILState_Release(g);
}

/// One chunk of a parallel ufunc loop: the pointers advanced to the chunk's first element.
struct ChunkEnv {
  char **args;
  const npy_intp *dims;
  const npy_intp *steps;
  const LoopData *loop;
};

int32_t run_chunk(int64_t lo, int64_t hi, void *env_ptr, void *, ember_error *err) {
  auto *env = static_cast<ChunkEnv *>(env_ptr);
  int n = env->loop->nargs;
  char *args[64];
  for (int k = 0; k < n; ++k) args[k] = env->args[k] + lo * env->steps[k];
  if (!env->loop->gufunc)
    return reinterpret_cast<UfuncLoopFn>(env->loop->fn)(args, hi - lo, env->steps, err);
  std::vector<npy_intp> dims(env->dims, env->dims + 1 + 32);
  dims[0] = hi - lo;
  return reinterpret_cast<GufuncLoopFn>(env->loop->fn)(args, dims.data(), env->steps, err);
}

/// Whether an output's elements may be read as another element's input: NumPy runs
/// ufunc.accumulate and overlapping in-place calls as one loop whose element i reads what
/// element i-1 wrote, so such a loop must run in order.  The same pointer and step is the
/// ordinary in-place case, element i reading only itself.
bool loop_carries_values(char **args, npy_intp n, const npy_intp *steps, int nin, int nargs) {
  auto range = [&](int k, char **lo, char **hi) {
    char *first = args[k], *last = args[k] + (n - 1) * steps[k];
    *lo = std::min(first, last);
    *hi = std::max(first, last);
  };
  for (int o = nin; o < nargs; ++o) {
    if (steps[o] == 0) return true;  // ufunc.reduce: every element updates one accumulator
    char *olo, *ohi;
    range(o, &olo, &ohi);
    for (int k = 0; k < nargs; ++k) {
      if (k == o || (args[k] == args[o] && steps[k] == steps[o])) continue;
      char *lo, *hi;
      range(k, &lo, &hi);
      if (lo <= ohi && olo <= hi) return true;
    }
  }
  return false;
}

void generic_loop(char **args, const npy_intp *dims, const npy_intp *steps, void *data) {
  auto *loop = static_cast<LoopData *>(data);
  ember_error err{0, 0, nullptr};
  int32_t status;
  // Small loops are not worth waking the pool for.
  if (loop->parallel && dims[0] >= 4096 && loop->nargs <= 64 &&
      !loop_carries_values(args, dims[0], steps, loop->nin, loop->nargs)) {
    ChunkEnv env{args, dims, steps, loop};
    status = ember_parallel_for(dims[0], run_chunk, &env, nullptr, 0, 256, &err) < 0 ? EMBER_RAISED
                                                                                     : EMBER_OK;
  } else if (loop->gufunc) {
    status = reinterpret_cast<GufuncLoopFn>(loop->fn)(args, dims, steps, &err);
  } else {
    status = reinterpret_cast<UfuncLoopFn>(loop->fn)(args, dims[0], steps, &err);
  }
  if (status != EMBER_OK) report(err);
}

}  // namespace

PyObject *make_ufunc(PyObject *, PyObject *args) {
  const char *name, *doc;
  int nin, nout, identity, parallel;
  PyObject *loops, *signature = Py_None;
  if (!PyArg_ParseTuple(args, "ssiiO!ip|O", &name, &doc, &nin, &nout, &PyList_Type, &loops,
                        &identity, &parallel, &signature))
    return nullptr;
  auto *s = new UfuncStorage();
  s->name = name;
  s->doc = doc;
  bool gufunc = signature != Py_None;
  if (gufunc) {
    const char *sig = PyUnicode_AsUTF8(signature);
    if (!sig) {
      delete s;
      return nullptr;
    }
    s->signature = sig;
  }
  Py_ssize_t ntypes = PyList_GET_SIZE(loops);
  s->loops.resize(static_cast<size_t>(ntypes));
  for (Py_ssize_t t = 0; t < ntypes; ++t) {
    PyObject *typenums, *owner;
    unsigned long long address;
    if (!PyArg_ParseTuple(PyList_GET_ITEM(loops, t), "OKO", &typenums, &address, &owner)) {
      storage_destructor(PyCapsule_New(s, "ember.ufunc", nullptr));
      return nullptr;
    }
    PyObject *seq = PySequence_Fast(typenums, "loop types must be a sequence");
    if (!seq || PySequence_Fast_GET_SIZE(seq) != nin + nout) {
      Py_XDECREF(seq);
      PyErr_SetString(PyExc_ValueError, "a loop needs one type per argument");
      delete s;
      return nullptr;
    }
    for (Py_ssize_t k = 0; k < nin + nout; ++k)
      s->types.push_back(static_cast<char>(PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, k))));
    Py_DECREF(seq);
    s->loops[static_cast<size_t>(t)] = {reinterpret_cast<void *>(static_cast<uintptr_t>(address)),
                                        gufunc, parallel != 0, nin + nout, nin};
    Py_INCREF(owner);
    s->owners.push_back(owner);
  }
  for (Py_ssize_t t = 0; t < ntypes; ++t) {
    s->funcs.push_back(generic_loop);
    s->data.push_back(&s->loops[static_cast<size_t>(t)]);
  }
  PyObject *ufunc;
  if (gufunc)
    ufunc = PyUFunc_FromFuncAndDataAndSignature(
        s->funcs.data(), s->data.data(), s->types.data(), static_cast<int>(ntypes), nin, nout,
        identity, s->name.c_str(), s->doc.c_str(), 0, s->signature.c_str());
  else
    ufunc = PyUFunc_FromFuncAndData(s->funcs.data(), s->data.data(), s->types.data(),
                                    static_cast<int>(ntypes), nin, nout, identity, s->name.c_str(),
                                    s->doc.c_str(), 0);
  PyObject *capsule = PyCapsule_New(s, "ember.ufunc", storage_destructor);
  if (!ufunc || !capsule) {
    Py_XDECREF(ufunc);
    if (capsule)
      Py_DECREF(capsule);
    else
      delete s;
    return nullptr;
  }
  // The ufunc's obj slot keeps the storage alive exactly as long as the ufunc.
  reinterpret_cast<PyUFuncObject *>(ufunc)->obj = capsule;
  return ufunc;
}

}  // namespace ember::py
