"""Jitted functions on a Dask LocalCluster with two process workers (issue 14, item 3): the
partitions of a Dask array and ``client.map`` tasks give the results of one process, and the
workers share the on-disk cache, so each signature is compiled once on the machine.

The kernels are examples/dask_cluster.py's, loaded from its file without registering the module,
so Dask pickles them by value (the workers cannot import the example).  The proof of "once per
machine" counts compiles, never time: every process (the workers and this one) reports how many
entries it stored (``cache.stats["stores"]``: one per compile of a cached signature), and their
sum must equal the number of entries on disk.  Without the entry lock, two workers that miss the
same signature together each compile and store it (test_cache.py shows 8 processes do).  The
cluster gets generous timeouts: a loaded 2-core machine starts its processes slowly.
"""
from __future__ import annotations

import importlib.util
import logging
import os

import dask
import dask.array as da
import numpy as np
import pytest
from distributed import Client, LocalCluster

import ember
from ember import cache

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "dask_cluster.py")
TIMEOUT = "180s"


def load_example():
    spec = importlib.util.spec_from_file_location("dask_cluster_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not put in sys.modules: its functions pickle by value
    return module


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(client, example module, cache directory): a fresh cache directory shared by this
    process and two process workers, which inherit it through the environment."""
    cache_root = tmp_path_factory.mktemp("dask-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("EMBER_CACHE_DIR", str(cache_root))
    mp.setattr(cache, "_dir_for_source", {})
    mp.setattr(cache, "stats", dict.fromkeys(cache.stats, 0))
    config = {"distributed.comm.timeouts.connect": TIMEOUT,
              "distributed.comm.timeouts.tcp": TIMEOUT,
              "distributed.deploy.lost-worker-timeout": TIMEOUT}
    try:
        with dask.config.set(config), \
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                             dashboard_address=None, silence_logs=logging.ERROR) as lc, \
                Client(lc, timeout=TIMEOUT) as client:
            client.wait_for_workers(2, timeout=180)
            yield client, load_example(), cache_root
    finally:
        mp.undo()


def stores_everywhere(client) -> int:
    """Compiles of cached signatures on the machine so far: the workers' and this process's."""
    workers = client.run(ember.cache_info)
    assert len(workers) == 2
    return sum(info["stores"] for info in workers.values()) + cache.stats["stores"]


def entries_on_disk(root) -> int:
    return sum(1 for _ in root.rglob("*" + cache.SUFFIX))


def test_both_workers_miss_at_once_one_compiles_the_other_loads(cluster):
    client, example, root = cluster
    x = np.linspace(-3.0, 3.0, 101)
    # client.run calls it on every worker at the same time: both find no entry.
    by_worker = client.run(example.smooth_block, x)
    assert len(by_worker) == 2
    workers = client.run(ember.cache_info)
    assert sorted(info["stores"] for info in workers.values()) == [0, 1]
    assert sum(info["hits"] for info in workers.values()) == 1
    assert entries_on_disk(root) == 1
    # This process loads what a worker compiled, and computes what both workers returned.
    local = example.smooth_block(x)
    assert example.smooth_block._compiles == 0 and cache.stats["hits"] == 1
    for result in by_worker.values():
        np.testing.assert_array_equal(result, local)


def test_dask_array_partitions_match_one_process(cluster):
    client, example, root = cluster
    x = np.linspace(-50.0, 50.0, 40_001)
    mapped = da.from_array(x, chunks=10_001).map_blocks(example.smooth_block,
                                                        dtype=np.float64, meta=np.empty(0))
    assert mapped.npartitions == 4
    np.testing.assert_array_equal(mapped.compute(), example.smooth_block(x))
    assert stores_everywhere(client) == entries_on_disk(root)


def test_client_map_matches_one_process(cluster):
    client, example, root = cluster
    starts = list(range(1, 4001, 500))
    futures = client.map(example.collatz_steps, starts, [s + 500 for s in starts])
    got = client.gather(futures)
    assert got == [example.collatz_steps(s, s + 500) for s in starts]
    assert got == [example.collatz_steps.py_func(s, s + 500) for s in starts]
    # Each signature compiled once on the machine, whichever worker ran its first task.
    assert stores_everywhere(client) == entries_on_disk(root) >= 2
    assert example.collatz_steps._compiles == 0
