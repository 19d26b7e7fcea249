"""The dispatcher (what ``@ember.jit`` returns): keyword, default and keyword-only arguments
from Python; eager compilation from explicit signatures and the conversions they accept;
``py_func`` / ``signatures`` / ``nopython_signatures`` / ``inspect_llvm`` / ``inspect_asm`` /
``inspect_types``; the decorator's options (nopython, forceobj, fastmath, boundscheck, nogil,
error_model, cache); and two threads racing on the first call of a signature."""
import io
import math
import threading

import numpy as np
import pytest
from conftest import assert_same, check
from rendezvous import CONTROL_ROUNDS, SAFETY_ROUNDS, answer, meet_nogil, meet_with_gil

import ember


def test_njit_is_jit():
    assert ember.njit is ember.jit


@pytest.mark.parametrize("decorator", [ember.jit, ember.jit(), ember.jit(nopython=True),
                                       ember.njit(cache=True)],
                         ids=["bare", "called", "nopython", "cache"])
def test_decorator_forms(decorator):
    def f(x):
        return x + 1

    assert decorator(f)(1) == 2


def test_function_metadata_is_kept():
    @ember.jit
    def documented(x):
        """The doc."""
        return x

    assert documented.__name__ == "documented"
    assert documented.__doc__ == "The doc."
    assert documented.py_func.__name__ == "documented"


def test_py_func_is_the_original_function():
    def f(x):
        return x * 2

    jitted = ember.jit(f)
    assert jitted.py_func is f


# ---- arguments from Python -------------------------------------------------------------------

@ember.jit
def defaults(a, b=2, c=0.5):
    return a * b + c


@ember.jit
def kwonly(a, *, scale=3, shift=1):
    return a * scale + shift


def test_keyword_arguments():
    assert_same(defaults(a=1, b=3, c=0.25), 3.25)
    assert_same(defaults(1, c=1.0), 3.0)
    assert_same(defaults(c=2.0, b=5, a=1), 7.0)


def test_default_arguments():
    assert_same(defaults(4), 8.5)
    assert_same(defaults(4, 1), 4.5)


def test_keyword_only_arguments():
    assert_same(kwonly(2), 7)
    assert_same(kwonly(2, shift=0), 6)
    assert_same(kwonly(2, scale=-1, shift=5), 3)


def test_keyword_only_argument_given_positionally_raises_type_error():
    with pytest.raises(TypeError):
        kwonly(2, 3)


def test_missing_argument_raises_type_error():
    with pytest.raises(TypeError):
        defaults()


def test_unknown_keyword_raises_type_error():
    with pytest.raises(TypeError):
        defaults(1, d=3)


def test_too_many_arguments_raise_type_error():
    with pytest.raises(TypeError):
        defaults(1, 2, 3, 4)


def test_signatures_record_each_compiled_type():
    @ember.jit
    def f(x, y):
        return x + y

    assert f.signatures == []
    f(1, 2)
    f(1.0, 2)
    f(3, 4)  # already compiled
    assert f.signatures == [("int64", "int64"), ("float64", "int64")]
    assert f.nopython_signatures == ["(int64, int64) -> int64",
                                     "(float64, int64) -> float64"]


def test_array_signature_names():
    @ember.jit
    def f(a):
        return a.ndim

    f(np.zeros((2, 2)))
    f(np.zeros((2, 2), dtype=np.float32, order="F"))
    f(np.zeros((4, 4))[::2])
    assert f.signatures == [("array(float64, 2d, C)",), ("array(float32, 2d, F)",),
                            ("array(float64, 2d, A)",)]


# ---- explicit signatures ---------------------------------------------------------------------

def test_eager_signature_compiles_at_decoration():
    @ember.jit("float64(float64[:], int64)")
    def f(a, i):
        return a[i] * 2

    assert f.signatures == [("array(float64, 1d, A)", "int64")]
    assert f(np.arange(4.0), 3) == 6.0


def test_eager_signature_list():
    @ember.jit(["f8(f8)", "f4(f4)"])
    def f(x):
        return x / 3

    assert len(f.signatures) == 2
    assert_same(f(1.0), 1.0 / 3)
    assert_same(f(np.float32(1.0)), float(np.float32(1.0) / np.float32(3)))


