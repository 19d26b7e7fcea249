// CudaLaunch: argument conversion into a kernel's parameter buffer, and the KernelLauncher /
// ConfiguredLaunch types (CudaLaunch.h).
#include "bindings/CudaLaunch.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "bindings/CudaArray.h"
#include "bindings/CudaHandles.h"
#include "bindings/CudaPyErrors.h"

namespace ember::py::cuda {

using ember::cuda::ArgKind;
using ember::cuda::ArgSpec;
using ember::cuda::LaunchConfig;
using ember::cuda::ParamLayout;
using ember::cuda::ParamStorage;
using ember::cuda::ParamWriter;

namespace {

// EMBER_CUDA_ARRAY_INTERFACE_SYNC=0 turns off the wait for a foreign array's producer stream
// (as NUMBA_CUDA_ARRAY_INTERFACE_SYNC does in numba).
bool cai_sync_enabled() {
  static const bool enabled = [] {
    const char *v = std::getenv("EMBER_CUDA_ARRAY_INTERFACE_SYNC");
    return !(v && std::strcmp(v, "0") == 0);
  }();
  return enabled;
}

/// Re-raises the pending error as "<what> argument <i>: <message>" (same exception type).
bool argument_error(const char *what, Py_ssize_t i) {
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  PyErr_NormalizeException(&type, &value, &traceback);
  PyObject *text = value ? PyObject_Str(value) : nullptr;
  if (text) {
    PyErr_Format(type, "%s argument %zd: %U", what, i, text);
    Py_DECREF(text);
  } else {
    PyErr_Clear();
    PyErr_Format(type ? type : PyExc_TypeError, "%s argument %zd is invalid", what, i);
  }
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(traceback);
  return false;
}

bool read_signed(PyObject *obj, uint32_t size, uint64_t *bits) {
  long long v;
  if (PyLong_CheckExact(obj)) {
    v = PyLong_AsLongLong(obj);
  } else {
    PyObject *index = PyNumber_Index(obj);
    if (!index) return false;
    v = PyLong_AsLongLong(index);
    Py_DECREF(index);
  }
  if (v == -1 && PyErr_Occurred()) return false;
  if (size < 8) {
    long long lo = -(1ll << (8 * size - 1)), hi = (1ll << (8 * size - 1)) - 1;
    if (v < lo || v > hi) {
      PyErr_Format(PyExc_OverflowError, "%lld does not fit a %u-bit signed integer", v, 8 * size);
      return false;
    }
  }
  *bits = static_cast<uint64_t>(v);
  return true;
}

bool read_unsigned(PyObject *obj, uint32_t size, uint64_t *bits) {
  PyObject *index = PyNumber_Index(obj);
  if (!index) return false;
  unsigned long long v = PyLong_AsUnsignedLongLong(index);
  Py_DECREF(index);
  if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred()) return false;
  if (size < 8 && v >> (8 * size)) {
    PyErr_Format(PyExc_OverflowError, "%llu does not fit a %u-bit unsigned integer", v, 8 * size);
    return false;
  }
  *bits = v;
  return true;
}

// ---- KernelLauncher / ConfiguredLaunch -------------------------------------------------------

struct LauncherObject {
  PyObject_HEAD ember::cuda::KernelLauncher *launcher;
  PyObject *function;  // the Function object (keeps the module alive for Python too)
  std::string *what;   // "kernel 'name'", made once for messages
};

struct ConfiguredObject {
  PyObject_HEAD vectorcallfunc vectorcall;
  LauncherObject *launcher;
  LaunchConfig config;
};

PyTypeObject LauncherType = {
    PyVarObject_HEAD_INIT(nullptr, 0) "ember._cuda.KernelLauncher", /* tp_name */
    sizeof(LauncherObject),                                         /* tp_basicsize */
};

PyTypeObject ConfiguredType = {
    PyVarObject_HEAD_INIT(nullptr, 0) "ember._cuda.ConfiguredLaunch", /* tp_name */
    sizeof(ConfiguredObject),                                         /* tp_basicsize */
};

PyObject *do_launch(const LauncherObject &self, const LaunchConfig &config, PyObject *const *args,
                    Py_ssize_t nargs) {
  ember::cuda::KernelLauncher &launcher = *self.launcher;
  const ParamLayout &layout = launcher.layout();
  ParamStorage storage(layout);
  ParamWriter writer(layout, storage.buffer, storage.params);
  std::vector<uint64_t> producers;  // allocates only when a foreign array names a stream
  if (!fill_params(layout, writer, args, nargs, self.what->c_str(), &producers)) return nullptr;
  try {
    if (!producers.empty() && cai_sync_enabled()) {
      CudaDriver &d = launcher.module()->driver();
      uint64_t consumer =
          config.stream ? reinterpret_cast<uint64_t>(config.stream) : ember::cuda::kStreamLegacy;
      for (uint64_t p : producers)
        if (p != consumer)
          d.stream_wait_stream(reinterpret_cast<ember::cuda::CUstream>(consumer),
                               reinterpret_cast<ember::cuda::CUstream>(p));
    }
    launcher.launch_params(config, storage.params);
  } catch (...) {
    return set_error_from_exception();
  }
  Py_RETURN_NONE;
}

PyObject *configured_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                PyObject *kwnames) {
  auto *self = reinterpret_cast<ConfiguredObject *>(callable);
  if (kwnames && PyTuple_GET_SIZE(kwnames)) {
    PyErr_SetString(PyExc_TypeError, "kernel arguments are positional");
    return nullptr;
  }
  return do_launch(*self->launcher, self->config, args, PyVectorcall_NARGS(nargsf));
}

