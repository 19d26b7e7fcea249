"""Compiled functions shared by several test modules (imported as ``from _helpers import ...``,
as conftest is): the binary arithmetic operators, one jitted function each, so the modules that
check them on their own values (test_scalars, test_datetime) do not each define a copy.  Their
``py_func`` is the plain operator, for ``conftest.check``."""

import ember


@ember.jit
def add(a, b):
    return a + b


@ember.jit
def sub(a, b):
    return a - b


@ember.jit
def mul(a, b):
    return a * b


@ember.jit
def truediv(a, b):
    return a / b


@ember.jit
def floordiv(a, b):
    return a // b


@ember.jit
def mod(a, b):
    return a % b