def test_eager_signature_converts_int_argument():
    @ember.jit("f8(f8)")
    def f(x):
        return x / 2

    assert_same(f(3), 1.5)
    assert f.signatures == [("float64",)]  # no new compilation


def test_eager_signature_list_picks_the_best_conversion():
    # int64 converts safely to float64, not to float32: Numba picks f8(f8) whatever the order
    @ember.jit(["f4(f4)", "f8(f8)"])
    def f(x):
        return x / 3

    assert_same(f(1), 1.0 / 3)
    assert_same(f(np.float32(1.0)), float(np.float32(1.0) / np.float32(3)))


def test_eager_signature_declared_return_type_converts():
    @ember.jit("float64(int64)")
    def f(x):
        return x * 2

    assert_same(f(3), 6.0)


def test_eager_signature_rejects_other_types():
    @ember.jit("f8(f8)")
    def f(x):
        return x

    with pytest.raises(TypeError):
        f(np.zeros(3))
    with pytest.raises(TypeError):
        f(1j)


def test_eager_array_signature_rejects_other_dtype():
    @ember.jit("float64(float64[:])")
    def f(a):
        return a[0]

    with pytest.raises(TypeError):
        f(np.zeros(3, dtype=np.int64))


def test_eager_c_contiguous_signature():
    @ember.jit("void(float32[:, ::1])")
    def f(a):
        a[0, 0] = 1

    a = np.zeros((2, 2), dtype=np.float32)
    assert f(a) is None
    assert a[0, 0] == 1


def test_bad_signature_string_raises():
    with pytest.raises(TypeError):
        ember.jit("float64(nonsense)")(lambda x: x)


def test_signature_with_wrong_arity_raises():
    with pytest.raises(TypeError):
        ember.jit("f8(f8, f8)")(lambda x: x)


# ---- inspection ------------------------------------------------------------------------------

@ember.jit
def inspected(x):
    return x * 2 + 1


def test_inspect_llvm_for_a_signature():
    inspected(3)
    ir = inspected.inspect_llvm(("int64",))
    assert isinstance(ir, str)
    assert "define" in ir


def test_inspect_llvm_all_signatures_is_a_dict():
    inspected(3)
    inspected(2.5)
    irs = inspected.inspect_llvm()
    assert isinstance(irs, dict)
    assert set(irs) == {("int64",), ("float64",)}
    assert all("define" in text for text in irs.values())


def test_inspect_asm():
    inspected(3)
    asm = inspected.inspect_asm(("int64",))
    assert isinstance(asm, str) and asm
    assert isinstance(inspected.inspect_asm(), dict)


def test_inspect_types_prints_typed_ir():
    inspected(3)
    out = io.StringIO()
    inspected.inspect_types(file=out)
    text = out.getvalue()
    assert "inspected" in text
    assert "int64" in text
    assert "return x * 2 + 1" in text  # annotated with the source


def test_inspect_types_prints_to_stdout(capsys):
    inspected(3)
    inspected.inspect_types()
    assert "int64" in capsys.readouterr().out


def test_inspect_unknown_signature_raises_key_error():
    with pytest.raises(KeyError):
        inspected.inspect_llvm(("complex128", "complex128"))


# ---- options ---------------------------------------------------------------------------------

def test_nopython_true_accepted():
    f = ember.jit(nopython=True)(lambda x: x + 1)
    assert f(1) == 2


def _object_only(x):
    return {"key": x, 1: [x]}[1][0] * 2  # a dict of mixed keys: not compilable


def test_forceobj_runs_in_the_interpreter():
    f = ember.jit(forceobj=True)(_object_only)
    assert f(21) == _object_only(21) == 42
    assert f.py_func is _object_only and f.signatures == []


def test_nopython_false_compiles_when_it_can_and_falls_back():
    g = ember.jit(nopython=False)(lambda x: x + 1)
    assert g(1) == 2 and len(g.signatures) == 1  # compiled
    h = ember.jit(nopython=False)(_object_only)
    assert h(4) == 8 and h(5) == 10  # typing fails: the interpreter runs it
    assert h.signatures == []


