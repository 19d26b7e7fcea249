"""ember in one minute: decorate a NumPy function, call it, compare with plain Python.

Run with `make run` (or `.venv/bin/python examples/quickstart.py` after `make build`).
"""
import math
import time

import numpy as np

import ember


@ember.jit
def gaussian_blur_1d(x, sigma):
    """Blurs a 1-D signal with a truncated Gaussian kernel: loops, math, an array made inside."""
    radius = int(3 * sigma)
    weights = np.empty(2 * radius + 1)
    total = 0.0
    for k in range(-radius, radius + 1):
        w = math.exp(-0.5 * (k / sigma) ** 2)
        weights[k + radius] = w
        total += w
    out = np.empty_like(x)
    n = x.shape[0]
    for i in range(n):
        acc = 0.0
        for k in range(-radius, radius + 1):
            j = min(max(i + k, 0), n - 1)
            acc += weights[k + radius] * x[j]
        out[i] = acc / total
    return out


def best_of(f, *args, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.normal(size=200_000))
    t0 = time.perf_counter()
    fast = gaussian_blur_1d(x, 4.0)
    compile_s = time.perf_counter() - t0
    slow = gaussian_blur_1d.py_func(x[:20_000], 4.0)
    assert np.allclose(fast[:20_000 - 20], slow[:20_000 - 20])

    t_ember = best_of(gaussian_blur_1d, x, 4.0)
    t_python = best_of(gaussian_blur_1d.py_func, x[:20_000], 4.0, repeat=1) * (x.size / 20_000)
    print(f"first call (compile + run): {compile_s * 1e3:8.1f} ms")
    print(f"ember, compiled:            {t_ember * 1e3:8.2f} ms for {x.size:,} samples")
    print(f"plain Python (estimated):   {t_python * 1e3:8.0f} ms")
    print(f"speed-up:                   {t_python / t_ember:8.0f}x")
    print(f"compiled signatures: {gaussian_blur_1d.signatures}")


if __name__ == "__main__":
    main()
