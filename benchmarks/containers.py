"""The "Lists, dicts, sets and typed.List" section of benchmarks/vs_numba.py (issue 11): appending
10^6 ints to a list and summing it, a word count over a 1 MB string into a dict (with
``str.split()`` and with a hand-written character scan), a membership loop over a set of 10^6
ints, and a ``typed.List`` built in Python and iterated in compiled code; run time and compile
time of each, ember against numba, with CPython running the same functions for reference.

A row a JIT does not compile yet is shown as "unsupported" with the JIT's own message, not as a
failure of the run.
"""
from __future__ import annotations

from harness import (
    JITS,
    Context,
    Report,
    Row,
    load_module,
    section,
    worker_task,
)
from jitbench import COMPILE_BUDGET, SPEED_BUDGET, compile_and_time

CONTAINER_REPS = 5  # processes per tool, alternating ember, numba, CPython
LIST_N = 1_000_000
TEXT_BYTES = 1_000_000
SET_N = 1_000_000
TYPED_N = 1_000_000
RUNS = 7  # timed calls per process, after one untimed warm call
PY_RUNS = 3  # CPython is slow and only a reference


# =================================================================================================
# Benchmark functions (compiled inside the workers; plain Python here)
# =================================================================================================

def append_sum(n):
    values = []
    for i in range(n):
        values.append(i)
    total = 0
    for v in values:
        total += v
    return total


def word_count_split(text, probe):
    counts = {}
    for word in text.split():
        if word in counts:
            counts[word] += 1
        else:
            counts[word] = 1
    return len(counts), counts.get(probe, 0)


def word_count_scan(text, probe):
    """The same count, tokenizing by scanning characters (no str.split)."""
    counts = {}
    n = len(text)
    i = 0
    while i < n:
        while i < n and text[i] == " ":
            i += 1
        j = i
        while j < n and text[j] != " ":
            j += 1
        if j > i:
            word = text[i:j]
            if word in counts:
                counts[word] += 1
            else:
                counts[word] = 1
        i = j
    return len(counts), counts.get(probe, 0)


def set_membership(n):
    """A set of the n even numbers below 2n, then every number below 2n looked up."""
    evens = set()
    for i in range(n):
        evens.add(2 * i)
    hits = 0
    for k in range(2 * n):
        if k in evens:
            hits += 1
    return hits


def typed_list_sum(values):
    total = 0
    for v in values:
        total += v
    return total


def warmup(n):
    """Compiled first in every process, so the compile rows time a loaded, warm compiler."""
    total = 0
    for i in range(n):
        if i % 3 == 0:
            total += i
    return total


VOCABULARY = ("the of and to in is was he for it with as his on be at by had are but from or "
              "she an which you one we all were her would there their will when who him been "
              "has more if no out do so can what up said about other into than its time only "
              "could new them man some these then two first may any like now my such make over "
              "our even most me state after also made many did must before back see through way "
              "where get much go well your know should down work year because come people just "
              "numba ember llvm compiler dictionary counting benchmark").split()


