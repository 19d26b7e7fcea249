"""The exceptions ember raises at compile time, and the CUDA driver's failures.

A user's mistake is a ``TypingError`` (a ``TypeError``) or an ``UnsupportedError`` (a
``NotImplementedError``): both name the file and line of the user's code, show the source line
and say what is supported instead.  ``InternalError`` means ember itself is wrong and asks for
a report.  ``CudaDriverError`` is a CUDA driver call that failed at run time (ember._cuda raises
it), or a driver library that cannot be used; ``HipError`` the same for AMD's HIP runtime.  This
module is pure Python and imports nothing from ember, so that the bytecode normalizer can use it
on any interpreter without the native extension.
"""
from __future__ import annotations

import linecache

__all__ = ["EmberError", "TypingError", "UnsupportedError", "InternalError",
           "CudaDriverError", "HipError", "HipRuntimeNotFound", "format_location",
           "SubinterpreterError"]


def format_location(filename: str | None, line: int | None) -> str:
    """'File "f.py", line 12:\\n    y = x + 1' (the source line only when it can be read)."""
    if not filename or not line:
        return ""
    text = f'File "{filename}", line {line}:'
    src = linecache.getline(filename, line).rstrip()
    if src:
        text += "\n    " + src.strip()
    return text


class EmberError(Exception):
    """Base class of every error ember raises while compiling."""

    def __init__(self, message: str, filename: str | None = None, line: int | None = None):
        self.message = message
        self.filename = filename
        self.line = line
        where = format_location(filename, line)
        super().__init__(f"{message}\n{where}" if where else message)


class TypingError(EmberError, TypeError):
    """The function uses a value in a way its inferred type does not allow."""


class UnsupportedError(EmberError, NotImplementedError):
    """The function uses a Python feature ember does not compile (yet)."""


class InternalError(EmberError, RuntimeError):
    """ember failed on valid input: a bug in ember.  Please report it."""

    def __init__(self, message: str, filename: str | None = None, line: int | None = None):
        super().__init__(
            f"internal compiler error: {message} "
            "(this is a bug in ember; please report it with the function that triggered it)",
            filename, line)


class CudaDriverError(RuntimeError):
    """A CUDA driver call failed, or the driver library cannot be used.

    ``call`` is the driver function's exported name ("cuMemAlloc_v2"), or "dlopen"/"dlsym" when
    the library itself is the problem; ``code`` is the CUresult (None without one) and ``name``
    its name ("CUDA_ERROR_OUT_OF_MEMORY").  The message reads
    "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory".
    """

    def __init__(self, message: str, call: str | None = None, code: int | None = None,
                 name: str | None = None):
        super().__init__(message)
        self.call = call
        self.code = code
        self.name = name


class HipError(CudaDriverError):
    """A HIP runtime call failed, or the HIP runtime cannot be used: ``call`` is the HIP
    function ("hipMalloc", or "dlopen"/"dlsym"), ``code`` its hipError_t and ``name`` that
    error's name ("hipErrorOutOfMemory").  The message reads
    "hipMalloc failed: hipErrorOutOfMemory (2): out of memory".  A CudaDriverError too, since
    both come from the one driver layer (ember._cuda)."""

    def __new__(cls, message="", call=None, code=None, name=None):
        if cls is HipError and call in ("dlopen", "dlsym"):
            cls = HipRuntimeNotFound
        return super().__new__(cls, message)


class HipRuntimeNotFound(HipError):
    """No usable HIP runtime: libamdhip64 could not be opened (no ROCm installed, or a wrong
    EMBER_HIP_LIBRARY), or it lacks a function ember calls."""


class SubinterpreterError(UnsupportedError):
    """What ember cannot do in a sub-interpreter (PEP 684/734): compile (its compiler and NumPy
    load in the main interpreter only), or pass anything but numbers and bool to compiled code.
    Sub-interpreters run the code the main interpreter compiled (ember/_subinterpreter.py)."""
