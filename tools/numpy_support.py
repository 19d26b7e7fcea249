"""Writes docs/numpy_support.md: for every NumPy name that Numba supports
(../shared/numpy_api/numba_supported_names.txt), whether ember compiles it and where the tests
check it, so that the table is derived from the tests and the compiler and cannot disagree
with them.

    .venv/bin/python tools/numpy_support.py           # rewrite docs/numpy_support.md
    .venv/bin/python tools/numpy_support.py --check   # exit 1 if the committed file is stale
    make numpy-support                                # the same as the first line

A name's status comes from two sources:
- the tests: tests/python/test_*.py are parsed (not run) and every NumPy name used inside a
  compiled function (one decorated with, or passed to, ``jit``/``njit``/``vectorize``/...)
  counts as tested by that file.  Running those tests is what shows the name compiles and
  matches NumPy; tests/python/test_numpy_support.py checks that this file is current.
- the compiler, for the names no test uses: a call of the name is compiled with a few common
  argument forms (benchmarks/numpy_census.py's probe).  A name that compiles there but has no
  test is listed as such (it should get a test); one that never compiles is listed with the
  exception ember raises for it.
"""
from __future__ import annotations

import ast
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NAMES = os.path.join(ROOT, "..", "shared", "numpy_api", "numba_supported_names.txt")
TESTS = os.path.join(ROOT, "tests", "python")
DOC = os.path.join(ROOT, "docs", "numpy_support.md")

# The test files whose compiled functions take arrays (where `x.sum()` is ndarray.sum).
ARRAY_TESTS = ("test_numpy_", "test_npapi_", "test_arrays_", "test_ufunc", "test_bytes")

# Callables that compile the function given to them (as a decorator or as the first argument).
_COMPILERS = {"jit", "njit", "vectorize", "guvectorize", "stencil", "cfunc", "generated_jit"}


def read_names(path=NAMES):
    """The names file as [(section title, [names])], in its order."""
    sections = [("", [])]
    for line in open(path):
        line = line.strip()
        if line.startswith("## "):
            sections.append((line[3:], []))
        elif line and not line.startswith("#"):
            sections[-1][1].append(line)
    return [s for s in sections if s[1]]


def _final_name(node):
    while isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def compiled_bodies(tree):
    """The function and lambda nodes of a module that are compiled: decorated with a compiler,
    or passed (by name, as a lambda, or as an item of a dict or list of lambdas) as the first
    argument of a call of one."""
    passed = set()
    lambdas = []
    containers = set()  # jit(KERNELS[name]): every lambda in KERNELS is compiled
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _final_name(node.func) in _COMPILERS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Name):
                passed.add(first.id)
            elif isinstance(first, ast.Lambda):
                lambdas.append(first)
            elif isinstance(first, ast.Subscript) and isinstance(first.value, ast.Name):
                containers.add(first.value.id)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in containers
                                                for t in node.targets):
            lambdas += [n for n in ast.walk(node.value) if isinstance(n, ast.Lambda)]
    bodies = list(lambdas)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in passed or any(_final_name(d) in _COMPILERS
                                          for d in node.decorator_list):
                bodies.append(node)
    return bodies


def names_used(body, wanted, array_file):
    """The names of `wanted` that a compiled function's body uses.  Array methods and attributes
    (`x.sum()`, `x.real`, `v in x`) are told from those of lists, strings and numbers only by the
    test file: they count in the array test files (ARRAY_TESTS) alone."""
    found = set()
    for node in ast.walk(body):
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted and dotted.startswith(("np.", "numpy.")):
                full = "np." + dotted.split(".", 1)[1]
                if full in wanted:
                    found.add(full)
                continue
            if (dotted and dotted.split(".")[0] == "np") or not array_file:
                continue
            for prefix in ("ndarray.", "np.random.Generator."):
                if prefix + node.attr in wanted:
                    found.add(prefix + node.attr)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            found.add("operator @")
        elif array_file and isinstance(node, ast.Compare) and any(
                isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            found.add("ndarray.__contains__")
    return found & wanted


def tested_by(wanted, tests_dir=TESTS):
    """{name: sorted test file names whose compiled functions use it}."""
    where: dict[str, set] = {}
    for fname in sorted(os.listdir(tests_dir)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        with open(os.path.join(tests_dir, fname)) as fh:
            tree = ast.parse(fh.read(), fname)
        array_file = fname.startswith(ARRAY_TESTS)
        for body in compiled_bodies(tree):
            for name in names_used(body, wanted, array_file):
                where.setdefault(name, set()).add(fname)
    return {k: sorted(v) for k, v in where.items()}


def _probe():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import numpy_census
    finally:
        sys.path.pop(0)
    return numpy_census


def untested_status(name) -> str:
    """What the compiler does with a name no test uses: 'compiles (no test yet)', or the
    exception class it raises for every argument form the probe tries."""
    census = _probe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcome = census.probe(name)
    if outcome is None:
        return "compiles (no test yet)"
    return f"not supported: {outcome}"


def render(names_path=NAMES, tests_dir=TESTS, status_of_untested=untested_status) -> str:
    sections = read_names(names_path)
    wanted = {n for _, names in sections for n in names}
    tested = tested_by(wanted, tests_dir)
    rows_by_section = []
    counts = {"tested": 0, "untested": 0, "unsupported": 0}
    for title, names in sections:
        rows = []
        for name in names:
            if name in tested:
                status = "tested"
                where = ", ".join(f.removesuffix(".py") for f in tested[name])
                counts["tested"] += 1
            else:
                status = status_of_untested(name)
                where = ""
                counts["untested" if status.startswith("compiles") else "unsupported"] += 1
            rows.append(f"| `{name}` | {status} | {where} |")
        rows_by_section.append((title, rows))
    total = len(wanted)
    out = [
        "# NumPy names in compiled code",
        "",
        "Generated by `tools/numpy_support.py` (`make numpy-support`) from the tests; do not edit.",
        "tests/python/test_numpy_support.py fails when this file is not what the script writes.",
        "",
        "One row per name that Numba documents as supported (`../shared/numpy_api/"
        "numba_supported_names.txt`). **tested**: a compiled function in the listed test files",
        "(tests/python) uses the name, and those tests compare its results with NumPy's. "
        "**compiles (no test yet)**: no test uses it, but a call compiles with one of a few "
        "common argument forms (benchmarks/numpy_census.py). **not supported**: no argument "
        "form compiles; the exception ember raises is named.",
        "",
        f"{counts['tested']} of {total} tested, {counts['untested']} compile without a test, "
        f"{counts['unsupported']} not supported.",
    ]
    for title, rows in rows_by_section:
        out += ["", f"## {title}", "", "| name | status | tests |", "|---|---|---|"] + rows
    return "\n".join(out) + "\n"


def main(argv):
    text = render()
    if "--check" in argv:
        with open(DOC) as fh:
            if fh.read() != text:
                print(f"{DOC} is stale: run `make numpy-support`", file=sys.stderr)
                return 1
        return 0
    with open(DOC, "w") as fh:
        fh.write(text)
    print(text.split("\n")[8])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
