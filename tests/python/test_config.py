"""ember.config: Numba's configuration attributes, applied to functions decorated after an
assignment (BOUNDSCHECK, FASTMATH, CACHE_DIR) and describing the thread pool."""
import numpy as np
import pytest

import ember


@pytest.fixture
def config(monkeypatch):
    monkeypatch.delenv("EMBER_BOUNDSCHECK", raising=False)
    monkeypatch.delenv("EMBER_CACHE_DIR", raising=False)
    for name in ("BOUNDSCHECK", "FASTMATH", "CACHE_DIR"):
        monkeypatch.setattr(ember.config, name, getattr(ember.config, name))
    return ember.config


def read(a, i):
    return a[i]


def test_boundscheck_default_follows_config(config):
    config.BOUNDSCHECK = True
    checked = ember.njit(read)
    with pytest.raises(IndexError):
        checked(np.zeros(3), 5)
    config.BOUNDSCHECK = None
    assert ember.njit(read)(np.arange(3.0), 2) == 2.0  # unchecked, in range


def test_fastmath_default_follows_config(config):
    config.FASTMATH = True
    f = ember.njit(lambda a, b: a * b + 1.0)
    assert f(2.0, 3.0) == 7.0
    assert "fmul fast" in f.inspect_llvm(f.signatures[0])
    config.FASTMATH = False
    g = ember.njit(lambda a, b: a * b + 1.0)
    g(2.0, 3.0)
    assert "fmul fast" not in g.inspect_llvm(g.signatures[0])


def test_cache_dir_from_config(config, tmp_path):
    config.CACHE_DIR = str(tmp_path)
    assert ember.cache.user_cache_root() == str(tmp_path)


def test_thread_count_names():
    assert ember.config.NUMBA_NUM_THREADS >= 1
    assert ember.config.NUMBA_DEFAULT_NUM_THREADS >= 1
    assert isinstance(ember.config.NUMBA_NUM_THREADS, int)
