/** \file ObjMode.h
 * `with objmode(...)` blocks run by the interpreter (ObjMode.cpp): the hook compiled code
 * reaches through ember_objmode_call, the registry of blocks, and the Python exception a block
 * left for the dispatcher to raise.
 */
#pragma once

#include "bindings/NumpyApi.h"

namespace ember::py {

/// Installs the runtime's objmode hook and `_ember.objmode_register`; call once at import.
bool init_objmode(PyObject *module);
/// Restores (PyErr_Restore) the exception the calling thread's last failed block left; false
/// when there is none.
bool restore_objmode_exception();

}  // namespace ember::py
