"""Jitted functions on a Dask cluster: partitions of a Dask array and ``client.map`` tasks run
by process workers, which share ember's on-disk cache.

The two kernels are ordinary ``@ember.jit(cache=True)`` functions.  Dask pickles them to the
workers (by reference when the workers can import them, by value otherwise: ember/serialize.py);
each worker compiles a signature on its first call, or loads it from the cache.  The workers of
one machine share that cache and take its per-entry lock while compiling, so a signature is
compiled once on the machine however many workers miss it together: the counts printed at the
end show it.  The results are checked against the same functions run in this process.

    python examples/dask_cluster.py [--workers 2] [--size 4000000]
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

import ember


@ember.jit(cache=True)
def smooth_block(block):
    """One partition of a 1-D array: the cube root of 1 + |v| by Newton's method, element-wise.
    Correctly rounded operations only: any partitioning gives the same bits (a vector math
    library's cos, say, may differ from the scalar one by an ulp where a vector loop's
    remainder begins)."""
    out = np.empty_like(block)
    for i in range(block.shape[0]):
        a = 1.0 + abs(block[i])
        y = math.sqrt(a)
        for _ in range(12):
            y = y - (y * y * y - a) / (3.0 * y * y)
        out[i] = y
    return out


@ember.jit(cache=True)
def collatz_steps(start, stop):
    """The total number of Collatz steps of the integers in [start, stop)."""
    total = 0
    for n in range(max(start, 1), stop):
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            total += 1
    return total


def run(client, size: int, partitions: int = 4) -> dict:
    """Maps both kernels over the cluster of `client`; returns the results and the workers'
    cache counts (the checks are the caller's)."""
    import dask.array as da
    x = np.linspace(-50.0, 50.0, size)
    chunks = -(-size // partitions)
    mapped = da.from_array(x, chunks=chunks).map_blocks(smooth_block, dtype=np.float64,
                                                        meta=np.empty(0))
    by_partition = mapped.compute()
    step = max(size // 400, 1)
    starts = list(range(0, size // 100, step))
    steps = client.gather(client.map(collatz_steps, starts, [s + step for s in starts]))
    return {"x": x, "by_partition": by_partition, "starts": starts, "step": step,
            "steps": steps, "workers": client.run(ember.cache_info)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--size", type=int, default=4_000_000)
    args = p.parse_args()
    from dask.distributed import Client, LocalCluster
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        t0 = time.perf_counter()
        out = run(client, args.size)
        took = time.perf_counter() - t0
    local = smooth_block(out["x"])
    assert np.array_equal(out["by_partition"], local)
    assert out["steps"] == [collatz_steps(s, s + out["step"]) for s in out["starts"]]
    print(f"{args.size} elements in 4 partitions and {len(out['starts'])} client.map tasks on "
          f"{args.workers} process workers: {took:.2f} s, same results as in this process")
    for address, info in sorted(out["workers"].items()):
        print(f"  worker {address}: compiled {info['stores']}, loaded from the cache "
              f"{info['hits']}, waited on another worker's compile {info['lock_waits']}")
    print(f"cache: {ember.cache_info()['entries']} entries (one per signature), in "
          f"{', '.join(ember.cache_info()['roots'])}")


if __name__ == "__main__":
    main()
