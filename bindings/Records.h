/** \file Records.h
 * Structured dtypes at the boundary between Python and compiled code.  A record id names a
 * structured dtype's layout (ember/records.py derives it from the names, offsets and field
 * dtypes, so it is the same in every process and can be part of a cache key); this file maps
 * dtypes to ids for typeof (asking ember.records on the first sight of a dtype object) and ids
 * back to dtypes for boxing results.
 */
#pragma once

#include <cstdint>

#include "bindings/NumpyApi.h"

namespace ember::py {

/// The record id of a structured dtype; 0 (no Python error set) when compiled code cannot take
/// it (not structured, object fields).
int64_t record_id_of(PyArray_Descr *descr);
/// The dtype registered for a record id (a borrowed reference), or null.
PyArray_Descr *record_descr(int64_t id);
/// Adds `register_record_dtype(id, dtype)` to the module; call once at import.
bool init_records(PyObject *module);

}  // namespace ember::py
