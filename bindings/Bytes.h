/** \file Bytes.h
 * Python's bytes and bytearray at the boundary with compiled code (type code EMBER_T_BYTES,
 * ember/abi.h).  Compiled code sees either as a 1-d uint8 array struct: an argument borrows the
 * object's buffer (meminfo NULL, parent = the object, which the call keeps alive), so nothing is
 * copied on the way in.  A result that is an unchanged argument comes back as that object;
 * any other result (a slice, ndarray.tobytes(), a literal) is copied into a new bytes or
 * bytearray, since neither can wrap memory it does not own.
 */
#pragma once

#include "bindings/Boxing.h"

namespace ember::py {

/// The plan of [EMBER_T_BYTES, kind, layout] (code[*pos] is the kind); advances *pos.
void make_bytes_plan(Plan *p, const std::vector<int64_t> &code, size_t *pos);
/// A bytes (kind 1) or bytearray (kind 2) argument into its array struct.
bool unbox_bytes(const Plan &plan, PyObject *obj, void *out);
/// A new bytes or bytearray from the array struct at `in` (whose reference it takes).
PyObject *box_bytes(const Plan &plan, void *in);

}  // namespace ember::py