bool read_config(PyObject *grid, PyObject *block, PyObject *stream, unsigned long long shared,
                 LaunchConfig *out) {
  if (!read_dim3(grid, &out->grid, "the grid") || !read_dim3(block, &out->block, "the block") ||
      !stream_of(stream, &out->stream))
    return false;
  if (shared > std::numeric_limits<unsigned>::max()) {
    PyErr_SetString(PyExc_ValueError, "dynamic shared memory beyond 4 GiB");
    return false;
  }
  out->shared_bytes = static_cast<unsigned>(shared);
  return true;
}

PyObject *launcher_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
  static const char *kwlist[] = {"function", "layout", nullptr};
  PyObject *fn_obj, *layout_obj;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO", const_cast<char **>(kwlist), &fn_obj,
                                   &layout_obj))
    return nullptr;
  const Function *fn;
  std::unique_ptr<ParamLayout> layout;
  if (!function_of(fn_obj, &fn) || !layout_of(layout_obj, &layout)) return nullptr;
  auto *self = reinterpret_cast<LauncherObject *>(type->tp_alloc(type, 0));
  if (!self) return nullptr;
  try {
    self->launcher = new ember::cuda::KernelLauncher(fn->module, fn->name, std::move(*layout));
    self->what = new std::string("kernel '" + fn->name + "'");
  } catch (...) {
    Py_DECREF(self);
    return set_error_from_exception();
  }
  self->function = Py_NewRef(fn_obj);
  return reinterpret_cast<PyObject *>(self);
}

void launcher_dealloc(PyObject *o) {
  auto *self = reinterpret_cast<LauncherObject *>(o);
  delete self->launcher;
  delete self->what;
  Py_XDECREF(self->function);
  Py_TYPE(o)->tp_free(o);
}

