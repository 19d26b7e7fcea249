"""Running one job (a program and its input sets) in this process: the reference program under
CPython, the plain program compiled by ember, each input set given to both, and a verdict.

A verdict per input set is one of: pass; intended (the reference met an intended difference);
mismatch (values, types or exception types differ; or ember raised InternalError); refused
(ember raised TypingError/UnsupportedError on a program CPython runs); invalid (CPython itself
rejected the program: a generator bug).  The program's category is the worst of its verdicts.
A crash or hang is not seen here: the process running this dies or stops answering, and the
driver (pool.py) sees that.
"""
from __future__ import annotations

import ctypes
import linecache
import math
import os
import re
import time
import warnings

import numpy as np

from .compare import describe_kind, difference
from .intended import Intended, IntendedDifference
from .reference import reference_namespace
from .values import build

PLANT_MARKER = 424242
# order of severity: a program's category is its worst verdict
CATEGORIES = ("pass", "intended", "invalid", "refused", "mismatch")
# exceptions of the reference run that mean the generator wrote an invalid program
INVALID_IN_CPYTHON = (TypeError, NameError, AttributeError, SyntaxError, KeyError)


def normalize(message: str) -> str:
    """The first line of an error message with names and numbers abstracted, so that the
    same bug in two programs has the same signature."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    first = re.sub(r"'[^']*'", "'_'", first)
    first = re.sub(r"\d+", "N", first)
    return first[:160]


def _register_source(filename: str, source: str):
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)


def _call(fn, args):
    """(kind, value): ("value", result) or ("raise", exception)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return "value", fn(*args)
        except Exception as exc:  # noqa: BLE001 - every exception is a result here
            return "raise", exc


def _plant(job: dict) -> str | None:
    plant = job.get("plant")
    if plant and str(PLANT_MARKER) in job["plain"]:
        return plant
    return None


def _misbehave(plant: str):
    if plant == "abort":
        os.abort()
    if plant == "segv":
        ctypes.string_at(0)
    if plant == "hang":
        time.sleep(3600)


def run_job(job: dict, progress=None) -> dict:
    """progress(phase) is called before each reference ("reference") and compiled
    ("compiled") call, so that a driver watching a worker knows which one hung or crashed."""
    import ember  # noqa: PLC0415 - imported in the worker, after its stdout is set up
    from ember import _ember
    from ember.errors import EmberError, InternalError

    name = job["name"]
    ref_file, plain_file = f"<fuzz-ref {name}>", f"<fuzz {name}>"
    _register_source(ref_file, job["reference"])
    _register_source(plain_file, job["plain"])
    ref_ns = reference_namespace()
    plain_ns = {"np": np, "math": math, "ember": ember}
    try:
        exec(compile(job["reference"], ref_file, "exec"), ref_ns)
        exec(compile(job["plain"], plain_file, "exec"), plain_ns)
    except Exception as exc:  # noqa: BLE001
        return _result("invalid", f"invalid: {type(exc).__name__}: {normalize(str(exc))}",
                       str(exc), [])
    ref_fn, plain_fn = ref_ns[job["entry"]], plain_ns[job["entry"]]
    plant = _plant(job)
    verdicts = []
    for k, specs in enumerate(job["inputs"]):
        ref_args = [build(s) for s in specs]
        if progress:
            progress("reference")
        ref_kind, ref_value = _call(ref_fn, ref_args)
        if progress:
            progress("compiled")
        if plant in ("abort", "segv", "hang"):
            _misbehave(plant)
        args = [build(s) for s in specs]
        live_before = _ember.live_meminfos()
        kind, value = _call(plain_fn, args)
        if plant == "mismatch" and kind == "value":
            value = ("planted mismatch",)
        verdict = _judge(ref_kind, ref_value, ref_args, kind, value, args, job["approx"],
                         EmberError, InternalError)
        # every array the compiled code made is gone once its results are (no cycles: plain
        # reference counting frees them here)
        del value, args
        leaked = _ember.live_meminfos() - live_before
        if leaked and verdict["category"] in ("pass", "intended"):
            what = "leaked" if leaked > 0 else "released too often"
            verdict = {"category": "mismatch",
                       "signature": f"mismatch: arrays made by compiled code {what}",
                       "detail": f"{abs(leaked)} array(s) {what} (ember._ember.live_meminfos)"}
        verdict["input"] = k
        verdicts.append(verdict)
        if verdict["category"] in ("refused", "invalid"):
            break       # the same on every input set
    worst = max(verdicts, key=lambda v: CATEGORIES.index(v["category"]))
    return _result(worst["category"], worst.get("signature", ""), worst.get("detail", ""),
                   verdicts)


