"""``import ember`` in a sub-interpreter (PEP 684/734) raises a clear ImportError (issue 14,
item 4: what full support is missing is in docs/design.md §15): with its own GIL (3.12+) and as
a legacy interpreter sharing the main GIL, whether or not the main interpreter imported ember
first; and the main interpreter goes on working.

Each case runs in a fresh process under a timeout: before the check, importing ember in a 3.11
sub-interpreter hung, and a hang must fail the test, not the suite.  The probe uses the
interpreters module of the running CPython (``_interpreters`` from 3.13, ``_xxsubinterpreters``
before), so `make test-pythons` runs the own-GIL cases on 3.12 and 3.13.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROBE = """
import json, sys
main_first = sys.argv[1] == "main-first"
own_gil = sys.argv[2] == "own-gil"
if main_first:
    import ember
try:
    import _interpreters as interps  # 3.13+
except ImportError:
    import _xxsubinterpreters as interps
code = "import sys\\nsys.path[:0] = %r\\nimport ember\\n" % (sys.path,)
if hasattr(interps, "new_config"):  # 3.13: the error comes back as a value
    iid = interps.create(interps.new_config("isolated" if own_gil else "legacy"))
    info = interps.exec(iid, code)
    error = None if info is None else f"{info.type.__name__}: {info.msg}"
else:
    iid = interps.create(isolated=True) if own_gil else interps.create()
    try:
        interps.run_string(iid, code)
        error = None
    except interps.RunFailedError as exc:
        error = str(exc)
interps.destroy(iid)
import ember  # the main interpreter still imports and runs ember
import numpy as np
@ember.jit
def total(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s
print(json.dumps({"error": error, "main_result": total(np.arange(5.0))}))
"""


def probe(*args):
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(PROBE), *args], env=env,
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


CASES = [("main-first", "shared-gil"), ("sub-only", "shared-gil")]
if sys.version_info >= (3, 12):
    CASES += [("main-first", "own-gil"), ("sub-only", "own-gil")]


@pytest.mark.parametrize("order,gil", CASES)
def test_import_in_a_subinterpreter_raises_a_clear_import_error(order, gil):
    got = probe(order, gil)
    assert got["error"] is not None, "ember imported in a sub-interpreter"
    assert "ImportError" in got["error"]
    assert "ember cannot be imported in a sub-interpreter" in got["error"]
    assert "NumPy" in got["error"] and "multiprocessing" in got["error"]
    assert got["main_result"] == 10.0


def test_the_main_interpreter_is_not_a_subinterpreter():
    from ember import _interpreters
    assert not _interpreters.in_subinterpreter()
