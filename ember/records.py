"""Structured dtypes (records) as compiled code sees them.

A structured dtype (``np.dtype([("x", "f8"), ("y", "i4")])``, packed or ``align=True``, nested,
with subarray fields) is described here once per layout: its fields with their byte offsets,
kinds (a number, a nested record, a subarray of numbers, a fixed-size ``S``/``U`` char field,
or a dtype compiled code does not read, such as ``M8``) and the record id that names the
layout in type codes (``[EMBER_T_RECORD, id]`` for an ``np.void`` record,
``[EMBER_T_RECORD_ARRAY, id, ndim, layout, readonly]`` for an array of them; ember/abi.h).
The id is a hash of the layout, so it is the same in every process and the on-disk cache can
key on it.

bindings/Records.cpp asks :func:`record_id` on the first sight of a dtype object and boxes
results with the dtype registered for an id; the compiler session learns each layout
(``Session.define_record``) before compiling a function that meets it (:func:`define`).
Typing and lowering: typeinfer/RecordRules.cpp, lowering/CodeGenRecord.cpp.
"""

from __future__ import annotations

import hashlib
import threading

import numpy as np

from . import _ember

__all__ = ["record_id", "define", "record_name"]

_SCALAR_TAGS = {  # ember/abi.h's scalar tags
    np.dtype(np.bool_): 1,
    np.dtype(np.int8): 2,
    np.dtype(np.int16): 3,
    np.dtype(np.int32): 4,
    np.dtype(np.int64): 5,
    np.dtype(np.uint8): 6,
    np.dtype(np.uint16): 7,
    np.dtype(np.uint32): 8,
    np.dtype(np.uint64): 9,
    np.dtype(np.float32): 10,
    np.dtype(np.float64): 11,
    np.dtype(np.complex64): 12,
    np.dtype(np.complex128): 13,
    np.dtype(np.float16): 32,
}
# Field kinds, as RecordField::Kind in ir/Types.h.
_SCALAR, _RECORD, _SUBARRAY, _OTHER, _CHARS, _UCHARS = 0, 1, 2, 3, 4, 5

_lock = threading.RLock()
_ids: dict = {}  # (dtype, isalignedstruct) -> record id (0: not supported)
_infos: dict = {}  # record id -> (name, itemsize, aligned, fields), in definition order
_defined: set = set()  # record ids the compiler session knows


def _scalar_tag(dt) -> int:
    return _SCALAR_TAGS.get(dt, 0) if dt.isnative else 0


def _field(name, dt, offset):
    """(name, offset, kind, scalar tag or record id, subarray shape, dtype str)."""
    if dt.subdtype is not None:
        base, shape = dt.subdtype
        tag = _scalar_tag(base)
        if tag:
            return (name, offset, _SUBARRAY, tag, list(shape), str(dt))
    elif dt.fields is not None:
        sub = record_id(dt)
        if sub:
            return (name, offset, _RECORD, sub, [], str(dt))
    elif dt.kind == "S":  # fixed-size bytes: read as bytes, trailing NULs stripped
        return (name, offset, _CHARS, 0, [dt.itemsize], str(dt))
    elif dt.kind == "U" and dt.isnative:  # UCS4 code units: read as str
        return (name, offset, _UCHARS, 0, [dt.itemsize // 4], str(dt))
    else:
        tag = _scalar_tag(dt)
        if tag:
            return (name, offset, _SCALAR, tag, [], str(dt))
    return (name, offset, _OTHER, 0, [], str(dt))


def record_id(dtype) -> int:
    """The record id of a structured dtype, or 0 when compiled code cannot take it (not
    structured, or holding Python objects)."""
    try:
        key = (dtype, bool(dtype.isalignedstruct))
        return _ids[key]
    except KeyError:
        pass
    except (TypeError, AttributeError):
        return 0
    with _lock:
        if key in _ids:
            return _ids[key]
        rid = 0
        if dtype.fields is not None and not dtype.hasobject:
            fields = [_field(n, *dtype.fields[n][:2]) for n in dtype.names]
            layout = repr((dtype.itemsize, key[1], fields))
            digest = hashlib.blake2b(layout.encode(), digest_size=8).digest()
            rid = (int.from_bytes(digest, "little") >> 2) | 1  # positive, nonzero int64
            _infos[rid] = (str(dtype), dtype.itemsize, key[1], fields)
            _ember.register_record_dtype(rid, dtype)
        _ids[key] = rid
        return rid


def record_name(rid) -> str:
    """NumPy's str of the dtype a record id names ('?' for an id this process never saw)."""
    info = _infos.get(rid)
    return info[0] if info else "?"


def define(session) -> None:
    """Tells the compiler session every layout it does not know yet (nested ones first: they
    were described first).  Called under the dispatcher's compile lock."""
    with _lock:
        for rid, (name, itemsize, aligned, fields) in list(_infos.items()):
            if rid not in _defined:
                session.define_record(rid, name, itemsize, aligned, fields)
                _defined.add(rid)
