"""The "Constant powers and float-to-int conversions" section of benchmarks/vs_numba.py: the
scalar Lennard-Jones force loop of numba's examples with ``(1.0 / r) ** 6``, whole-array ``a ** 3``
and ``a ** 0.5``, and what NumPy's cast bits and Python's checked ``int()`` cost, ember against
numba and NumPy.
"""
from __future__ import annotations

import numpy as np
from harness import (
    JITS,
    Budget,
    Context,
    Report,
    Row,
    guarded,
    load_jit,
    section,
    time_calls,
    worker_task,
)

NUMERIC_REPS = 5  # processes per tool, alternating ember, numba, numpy
LJ_N = 1000  # particles: 499,500 pairs per call
POWER_SIZES = (100_000, 10_000_000)
CAST_N = 1_000_000


# =================================================================================================
# Benchmark functions (compiled inside the workers; plain Python here)
# =================================================================================================

def lj_forces(pos, forces):
    """Pairwise Lennard-Jones forces (epsilon = sigma = 1), as in numba's examples; returns the
    potential energy."""
    n = pos.shape[0]
    for i in range(n):
        forces[i, 0] = 0.0
        forces[i, 1] = 0.0
        forces[i, 2] = 0.0
    energy = 0.0
    for i in range(n - 1):
        for j in range(i + 1, n):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            r = (dx * dx + dy * dy + dz * dz) ** 0.5
            sr6 = (1.0 / r) ** 6
            energy += 4.0 * (sr6 * sr6 - sr6)
            f = 24.0 * (2.0 * sr6 * sr6 - sr6) / (r * r)
            forces[i, 0] += f * dx
            forces[i, 1] += f * dy
            forces[i, 2] += f * dz
            forces[j, 0] -= f * dx
            forces[j, 1] -= f * dy
            forces[j, 2] -= f * dz
    return energy


def cube(a):
    return a ** 3


def root(a):
    return a ** 0.5


def int_loop(a, out):
    for i in range(a.shape[0]):
        out[i] = int(a[i])


def astype_int(a):
    return a.astype(np.int64)


def lattice(n: int) -> np.ndarray:
    """n particles on a jittered cubic lattice of spacing 1.2 (no two closer than 0.6)."""
    side = int(np.ceil(n ** (1 / 3)))
    grid = np.stack(np.meshgrid(*[np.arange(side)] * 3, indexing="ij"), -1).reshape(-1, 3)[:n]
    rng = np.random.default_rng(2)
    return grid * 1.2 + rng.uniform(-0.3, 0.3, (n, 3))


# =================================================================================================
# Worker side
# =================================================================================================

@worker_task("numeric")
def task_numeric(tool: str, lj_n: int = LJ_N, sizes: tuple = POWER_SIZES,
                 cast_n: int = CAST_N, runs: int = 7) -> dict:
    items: dict = {}
    rng = np.random.default_rng(0)
    pos = lattice(lj_n)
    arrays = {n: rng.uniform(0.5, 2.0, n) for n in sizes}
    xs = rng.uniform(-1e6, 1e6, cast_n)
    jit = load_jit(tool) if tool in JITS else (lambda f: f)

    def close(got, want, rtol):
        if not np.allclose(got, want, rtol=rtol, atol=0):
            raise AssertionError("wrong result")

    if tool != "numpy":  # the interpreted loop would take minutes
        j_lj = jit(lj_forces)
        forces = np.empty_like(pos)

        def lj_run():
            secs = time_calls(lambda: j_lj(pos, forces), runs)
            want = np.empty_like(pos)
            close(lj_forces_numpy(pos, want), j_lj(pos, forces), 1e-9)
            close(forces, want, 1e-9)
            return [s * 1e3 for s in secs]
        guarded(items, "lj", lj_run)

    for name, fn, ref in (("cube", cube, lambda a: a * a * a), ("root", root, np.sqrt)):
        j = jit(fn)
        for n, a in arrays.items():
            def run(j=j, a=a, ref=ref):
                close(j(a), ref(a), 1e-14)
                return [s * 1e3 for s in time_calls(lambda: j(a), runs)]
            guarded(items, f"{name}.{n}", run)

    want_int = np.trunc(xs).astype(np.int64)
    j_int, j_astype = jit(int_loop), jit(astype_int)
    if tool != "numpy":
        out = np.empty(cast_n, np.int64)

        def int_run():
            secs = time_calls(lambda: j_int(xs, out), runs)
            if not np.array_equal(out, want_int):
                raise AssertionError("wrong result")
            return [s / cast_n * 1e9 for s in secs]
        guarded(items, "int", int_run)

    def astype_run():
        if not np.array_equal(j_astype(xs), want_int):
            raise AssertionError("wrong result")
        return [s / cast_n * 1e9 for s in time_calls(lambda: j_astype(xs), runs)]
    guarded(items, "astype", astype_run)
    return items


