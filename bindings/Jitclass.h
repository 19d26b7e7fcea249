/** \file Jitclass.h
 * The Python side of @jitclass instances (runtime: ember/jitclass.h).  `_ember.JitclassBase`
 * owns a reference to an instance's MemInfo and knows its class id; the class ember/jitclasses.py
 * generates for each @jitclass subclasses it (its attributes and methods call compiled
 * accessors), so the dispatcher passes such an object to compiled code as the instance itself
 * (mutations are seen on both sides) and an instance returned by compiled code comes back as
 * an object of that class.
 */
#pragma once

#include <cstdint>

#include "bindings/NumpyApi.h"
#include "ember/abi.h"

namespace ember::py {

/// Registers JitclassBase and `register_jitclass(class_id, cls)`; call once at import.
bool init_jitclass(PyObject *module);
/// The class id and MemInfo (borrowed) of a JitclassBase object that holds an instance.
bool jitclass_instance(PyObject *obj, int64_t *class_id, ember_meminfo **mi);
/// A new object of the class registered for class_id owning `mi` (the reference moves into
/// it).  NULL with an error set (and mi released) on failure.
PyObject *wrap_jitclass(int64_t class_id, ember_meminfo *mi);

}  // namespace ember::py