/// configure(grid, block, stream=0, shared=0) -> ConfiguredLaunch
PyObject *launcher_configure(PyObject *o, PyObject *args, PyObject *kwds) {
  static const char *kwlist[] = {"grid", "block", "stream", "shared", nullptr};
  PyObject *grid, *block, *stream = Py_None;
  unsigned long long shared = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OK", const_cast<char **>(kwlist), &grid, &block,
                                   &stream, &shared))
    return nullptr;
  LaunchConfig config;
  if (!read_config(grid, block, stream, shared, &config)) return nullptr;
  auto *c = PyObject_New(ConfiguredObject, &ConfiguredType);
  if (!c) return nullptr;
  c->vectorcall = configured_vectorcall;
  c->launcher = reinterpret_cast<LauncherObject *>(Py_NewRef(o));
  c->config = config;
  return reinterpret_cast<PyObject *>(c);
}

/// launch(grid, block, *args, stream=0, shared=0)
PyObject *launcher_launch(PyObject *o, PyObject *args, PyObject *kwds) {
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  if (n < 2) {
    PyErr_SetString(PyExc_TypeError, "launch(grid, block, *args, stream=0, shared=0)");
    return nullptr;
  }
  PyObject *stream = Py_None, *shared_obj = nullptr;
  if (kwds) {
    PyObject *key;
    PyObject *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(kwds, &pos, &key, &value)) {
      if (PyUnicode_CompareWithASCIIString(key, "stream") == 0) {
        stream = value;
      } else if (PyUnicode_CompareWithASCIIString(key, "shared") == 0) {
        shared_obj = value;
      } else {
        PyErr_Format(PyExc_TypeError, "launch() got an unexpected keyword argument %R", key);
        return nullptr;
      }
    }
  }
  unsigned long long shared = 0;
  if (shared_obj) {
    shared = PyLong_AsUnsignedLongLong(shared_obj);
    if (PyErr_Occurred()) return nullptr;
  }
  LaunchConfig config;
  if (!read_config(PyTuple_GET_ITEM(args, 0), PyTuple_GET_ITEM(args, 1), stream, shared, &config))
    return nullptr;
  auto *self = reinterpret_cast<LauncherObject *>(o);
  return do_launch(*self, config, &PyTuple_GET_ITEM(args, 2), n - 2);
}

PyObject *launcher_get_name(PyObject *o, void *) {
  return PyUnicode_FromString(reinterpret_cast<LauncherObject *>(o)->launcher->name().c_str());
}
PyObject *launcher_get_function(PyObject *o, void *) {
  return Py_NewRef(reinterpret_cast<LauncherObject *>(o)->function);
}
PyObject *launcher_get_layout(PyObject *o, void *) {
  return PyUnicode_FromString(
      reinterpret_cast<LauncherObject *>(o)->launcher->layout().describe().c_str());
}
PyObject *launcher_get_param_count(PyObject *o, void *) {
  return PyLong_FromSize_t(reinterpret_cast<LauncherObject *>(o)->launcher->layout().param_count());
}
PyObject *launcher_get_checked(PyObject *o, void *) {
  return PyBool_FromLong(reinterpret_cast<LauncherObject *>(o)->launcher->layout_checked());
}

PyGetSetDef launcher_getset[] = {
    {"name", launcher_get_name, nullptr, "the kernel's name", nullptr},
    {"function", launcher_get_function, nullptr, "the Function launched", nullptr},
    {"layout", launcher_get_layout, nullptr, "the arguments, as '(array(1), int(8))'", nullptr},
    {"param_count", launcher_get_param_count, nullptr, "kernel parameters after flattening",
     nullptr},
    {"layout_checked", launcher_get_checked, nullptr,
     "whether the driver confirmed the layout (cuFuncGetParamInfo, CUDA 12.4+)", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMethodDef launcher_methods[] = {
    {"configure", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(launcher_configure)),
     METH_VARARGS | METH_KEYWORDS,
     "configure(grid, block, stream=0, shared=0) -> ConfiguredLaunch, called with the kernel's "
     "arguments to launch it."},
    {"launch", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(launcher_launch)),
     METH_VARARGS | METH_KEYWORDS, "launch(grid, block, *args, stream=0, shared=0)"},
    {nullptr, nullptr, 0, nullptr}};

