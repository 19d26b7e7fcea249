/** \file Dispatcher.h
 * The object a jitted function becomes: a C type called through vectorcall.  The fast path
 * takes each positional argument's fingerprint, finds the compiled entry whose fingerprints
 * match (a linear scan: there are rarely more than a few), unboxes the arguments onto the
 * stack, calls the entry's wrapper (releasing the GIL for nogil functions), and boxes the
 * result or raises the exception the compiled code reported.  Everything else (keywords and
 * defaults, compiling a new signature, attributes such as py_func and inspect_llvm) belongs to
 * the Python object in `_impl` (ember/dispatcher.py), which the dispatcher calls or defers to.
 */
#pragma once

#include "bindings/NumpyApi.h"
#include "ember/abi.h"

namespace ember::py {

bool init_dispatcher(PyObject *module);

/// The exception classes compiled code can raise, by id (ember/abi.h): the builtin ones are
/// registered at import, user classes by register_exception().
PyObject *register_exception(PyObject *self, PyObject *cls);
PyObject *exception_class(int32_t id);
/// Sets the Python exception compiled code reported in err (with its traceback entry);
/// returns nullptr.
PyObject *raise_compiled_error(const ember_error &err);

/// Registers the reporter a @cfunc's C entry calls when it raised (CFuncReport.cpp).
void init_cfunc_reporter();
/// Whether the calling thread runs for a sub-interpreter (compiled code the main interpreter
/// shared, ember/_subinterpreter.py): the hooks that take the GIL to run main-interpreter
/// objects (objmode blocks, the cfunc reporter) must not run there (CFuncReport.cpp).
bool on_subinterpreter_thread();

/// The Python implementation (`_impl`) of a jitted function, whose id is the function's handle
/// in types; nullptr (no error set) when obj is not a jitted function.
PyObject *dispatcher_impl(PyObject *obj);

}  // namespace ember::py