def make_text(nbytes: int) -> str:
    """About nbytes of words from VOCABULARY, skewed towards the first ones, one space apart
    with a few double spaces; deterministic."""
    import numpy as np
    rng = np.random.default_rng(11)
    weights = 1.0 / np.arange(1, len(VOCABULARY) + 1)
    picks = rng.choice(len(VOCABULARY), size=nbytes // 3, p=weights / weights.sum())
    seps = np.where(rng.random(picks.size) < 0.05, "  ", " ")
    parts = []
    size = 0
    for k, sep in zip(picks, seps):
        word = VOCABULARY[k]
        parts.append(word)
        parts.append(sep)
        size += len(word) + len(sep)
        if size >= nbytes:
            break
    return "".join(parts)[:nbytes]


# =================================================================================================
# Worker side
# =================================================================================================

def make_typed_list(tool: str, n: int):
    """A typed.List of n int64 built in Python (untimed), and the expected sum."""
    import numpy as np
    if tool == "numpy":  # CPython: a plain list
        return list(range(n)), n * (n - 1) // 2
    typed = load_module(tool).typed
    lst = typed.List(np.arange(n, dtype=np.int64).tolist())
    return lst, n * (n - 1) // 2


@worker_task("containers")
def task_containers(tool: str, list_n: int = LIST_N, text_bytes: int = TEXT_BYTES,
                    set_n: int = SET_N, typed_n: int = TYPED_N, runs: int = RUNS) -> dict:
    items: dict = {}
    jitted = tool in JITS
    if jitted:
        jit = load_module(tool).njit
        jit(warmup)(1000)
    else:
        def jit(f):
            return f
        runs = min(runs, PY_RUNS)
    text = make_text(text_bytes)
    words = text.split()
    want_wc = (len(set(words)), words.count("the"))
    typed_values, typed_want = make_typed_list(tool, typed_n)

    small_typed, _ = make_typed_list(tool, 10)
    # (key, function, arguments, CPython's result, the same types on a tiny input: the compile
    # rows time the first call on these, see jitbench.compile_and_time)
    cases = (
        ("list", append_sum, (list_n,), list_n * (list_n - 1) // 2, (10,)),
        ("wc.split", word_count_split, (text, "the"), want_wc, ("the cat the", "the")),
        ("wc.scan", word_count_scan, (text, "the"), want_wc, ("the cat the", "the")),
        ("set", set_membership, (set_n,), set_n, (10,)),
        ("typed", typed_list_sum, (typed_values,), typed_want, (small_typed,)),
    )
    for key, fn, args, want, small in cases:
        compile_and_time(items, key, jit(fn), args, want, runs, jitted, small)
    return items


# =================================================================================================
# Parent side
# =================================================================================================

KEYS = ("list", "wc.split", "wc.scan", "set", "typed")
LABELS = {
    "list": f"append 10^{len(str(LIST_N)) - 1} ints to a list, sum it",
    "wc.split": "word count, 1 MB string, `text.split()` + dict",
    "wc.scan": "word count, 1 MB string, character scan + dict",
    "set": f"set of 10^{len(str(SET_N)) - 1} ints, 2x10^6 `in` tests",
    "typed": f"`typed.List` of 10^{len(str(TYPED_N)) - 1} ints from Python, iterated",
}


def describe_containers(ctx: Context, report: Report) -> list[str]:
    return [
        "What each row is:",
        "",
        f"* Each process compiles a small warm-up function first, then each benchmark "
        f"function: its first call, on a tiny input of the same types (10 items, an 11-"
        f"character text), is timed (compile + one tiny run), then {RUNS} tiny calls, then the "
        f"benchmark's input: one untimed call and {RUNS} timed calls; {CONTAINER_REPS} processes "
        f"per tool, ember, numba and CPython "
        f"processes alternating so that load from elsewhere hits all of them.  Every time is "
        f"**CPU time** of the worker process (`time.process_time`), not wall-clock time (see "
        f"benchmarks/jitbench.py: with 8+ cores' worth of other work waiting, wall-clock time "
        f"inflates long calls far more than short ones).  Run-time rows: median of all calls, "
        f"ms per call.  **compile** rows: the first (tiny) call minus that process's median "
        f"tiny call, median over the processes: the compile, without the page faults of the "
        f"first touch of the large input's fresh memory, which the first large call pays in "
        f"both JITs (4-5 ms of ember's 18 ms for 10^6 appends, EMBER_TIMING=1 and perf; until "
        f"2026-12-04 the rows were the first large call minus the median large call).  Every "
        f"result is checked against CPython's.",
        "* The **numpy** column here is CPython running the same function, uncompiled "
        f"({PY_RUNS} calls per process; the typed.List row iterates a plain list there).",
        f"* **list**: `values.append(i)` for i in range({LIST_N:,}) into an empty list, then a "
        "`for v in values` sum, in one function.",
        f"* **word count**: a {TEXT_BYTES:,}-character ASCII text of {len(VOCABULARY)} distinct "
        "words (Zipf-like frequencies, one space apart with 5 % double spaces); `if w in "
        "counts: counts[w] += 1 else: counts[w] = 1` over `text.split()` (numba cannot type "
        "`counts.get(w, 0)` on a dict that starts as `{}`; this form it can), or over words "
        "cut out by scanning the characters for spaces (`text[i] == \" \"`, `text[i:j]`), "
        "which needs no `str.split`.  Returns the number of distinct words and the count of "
        "the word passed as `probe` (\"the\"; a string literal key fails in ember today, "
        "see below).",
        f"* **set**: `evens.add(2 * i)` for i in range({SET_N:,}), then `k in evens` for every "
        f"k below {2 * SET_N:,} (half hit), in one function.",
        f"* **typed.List**: `typed.List` of {TYPED_N:,} int64 built in Python (untimed), passed "
        "to the compiled function and summed with `for v in values`.",
        "* Budgets (issue 11): run time at most numba's; compile time at most 1/5 of numba's.",
        "",
        "Why the rows that miss their budget miss it (measured with `perf` and "
        "`inspect_llvm` on this machine, 2026-12-03, ember 76221f8; the code is owned by the "
        "containers work, not by this benchmark):",
        "",
        "* **list append (a tie with numba since 7d1592a; about 9x before)**: an item type "
        "without references is stored inline while the list has room (lowering/"
        "CodeGenContainer.cpp `list_append`; the runtime call only grows the list), and "
        "`list_dtor` skips the pass over a list of numbers, as numba does.",
        "* **set membership (about 7x numba before 494e989; now faster than numba)**: a set "
        "was the dict runtime without values, an out-of-line call per `add` and `in` through "
        "CPython's compact-dict layout (an index array pointing into an entry array, so two "
        "dependent cache misses per probe) with ints hashed by splitmix64 (consecutive keys on "
        "random slots).  A set now has its own open-addressing table of `{hash, key}` slots "
        "(runtime/Set.cpp), ints hash as themselves (as in CPython and numba), so consecutive "
        "keys fill consecutive slots, and compiled code probes the first slot of `k in s` and "
        "`s.add(k)` inline (lowering/CodeGenSet.cpp), calling the runtime only past a "
        "collision or to grow.  The new table is `calloc`ed (its empty marker is 0), so a "
        "fresh 32 MB table costs no initialization pass.",
        "* **typed.List iteration** (1.17x in one run, 0.92x in the next) is noise: both "
        "loops compile to the same "
        "vectorized sum (`<8 x i64>` adds over the items, `inspect_llvm`), the call reads "
        "8 MB in about 0.1 ms, and the fastest calls are ember 0.080 ms, numba 0.085 ms.",
        "* **word count with `str.split`** compiles since str.split landed.  The `probe` "
        "argument (the word whose count is returned) is kept so the figures stay comparable.",
        "* **Noisy machine**: these figures come from a 2-core machine shared with several "
        "C++ builds (see the load note); the lead re-runs them on a quiet machine.",
    ]


@section("containers", "Lists, dicts, sets and typed.List", describe_containers)
def run_containers(ctx: Context) -> Report:
    r = ctx.runner()
    jits = [t for t in JITS if t in ctx.tools]
    args = [20_000, 50_000, 20_000, 20_000, 2] if ctx.quick else []
    keys = tuple(k for key in KEYS for k in (key, f"compile.{key}"))
    ctx.log(f"  containers: {ctx.reps(CONTAINER_REPS)} processes per tool")
    for _ in range(ctx.reps(CONTAINER_REPS)):
        for tool in (*jits, "numpy"):
            r.worker(tool, "containers", *args, keys=keys)
    rows = [Row(key, LABELS[key], "ms", SPEED_BUDGET, digits=3 if key == "typed" else 2)
            for key in KEYS]
    rows += [Row(f"compile.{key}", f"compile: {LABELS[key]}", "ms", COMPILE_BUDGET,
                 reference="", digits=0) for key in KEYS]
    report = Report(rows, r)
    report.add_load_notes()
    return report
