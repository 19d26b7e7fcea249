"""Census of the NumPy names Numba supports (../shared/numpy_api/numba_supported_names.txt): for
each name, does ember compile a call of it with at least one of a few common argument forms?

    .venv/bin/python benchmarks/numpy_census.py [--list] [--without-npapi] [names file]

--without-npapi counts without the functions ember/npapi implements in Python (the count
before that package existed).

A name counts as compiling when some form compiles (an exception raised by the compiled call,
such as a ValueError for the argument's shape, still counts: the name was compiled).  This is a
coverage probe, not a correctness test: tests/python/test_npapi_*.py check results against NumPy.
"""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np

import ember
from ember.errors import EmberError

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "shared", "numpy_api", "numba_supported_names.txt")

A1 = np.linspace(0.5, 2.0, 6)
A2 = np.array([[2.0, 1.0, 0.5], [1.0, 3.0, 0.25], [0.5, 0.25, 4.0]])
I1 = np.array([3, 1, 2, 0, 5], dtype=np.int64)
B1 = np.array([True, False, True, True])
FORMS = [(A1,), (A2,), (A1, A1), (A2, A2), (1.5,), (A1, 2), (I1,), (B1,), (), (1.5, 2.5),
         (2,), (2, 3), (A2, 2), (A1, A1, A1), ((A1, A1),), (A1, 1.0, 2.0), (A1, A1, A2)]


def _call_source(name):
    """Source of a jitted function calling `name` with arguments x0..xk (k per form)."""
    if name.startswith("ndarray."):
        attr = name.split(".", 1)[1]
        if attr.startswith("__contains__"):
            return "def f(a, *args):\n    return args[0] in a\n", "contains"
        return (f"def f(a, *args):\n    return a.{attr}(*args)\n",
                f"def f(a, *args):\n    return a.{attr}\n")
    if name.startswith("np.random.Generator."):
        meth = name.rsplit(".", 1)[1]
        return f"def f(g, *args):\n    return g.{meth}(*args)\n", "generator"
    return f"def f(*args):\n    return {name}(*args)\n", None


def _forms_source(src, nargs, method):
    params = ", ".join(f"x{k}" for k in range(nargs))
    if method:
        body = src.replace("(a, *args)", f"(a{', ' if nargs else ''}{params})")
        return body.replace("*args", params).replace("args[0]", "x0")
    return src.replace("*args", params)


def probe(name):
    """None when a call of `name` compiles with some argument form; otherwise the name of the
    exception ember raised (UnsupportedError when any form raised it, else the commonest)."""
    call, alt = _call_source(name)
    method = name.startswith("ndarray.")
    generator = name.startswith("np.random.Generator.")
    candidates = []
    if method:
        receivers = [A1, A2, I1, B1]
        for recv in receivers:
            for form in [(), (0,), (1.5,), (np.int64(1),)]:
                for src in ((call,) if alt in ("contains", None) else (call, alt)):
                    if alt == "contains" and not form:
                        continue
                    candidates.append((src, (recv,) + form))
    elif generator:
        rng = np.random.default_rng(1)
        for form in [(), (1.5,), (1.5, 2.5), (3,), (A1,), (2, 3)]:
            candidates.append((call, (rng,) + form))
    else:
        candidates = [(call, form) for form in FORMS]
    errors = []
    for src, args in candidates:
        nargs = len(args) - (1 if (method or generator) else 0)
        text = _forms_source(src, nargs, method or generator)
        scope = {"np": np}
        try:
            exec(text, scope)
        except SyntaxError:
            continue
        fn = ember.jit(scope["f"])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(*args)
            return None
        except EmberError as e:
            errors.append(type(e).__name__)
        except Exception:  # compiled, raised at run time (bad argument values)
            return None
    if "UnsupportedError" in errors:
        return "UnsupportedError"
    return max(sorted(set(errors)), key=errors.count) if errors else "no form to try"


def compiles(name) -> bool:
    return probe(name) is None


def main(argv):
    path = DEFAULT
    show = "--list" in argv
    if "--without-npapi" in argv:
        import ember.npapi
        ember.npapi._loaded = True  # registers nothing: lookup() finds no overloads
    argv = [a for a in argv if not a.startswith("--")]
    if argv:
        path = argv[0]
    names = [ln.strip() for ln in open(path) if ln.strip() and not ln.startswith("#")]
    ok, missing = [], []
    for name in names:
        (ok if compiles(name) else missing).append(name)
    print(f"{len(ok)} of {len(names)} names compile with at least one common argument form")
    if show:
        print("missing:", " ".join(missing))


if __name__ == "__main__":
    main(sys.argv[1:])
