// ember._ember: the part of ember that `import ember` loads.  It holds the dispatcher, typeof
// and boxing, and links only the runtime: no LLVM, so importing ember stays cheap.
#define EMBER_IMPORT_NUMPY
#include "bindings/NumpyApi.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings/Boxing.h"
#include "bindings/Containers.h"
#include "bindings/Jitclass.h"
#include "bindings/Dispatcher.h"
#include "bindings/ObjMode.h"
#include "bindings/Records.h"
#include "bindings/Typeof.h"
#include "bindings/Ufunc.h"
#include "ember/abi.h"
#include "ember/numeric.h"
#include "ember/parallel.h"
#include "ember/runtime.h"
#include "ember/vmath.h"

namespace py = pybind11;

namespace ember::py_cache {
void init_cache_loader(pybind11::module_ &m);  // CacheLoader.cpp
}

PYBIND11_MODULE(_ember, m) {
  m.doc() = "ember's runtime: the dispatcher, typeof and boxing (no compiler)";
  if (_import_array() < 0 || _import_umath() < 0) throw py::error_already_set();
  if (!ember::py::init_boxing(m.ptr()) || !ember::py::init_dispatcher(m.ptr()) ||
      !ember::py::init_containers(m.ptr()) || !ember::py::init_objmode(m.ptr()) ||
      !ember::py::init_jitclass(m.ptr()) || !ember::py::init_records(m.ptr()))
    throw py::error_already_set();
  ember::py::init_cfunc_reporter();

  m.attr("ABI_VERSION") = EMBER_ABI_VERSION;
  ember::py_cache::init_cache_loader(m);
  m.def(
      "typeof_code",
      [](py::handle obj) {
        std::vector<int64_t> code;
        if (!ember::py::type_code(obj.ptr(), &code))
          throw py::type_error(std::string("ember cannot compile for a value of type ") +
                               Py_TYPE(obj.ptr())->tp_name);
        return code;
      },
      "The ember type code of a value (ember/abi.h); TypeError when it has none.");
  m.def(
      "fingerprint", [](py::handle obj) { return ember::py::fingerprint(obj.ptr()); },
      "The dispatcher's 64-bit fingerprint of a value (0: slow path).");
  m.def(
      "fingerprint_of_code",
      [](const std::vector<int64_t> &code) { return ember::py::fingerprint_of_code(code); },
      "The fingerprint of the values whose type has this code.");
  m.def(
      "runtime_symbols",
      [] {
        std::vector<std::pair<std::string, uint64_t>> out;
        for (const ember_symbol *s = ember_runtime_symbols(); s->name; ++s)
          out.emplace_back(s->name, reinterpret_cast<uint64_t>(s->address));
        return out;
      },
      "The runtime functions compiled code calls, as (name, address).");
  m.def(
      "vector_math",
      [] {
        std::vector<py::tuple> out;
        for (const ember_vmath_entry *e = ember_vmath_table(); e->scalar; ++e)
          out.push_back(py::make_tuple(e->scalar, e->vector, reinterpret_cast<uint64_t>(e->address),
                                       e->lanes, e->args, e->isa));
        return out;
      },
      "ember's vector math functions (ember/vmath.h), as (libm name, symbol, address, lanes, "
      "arguments, ISA).");
  static PyMethodDef make_ufunc_def = {"make_ufunc", ember::py::make_ufunc, METH_VARARGS,
                                       "A NumPy ufunc (or gufunc) over compiled loops."};
  m.add_object("make_ufunc",
               py::reinterpret_steal<py::object>(PyCFunction_New(&make_ufunc_def, nullptr)));
  m.def(
      "set_num_threads",
      [](int64_t n) {
        if (ember_set_num_threads(n) != 0)
          throw py::value_error("the number of threads must be between 1 and " +
                                std::to_string(ember_max_threads()));
      },
      "Sets how many threads parallel regions use.");
  m.def("get_num_threads", &ember_get_num_threads, "How many threads parallel regions use.");
  m.def("get_thread_id", &ember_get_thread_id,
        "This thread's index in the current parallel region (0 outside).");
  m.def("max_threads", &ember_max_threads, "The most threads parallel regions may use.");
  m.def(
      "set_blas",
      [](uint64_t dgemm, uint64_t sgemm) {
        ember_set_blas(reinterpret_cast<void *>(dgemm), reinterpret_cast<void *>(sgemm));
      },
      "Registers Fortran dgemm/sgemm (SciPy's cython_blas) for matrix products; 0 for none.");
  m.def(
      "set_lapack",
      [](const std::string &name, uint64_t fn) {
        return ember_set_lapack(name.c_str(), reinterpret_cast<void *>(fn)) != 0;
      },
      "Registers a Fortran LAPACK routine ('dgesv', 'sgetrf', ...: SciPy's cython_lapack) for "
      "np.linalg; False for a routine ember does not use.");
  m.def("live_meminfos", &ember_live_meminfos,
        "How many MemInfos (arrays made in compiled code) are alive.");
  m.def(
      "register_exception",
      [](py::handle cls) {
        PyObject *r = ember::py::register_exception(nullptr, cls.ptr());
        if (!r) throw py::error_already_set();
        return py::reinterpret_steal<py::object>(r);
      },
      "The id compiled code uses to raise this exception class.");
  m.def(
      "exception_ids",
      [] {
        py::dict d;
#define EMBER_X(name, id) d[#name] = id;
        EMBER_EXCEPTION_IDS(EMBER_X)
#undef EMBER_X
        return d;
      },
      "The ids of the builtin exceptions compiled code can raise.");
}
