/** \file Ufunc.h
 * Real NumPy ufuncs and gufuncs whose inner loops are compiled kernels (@vectorize,
 * @guvectorize).  The one generic loop here is what NumPy calls: it runs the compiled loop
 * (lowering/UfuncLoops.cpp), on the thread pool for target='parallel', and turns a kernel's
 * error into a Python exception (taking the GIL, which NumPy may have released).
 */
#pragma once

#include "bindings/NumpyApi.h"

namespace ember::py {

/// make_ufunc(name, doc, nin, nout, loops, identity, parallel, signature=None): loops is a list
/// of (NumPy type numbers of every argument, compiled loop address, owner object).
PyObject *make_ufunc(PyObject *self, PyObject *args);

}  // namespace ember::py