def lj_forces_numpy(pos, forces):
    """The same forces and energy with NumPy, over all pairs at once (the check)."""
    d = pos[:, None, :] - pos[None, :, :]
    r2 = (d * d).sum(-1)
    np.fill_diagonal(r2, 1.0)
    sr6 = (1.0 / r2) ** 3
    f = 24.0 * (2.0 * sr6 * sr6 - sr6) / r2
    np.fill_diagonal(f, 0.0)
    forces[:] = (f[:, :, None] * d).sum(1)
    pair = 4.0 * (sr6 * sr6 - sr6)
    return float(np.triu(pair, 1).sum())


# =================================================================================================
# Parent side
# =================================================================================================

def describe_numeric(ctx: Context, report: Report) -> list[str]:
    pairs = LJ_N * (LJ_N - 1) // 2
    return [
        "What each row is:",
        "",
        f"* 7 runs after 2 warm-up runs in each of {NUMERIC_REPS} processes per tool (ember, "
        "numba and numpy processes alternate); median of all runs.  Every timed result is "
        "checked (against NumPy, or the loop's own result computed by NumPy).",
        f"* **Lennard-Jones forces**: the scalar pairwise loop of numba's examples over "
        f"{LJ_N} particles ({pairs:,} pairs): `r = (dx*dx + dy*dy + dz*dz) ** 0.5`, "
        "`sr6 = (1.0 / r) ** 6`, the energy and the force on both particles of each pair; ms "
        "per call.  No numpy column (the interpreted loop would take minutes).",
        "* **`a ** 3`, `a ** 0.5`**: `return a ** k` inside a jitted function over float64 in "
        "[0.5, 2), allocating the result as NumPy does; ms per call.  numpy column: the same "
        "expression in NumPy (`pow` for 3, `sqrt` for 0.5).",
        f"* **`out[i] = int(a[i])`**: an explicit loop over {CAST_N:,} float64 in (-1e6, 1e6), "
        "ns per element.  Python's `int()` raises on NaN, infinities and values outside "
        "int64; numba converts without a check.",
        f"* **`a.astype(np.int64)`**: {CAST_N:,} float64, ns per element: NumPy's cast, whose "
        "bits for NaN and out-of-range values ember reproduces (numba's `fptosi` leaves them "
        "undefined).",
        "* Budgets (from issue 8): ember at least as fast as numba for the Lennard-Jones loop "
        "and each power.",
        "",
        "Before issue 8 (ember at 452ce43, measured on the same machine in the same session, "
        "against the same numba): every power was a `pow` call (LLVM already turned `** 0.5` "
        "into a square root), float -> int conversions saturated, and large arrays were "
        "allocated on 4 KiB pages.  ember's medians then: Lennard-Jones 10.44 ms (3.16x "
        "numba's), `a ** 3` 0.220 ms at 10^5 (13.5x) and 63.1 ms at 10^7 (1.74x), `a ** 0.5` "
        "0.026 ms and 39.7 ms (0.99x, 1.05x), `int()` loop 0.60 ns/element, `astype` 0.60 "
        "ns/element.  The 10^7 rows now gain mostly from huge pages for the 80 MB result "
        "(runtime/MemInfo.cpp), as NumPy's allocator asks for them too; numba does not.",
    ]


@section("numeric", "Constant powers and float-to-int conversions", describe_numeric)
def run_numeric(ctx: Context) -> Report:
    r = ctx.runner()
    jits = [t for t in JITS if t in ctx.tools]
    args = [60, [10_000, 100_000], 10_000] if ctx.quick else []
    keys = ("lj", *(f"{k}.{n}" for k in ("cube", "root") for n in POWER_SIZES), "int",
            "astype")
    ctx.log(f"  numeric: {ctx.reps(NUMERIC_REPS)} processes per tool")
    for _ in range(ctx.reps(NUMERIC_REPS)):
        for tool in (*jits, "numpy"):
            r.worker(tool, "numeric", *args, keys=keys)
    le = Budget("ratio_max", 1.0, "≤ numba")
    no_numpy = {"numpy": None}  # the interpreted loop: minutes
    rows = [Row("lj", f"Lennard-Jones forces, {LJ_N} particles", "ms", le, digits=2,
                keys=no_numpy)]
    for key, label in (("cube", "`a ** 3`"), ("root", "`a ** 0.5`")):
        for n in POWER_SIZES:
            rows.append(Row(f"{key}.{n}", f"{label}, 10^{len(str(n)) - 1} float64", "ms", le,
                            digits=3 if n < 10**6 else 2))
    rows += [
        Row("int", "`out[i] = int(a[i])` loop", "ns/element", digits=2, keys=no_numpy),
        Row("astype", "`a.astype(np.int64)`", "ns/element", digits=2),
    ]
    report = Report(rows, r)
    report.add_load_notes()
    return report