void configured_dealloc(PyObject *o) {
  Py_XDECREF(reinterpret_cast<ConfiguredObject *>(o)->launcher);
  PyObject_Free(o);
}

PyObject *configured_get_launcher(PyObject *o, void *) {
  return Py_NewRef(reinterpret_cast<ConfiguredObject *>(o)->launcher);
}
PyObject *configured_get_grid(PyObject *o, void *) {
  auto &g = reinterpret_cast<ConfiguredObject *>(o)->config.grid;
  return Py_BuildValue("(III)", g.x, g.y, g.z);
}
PyObject *configured_get_block(PyObject *o, void *) {
  auto &b = reinterpret_cast<ConfiguredObject *>(o)->config.block;
  return Py_BuildValue("(III)", b.x, b.y, b.z);
}
PyObject *configured_get_stream(PyObject *o, void *) {
  return PyLong_FromUnsignedLongLong(
      reinterpret_cast<uint64_t>(reinterpret_cast<ConfiguredObject *>(o)->config.stream));
}
PyObject *configured_get_shared(PyObject *o, void *) {
  return PyLong_FromUnsignedLong(reinterpret_cast<ConfiguredObject *>(o)->config.shared_bytes);
}

PyGetSetDef configured_getset[] = {
    {"launcher", configured_get_launcher, nullptr, "the KernelLauncher", nullptr},
    {"grid", configured_get_grid, nullptr, "(x, y, z) blocks", nullptr},
    {"block", configured_get_block, nullptr, "(x, y, z) threads per block", nullptr},
    {"stream", configured_get_stream, nullptr, "the stream handle (0: legacy default)", nullptr},
    {"shared", configured_get_shared, nullptr, "dynamic shared memory bytes", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

}  // namespace

bool read_dim3(PyObject *obj, ember::cuda::Dim3 *out, const char *what) {
  unsigned v[3] = {1, 1, 1};
  auto one = [&](PyObject *x, unsigned *dst) {
    PyObject *index = PyNumber_Index(x);
    if (!index) {
      PyErr_Format(PyExc_TypeError, "%s must be an int or a tuple of 1 to 3 ints", what);
      return false;
    }
    long long n = PyLong_AsLongLong(index);
    Py_DECREF(index);
    if (n == -1 && PyErr_Occurred()) return false;
    if (n < 1 || n > std::numeric_limits<int32_t>::max()) {
      PyErr_Format(PyExc_ValueError, "%s dimensions must be between 1 and 2**31 - 1, not %lld",
                   what, n);
      return false;
    }
    *dst = static_cast<unsigned>(n);
    return true;
  };
  if (PyTuple_Check(obj) || PyList_Check(obj)) {
    PyObject *seq = PySequence_Fast(obj, "");
    if (!seq) return false;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    bool ok = n >= 1 && n <= 3;
    if (!ok) PyErr_Format(PyExc_ValueError, "%s has %zd dimensions (1 to 3)", what, n);
    for (Py_ssize_t i = 0; ok && i < n; ++i) ok = one(PySequence_Fast_GET_ITEM(seq, i), &v[i]);
    Py_DECREF(seq);
    if (!ok) return false;
  } else if (!one(obj, &v[0])) {
    return false;
  }
  *out = {v[0], v[1], v[2]};
  return true;
}

bool fill_params(const ParamLayout &layout, ParamWriter &writer, PyObject *const *args,
                 Py_ssize_t nargs, const char *what, std::vector<uint64_t> *producer_streams) {
  const std::vector<ArgSpec> &specs = layout.args();
  if (static_cast<size_t>(nargs) != specs.size()) {
    PyErr_Format(PyExc_TypeError, "%s takes %zu arguments (%zd given)", what, specs.size(), nargs);
    return false;
  }
  ArrayView view;
  for (Py_ssize_t i = 0; i < nargs; ++i) {
    const ArgSpec &spec = specs[static_cast<size_t>(i)];
    PyObject *a = args[i];
    auto idx = static_cast<size_t>(i);
    switch (spec.kind) {
      case ArgKind::Array:
        if (!array_view_of(a, &view)) return argument_error(what, i);
        if (static_cast<uint32_t>(view.ndim) != spec.ndim) {
          PyErr_Format(PyExc_TypeError,
                       "%s argument %zd: a %d-dimensional array where the "
                       "kernel takes %u dimensions",
                       what, i, view.ndim, spec.ndim);
          return false;
        }
        if (producer_streams && view.has_stream) producer_streams->push_back(view.stream);
        writer.set_array(idx, {view.data, view.shape, view.strides});
        break;
      case ArgKind::Pointer: {
        uint64_t address;
        if (is_device_array(a)) {
          address = reinterpret_cast<DeviceArrayObject *>(a)->data;
        } else {
          PyObject *index = PyNumber_Index(a);
          if (!index) return argument_error(what, i);
          address = PyLong_AsUnsignedLongLong(index);
          Py_DECREF(index);
          if (address == static_cast<uint64_t>(-1) && PyErr_Occurred())
            return argument_error(what, i);
        }
        writer.set_pointer(idx, address);
        break;
      }
      case ArgKind::Int:
      case ArgKind::UInt: {
        uint64_t bits;
        bool ok = spec.kind == ArgKind::Int ? read_signed(a, spec.size, &bits)
                                            : read_unsigned(a, spec.size, &bits);
        if (!ok) return argument_error(what, i);
        writer.set_integer(idx, bits);
        break;
      }
      case ArgKind::Bool: {
        int t = PyObject_IsTrue(a);
        if (t < 0) return argument_error(what, i);
        writer.set_integer(idx, static_cast<uint64_t>(t));
        break;
      }
      case ArgKind::Float: {
        double d = PyFloat_CheckExact(a) ? PyFloat_AS_DOUBLE(a) : PyFloat_AsDouble(a);
        if (d == -1.0 && PyErr_Occurred()) return argument_error(what, i);
        writer.set_float(idx, d);
        break;
      }
      case ArgKind::Complex: {
        Py_complex c = PyComplex_AsCComplex(a);
        if (c.real == -1.0 && PyErr_Occurred()) return argument_error(what, i);
        writer.set_complex(idx, c.real, c.imag);
        break;
      }
    }
  }
  return true;
}

bool init_launch(PyObject *module) {
  LauncherType.tp_flags = Py_TPFLAGS_DEFAULT;
  LauncherType.tp_doc =
      "KernelLauncher(function, layout)\n\nOne kernel with its parameter layout (a ParamLayout "
      "or a list of (ArgKind, size_or_ndim)), computed once.  configure(grid, block, stream, "
      "shared) gives the callable that launches it.";
  LauncherType.tp_new = launcher_new;
  LauncherType.tp_dealloc = launcher_dealloc;
  LauncherType.tp_methods = launcher_methods;
  LauncherType.tp_getset = launcher_getset;
  ConfiguredType.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL;
  ConfiguredType.tp_doc = "A kernel with its launch configuration: call it with the arguments.";
  ConfiguredType.tp_dealloc = configured_dealloc;
  ConfiguredType.tp_call = PyVectorcall_Call;
  ConfiguredType.tp_vectorcall_offset = offsetof(ConfiguredObject, vectorcall);
  ConfiguredType.tp_getset = configured_getset;
  if (PyType_Ready(&LauncherType) < 0 || PyType_Ready(&ConfiguredType) < 0) return false;
  Py_INCREF(&LauncherType);
  Py_INCREF(&ConfiguredType);
  return PyModule_AddObject(module, "KernelLauncher",
                            reinterpret_cast<PyObject *>(&LauncherType)) == 0 &&
         PyModule_AddObject(module, "ConfiguredLaunch",
                            reinterpret_cast<PyObject *>(&ConfiguredType)) == 0;
}

}  // namespace ember::py::cuda