def test_jit_module_jits_the_module_s_own_functions(tmp_path, monkeypatch):
    (tmp_path / "jm_sample.py").write_text(
        "import ember\nfrom math import sqrt\n\n"
        "def inc(x):\n    return x + 1\n\n"
        "def twice_inc(x):\n    return inc(inc(x))\n\n"
        "ember.jit_module(nogil=True)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import jm_sample
    assert jm_sample.twice_inc(3) == 5
    assert len(jm_sample.twice_inc.signatures) == 1  # a dispatcher, compiled
    assert jm_sample.sqrt is __import__("math").sqrt  # imported names are left alone


def test_unknown_option_raises_type_error():
    with pytest.raises(TypeError):
        ember.jit(bogus=1)


def test_cache_accepted():
    @ember.jit(cache=True)
    def f(x):
        return x - 1

    assert f(1) == 0


def _sum(a):
    s = 0.0
    for x in a:
        s += x
    return s


def test_fastmath_gives_close_results_and_fast_flags():
    f = ember.jit(fastmath=True)(_sum)
    a = np.random.default_rng(1).uniform(0, 1, 1001)
    assert math.isclose(f(a), _sum(a), rel_tol=1e-9)
    assert " fast " in f.inspect_llvm(f.signatures[0])


def test_no_fast_flags_by_default():
    f = ember.jit(_sum)
    f(np.zeros(3))
    assert " fast " not in f.inspect_llvm(f.signatures[0])


def _index(a, i):
    return a[i]


def test_boundscheck_raises_index_error():
    f = ember.jit(boundscheck=True)(_index)
    a = np.arange(5)
    assert f(a, 4) == 4
    assert f(a, -5) == 0
    with pytest.raises(IndexError):
        f(a, 5)
    with pytest.raises(IndexError):
        f(a, -6)


def test_boundscheck_2d():
    f = ember.jit(boundscheck=True)(lambda a, i, j: a[i, j])
    a = np.zeros((3, 4))
    with pytest.raises(IndexError):
        f(a, 1, 4)
    with pytest.raises(IndexError):
        f(a, 3, 0)


def test_boundscheck_off_by_default():
    assert ember.jit(_index)(np.arange(5), 4) == 4
    f = ember.jit(_index)
    f(np.arange(5), 0)
    assert "IndexError" not in f.inspect_llvm(f.signatures[0])


def test_error_model_numpy_float_division_by_zero():
    f = ember.jit(error_model="numpy")(lambda a, b: a / b)
    assert f(1.0, 0.0) == math.inf
    assert f(-1.0, 0.0) == -math.inf
    assert math.isnan(f(0.0, 0.0))


def test_error_model_numpy_integer_division_by_zero_gives_zero():
    f = ember.jit(error_model="numpy")(lambda a, b: (a // b, a % b))
    assert f(7, 0) == (0, 0)


def test_error_model_python_raises():
    f = ember.jit(error_model="python")(lambda a, b: a / b)
    with pytest.raises(ZeroDivisionError):
        f(1.0, 0.0)


def test_bad_error_model_raises_value_error():
    with pytest.raises(ValueError):
        ember.jit(error_model="fortran")


def test_nogil_releases_the_gil():
    # A Python thread answers the compiled call's flag while the call is still running: only
    # possible if the call released the GIL (rendezvous.py; no timing involved).
    flags = np.zeros(2, np.int64)
    partner = threading.Thread(target=answer, args=(flags, 1, 0))
    partner.start()
    met = meet_nogil(flags, 0, 1, SAFETY_ROUNDS)
    partner.join()
    assert met, "no Python thread ran while the nogil function did"


def test_without_nogil_the_gil_is_held():
    # The control: the partner cannot run until the call returns, whatever the scheduling.
    flags = np.zeros(2, np.int64)
    partner = threading.Thread(target=answer, args=(flags, 1, 0))
    partner.start()
    met = meet_with_gil(flags, 0, 1, CONTROL_ROUNDS)
    partner.join()
    assert not met and flags[1] == 1


def test_threads_racing_on_first_call_compile_once():
    @ember.jit
    def f(a, x):
        s = 0.0
        for v in a:
            s += v * x
        return s

    a = np.arange(10.0)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(f(a, 2.0))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [90.0] * 4
    assert len(f.signatures) == 1


def test_repeated_calls_use_the_compiled_code():
    @ember.jit
    def f(x):
        return x + 1

    for i in range(1000):
        assert f(i) == i + 1
    assert len(f.signatures) == 1


def test_check_helper_compares_with_python():
    # the shared helper itself: a jitted function against its py_func
    check(ember.jit(lambda a, b: (a // b, a % b)), -7, 2)