def _result(category: str, signature: str, detail: str, verdicts: list) -> dict:
    intended = sorted({v["intended"] for v in verdicts if v.get("intended")})
    return {"category": category, "signature": signature, "detail": detail,
            "intended": intended, "runs": len(verdicts),
            "failing_input": next((v["input"] for v in verdicts
                                   if v["category"] == category and category != "pass"), None)}


def _judge(ref_kind, ref_value, ref_args, kind, value, args, approx: int, EmberError,
           InternalError) -> dict:
    if ref_kind == "raise" and isinstance(ref_value, IntendedDifference):
        return {"category": "intended", "intended": ref_value.kind.name}
    if ref_kind == "raise" and isinstance(ref_value, INVALID_IN_CPYTHON) and \
            not isinstance(ref_value, UnboundLocalError):
        text = f"{type(ref_value).__name__}: {ref_value}"
        return {"category": "invalid",
                "signature": f"invalid: {type(ref_value).__name__}: {normalize(str(ref_value))}",
                "detail": f"CPython raised {text}"}
    if kind == "raise" and isinstance(value, InternalError):
        return {"category": "mismatch",
                "signature": f"mismatch: InternalError: {normalize(value.message)}",
                "detail": str(value)}
    if kind == "raise" and isinstance(value, EmberError) and \
            "which does not fit in int64" in value.message:
        return {"category": "intended", "intended": Intended.INT64_WRAP.name}
    if kind == "raise" and isinstance(value, EmberError):
        cls = type(value).__name__
        return {"category": "refused",
                "signature": f"refused: {cls}: {normalize(value.message)}",
                "detail": str(value)}
    if ref_kind == "raise" and kind == "raise":
        if type(ref_value) is type(value):
            return {"category": "pass"}
        return {"category": "mismatch",
                "signature": f"mismatch: CPython raised {type(ref_value).__name__}, "
                             f"ember raised {type(value).__name__}",
                "detail": f"CPython: {type(ref_value).__name__}: {ref_value}; "
                          f"ember: {type(value).__name__}: {value}"}
    if ref_kind == "raise":
        return {"category": "mismatch",
                "signature": f"mismatch: CPython raised {type(ref_value).__name__}, "
                             f"ember returned a value",
                "detail": f"CPython: {type(ref_value).__name__}: {ref_value}; "
                          f"ember returned {value!r}"}
    if kind == "raise":
        return {"category": "mismatch",
                "signature": f"mismatch: CPython returned {describe_kind(ref_value)}, "
                             f"ember raised {type(value).__name__}",
                "detail": f"CPython returned {ref_value!r}; ember: {type(value).__name__}: "
                          f"{value}"}
    diff = difference(value, ref_value, approx)
    if diff is None:
        for i, (a, ra) in enumerate(zip(args, ref_args)):
            if isinstance(ra, np.ndarray):
                diff = difference(a, ra, approx, f"argument {i} after the call")
                if diff:
                    break
    if diff is None:
        return {"category": "pass"}
    what = "array argument" if diff.startswith("argument") else describe_kind(ref_value)
    aspect = "dtype" if "dtype" in diff else "shape" if "shape" in diff else \
        "type" if "expected" in diff else "value"
    return {"category": "mismatch", "signature": f"mismatch: {aspect} of {what}",
            "detail": diff[:2000]}
