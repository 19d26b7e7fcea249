// How a @cfunc reports an exception: its C entry (lowering/CFuncEntry.cpp) has no caller to
// raise to, so, as Numba's cfuncs do, it takes the GIL, makes the Python exception from the
// error record and writes it with PyErr_WriteUnraisable ("Exception ignored in: <cfunc name>"
// and the traceback, through sys.unraisablehook), then returns zero to its C caller.
#include <cstdio>

#include "bindings/Dispatcher.h"
#include "ember/runtime.h"

namespace ember::py {

namespace {

void report_cfunc_exception(const ember_error *err, const char *name) {
  if (on_subinterpreter_thread()) {  // the exception classes and hook are the main interpreter's
    std::fprintf(stderr, "Exception ignored in: <ember.cfunc %s> (in a sub-interpreter): %s\n",
                 name, err->msg ? err->msg : "(no message)");
    return;
  }
  PyGILState_STATE gil = PyGILState_Ensure();
  // The caller's own exception, if one is pending (a C library called back from Python),
  // is kept aside: this report must neither clobber nor be clobbered by it.
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  raise_compiled_error(*err);
  PyObject *where = PyUnicode_FromFormat("<ember.cfunc %s>", name);
  PyErr_WriteUnraisable(where);
  Py_XDECREF(where);
  PyErr_Restore(type, value, traceback);
  PyGILState_Release(gil);
}

}  // namespace

void init_cfunc_reporter() { ember_set_cfunc_reporter(&report_cfunc_exception); }

bool on_subinterpreter_thread() {
  // The thread state this thread last bound (3.12+: the interpreter it runs for, even with its
  // GIL released around compiled code); read without the GIL, as PyGILState_Ensure does.
  PyThreadState *bound = PyGILState_GetThisThreadState();
  return bound && PyThreadState_GetInterpreter(bound) != PyInterpreterState_Main();
}

}  // namespace ember::py
