"""The exceptions ember raises at compile time.

A user's mistake is a ``TypingError`` (a ``TypeError``) or an ``UnsupportedError`` (a
``NotImplementedError``): both name the file and line of the user's code, show the source line
and say what is supported instead.  ``InternalError`` means ember itself is wrong and asks for
a report.  This module is pure Python and imports nothing from ember, so that the bytecode
normalizer can use it on any interpreter without the native extension.
"""
from __future__ import annotations

import linecache

__all__ = ["EmberError", "TypingError", "UnsupportedError", "InternalError",
           "format_location"]


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
