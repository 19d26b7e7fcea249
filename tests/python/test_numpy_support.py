"""docs/numpy_support.md is what tools/numpy_support.py writes from the tests and the compiler
today (so the table cannot disagree with them; `make numpy-support` rewrites it), and the
script's parse of test files counts a name as tested only inside compiled functions."""
import importlib.util
import os
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_tool():
    spec = importlib.util.spec_from_file_location(
        "numpy_support", os.path.join(ROOT, "tools", "numpy_support.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not os.path.exists(load_tool().NAMES),
                    reason="../shared/numpy_api/numba_supported_names.txt is not beside it")
def test_committed_table_is_current():
    tool = load_tool()
    with open(tool.DOC) as fh:
        committed = fh.read()
    assert committed == tool.render(), "docs/numpy_support.md is stale: run `make numpy-support`"


def test_only_compiled_functions_count(tmp_path):
    tool = load_tool()
    names = tmp_path / "names.txt"
    names.write_text("## module functions\nnp.sin\nnp.cos\nnp.tan\nnp.exp\nnp.log\n"
                     "## methods\nndarray.sum\nndarray.mean\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_numpy_fake.py").write_text(textwrap.dedent("""
        import numpy as np
        import ember

        @ember.jit
        def f(a):
            return np.sin(a) + a.sum()

        def g(a):
            return np.cos(a) + a.mean()  # NumPy's reference: not compiled

        h = ember.jit(lambda a: np.tan(a))
        KERNELS = {"exp": lambda a: np.exp(a)}
        k = ember.jit(KERNELS["exp"])
        """))
    text = tool.render(str(names), str(tests), status_of_untested=lambda name: "untested")
    rows = {line.split("`")[1]: line for line in text.splitlines() if line.startswith("| `")}
    for name in ("np.sin", "np.tan", "np.exp", "ndarray.sum"):
        assert "| tested | test_numpy_fake |" in rows[name], name
    for name in ("np.cos", "np.log", "ndarray.mean"):
        assert "| untested |" in rows[name], name
