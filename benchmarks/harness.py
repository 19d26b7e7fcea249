"""The machinery of benchmarks/vs_numba.py, shared by every section.

Worker side: the ``@worker_task`` registry and the timing helpers the tasks use.  Parent side:
``Runner`` (one fresh subprocess per tool and task), ``Row``/``Budget``/``Report`` (medians,
ratios, verdicts), the ``@section`` registry, the machine description, the markdown rendering
and ``write_doc`` (which replaces only the sections that ran), and installing numba when it is
missing.  The sections themselves live in cpu_core.py, arrays.py, parallel.py and numeric.py.
"""
from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
ENTRY = Path(__file__).resolve().parent / "vs_numba.py"  # what the workers run
RESULT_TAG = "@@vs_numba-result@@ "
JITS = ("ember", "numba")
WORKER_TIMEOUT_S = 240
NOISE = 0.05  # a verdict this close to its limit is marked "within noise"
# Workers cache bytecode here, outside the checkout: some environments set
# PYTHONDONTWRITEBYTECODE=1, which would leave the editable ember without .pyc files while
# numba's were written by pip, and charge ember's import for compiling its own source.
PYCACHE = Path(tempfile.gettempdir()) / "vs_numba-pycache"


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(extra or {})
    return env


# =================================================================================================
# Worker side
# =================================================================================================

WORKER_TASKS: dict[str, Callable[..., dict]] = {}


def worker_task(name: str):
    """Registers ``fn(tool, *args) -> {key: {"samples": [...]} | {"error": text} | other}``."""
    def register(fn):
        WORKER_TASKS[name] = fn
        return fn
    return register


def load_jit(tool: str):
    if tool == "ember":
        import ember
        return ember.njit
    if tool == "numba":
        import numba
        return numba.njit
    raise ValueError(f"{tool} is not a JIT")


def load_module(tool: str):
    """The JIT's module (``ember`` or ``numba``): prange, vectorize, set_num_threads."""
    if tool not in JITS:
        raise ValueError(f"{tool} is not a JIT")
    return importlib.import_module(tool)


def error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return " ".join(text.split())[:400]


def guarded(items: dict, key: str, fn: Callable[[], object]) -> None:
    """items[key] = fn() as samples, or the error it raised."""
    try:
        value = fn()
        items[key] = value if isinstance(value, dict) else {"samples": list(value)}
    except Exception as exc:  # noqa: BLE001 - every failure is a table entry
        items[key] = {"error": error_text(exc)}


def time_calls(fn: Callable[[], object], runs: int, warm: int = 2) -> list[float]:
    """Seconds per call of ``runs`` calls, after ``warm`` untimed ones."""
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return samples


def gbs(nbytes: float, seconds: list[float]) -> list[float]:
    return [nbytes / s / 1e9 for s in seconds]


def call_overhead_ns(f, args_src: str, env: dict, number=200_000, repeat=7) -> list[float]:
    env = dict(env, f=f)
    exec(f"f({args_src})", env)  # compiles it, untimed
    timer = timeit.Timer(f"f({args_src})", globals=env)
    return [t / number * 1e9 for t in timer.repeat(repeat=repeat, number=number)]


def _busy_seconds() -> float | None:
    """CPU seconds all cores have spent busy since boot (Linux), None elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(f) for f in fields[:8]]  # user nice system idle iowait irq softirq steal
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


class OtherWork:
    """Measures how many cores other processes kept busy while the ``with`` block ran: all busy
    CPU time of the machine (/proc/stat) minus this process's own (all its threads)."""

    def __enter__(self):
        self.t0, self.cpu0, self.busy0 = time.perf_counter(), time.process_time(), _busy_seconds()
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self.t0
        busy1 = _busy_seconds()
        own = time.process_time() - self.cpu0
        if self.busy0 is None or busy1 is None or wall <= 0:
            self.cores = None
        else:
            self.cores = max(0.0, (busy1 - self.busy0 - own) / wall)
        return False


def worker_main(tool: str, task: str, args: list[str]) -> int:
    # Anything the tools print goes to stderr; stdout carries only the result line.
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        result = {"ok": True, "items": WORKER_TASKS[task](tool, *map(json.loads, args))}
    except Exception as exc:  # noqa: BLE001
        result = {"ok": False, "error": error_text(exc)}
    real_stdout.write(RESULT_TAG + json.dumps(result) + "\n")
    real_stdout.flush()
    return 0


# The import-time probe runs in a bare interpreter: only NumPy (and site) are loaded before the
# timed import, not this script's own modules.
IMPORT_PROBE = """\
import json, sys, time
import numpy
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
items = {{"import": {{"samples": [(t1 - t0) * 1e3]}}}}
sys.stdout.write({tag!r} + json.dumps({{"ok": True, "items": items}}) + "\\n")
"""


@worker_task("info")
def task_info(tool: str) -> dict:
    import numpy as np
    info = {"python": platform.python_version(), "numpy": np.__version__}
    if tool == "ember":
        import ember
        from ember import _compiler  # only ever imported in an ember worker
        triple, cpu, features = _compiler.Session().target_description()
        info.update(ember=ember.__version__, triple=triple, cpu=cpu, features=features)
    elif tool == "numba":
        import llvmlite
        import llvmlite.binding as llvm
        import numba
        info.update(numba=numba.__version__, llvmlite=llvmlite.__version__,
                    cpu=llvm.get_host_cpu_name())
    return info


# =================================================================================================
# Parent side
# =================================================================================================

class Runner:
    """Starts workers one at a time and collects their samples per (key, tool)."""

    def __init__(self, tools: tuple[str, ...], missing: dict[str, str]):
        self.tools = tools
        self.missing = missing  # tool -> why it cannot run
        self.samples: dict[tuple[str, str], list[float]] = {}
        self.errors: dict[tuple[str, str], str] = {}
        self.extra: dict[tuple[str, str], dict] = {}
        self.worker_seconds = 0.0
        self.loads: list[float] = []  # the 1-minute load average as each worker starts

    def _launch(self, tool: str, cmd: list[str], env: dict[str, str] | None = None) -> dict:
        if tool in self.missing:
            return {"ok": False, "error": self.missing[tool]}
        if hasattr(os, "getloadavg"):
            self.loads.append(os.getloadavg()[0])
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S,
                                  cwd=ROOT, env=worker_env(env))
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": f"worker timed out after {WORKER_TIMEOUT_S} s"}
        finally:
            self.worker_seconds += time.perf_counter() - t0
        for line in reversed(proc.stdout.splitlines()):
            if line.startswith(RESULT_TAG):
                return json.loads(line[len(RESULT_TAG):])
        tail = " ".join(proc.stderr.strip().splitlines()[-3:])
        return {"ok": False, "error": f"worker exited with {proc.returncode}: {tail[-300:]}"}

    def worker(self, tool: str, task: str, *args, keys: tuple[str, ...] = (),
               env: dict[str, str] | None = None) -> dict:
        """Runs one worker (``env``: extra environment variables); when it fails as a whole,
        its error goes to each of ``keys``."""
        cmd = [sys.executable, str(ENTRY), "--worker", tool, "--task", task]
        cmd += [json.dumps(a) for a in args]
        return self.collect(tool, self._launch(tool, cmd, env), keys)

    def import_probe(self, tool: str) -> dict:
        code = IMPORT_PROBE.format(module=tool, tag=RESULT_TAG)
        return self.collect(tool, self._launch(tool, [sys.executable, "-c", code]), ("import",))

    def collect(self, tool: str, result: dict, keys: tuple[str, ...]) -> dict:
        if not result.get("ok"):
            for key in keys:
                self.errors.setdefault((key, tool), result["error"])
            return result
        for key, item in result["items"].items():
            if "samples" in item:
                self.samples.setdefault((key, tool), []).extend(item["samples"])
            elif "error" in item:
                self.errors.setdefault((key, tool), item["error"])
            else:
                self.extra[(key, tool)] = item
        return result

    def value(self, key: str, tool: str):
        """The median, or the error text when there are no samples."""
        got = self.samples.get((key, tool))
        if got:
            return statistics.median(got)
        return Error(self.errors.get((key, tool)) or "no data")

    def number(self, key: str, tool: str) -> float | None:
        """The median, or None when there are no samples."""
        v = self.value(key, tool)
        return None if isinstance(v, Error) else v


@dataclass
class Error:
    text: str


@dataclass
class Budget:
    """``ratio_max``/``ratio_min``: on ember/numba; ``ref_min``: on ember/the numpy column;
    ``abs_max``/``abs_min``: on ember's own value.  ``caveat`` follows the verdict."""
    kind: str
    limit: float
    text: str
    caveat: str = ""

    def verdict(self, ember, numba, ref=None) -> str:
        if isinstance(ember, Error):
            if ember.text.startswith("unsupported"):
                return "n/a (ember: unsupported)"
            return "FAIL (ember failed)"
        if self.kind in ("abs_max", "abs_min"):
            ok = ember <= self.limit if self.kind == "abs_max" else ember >= self.limit
            close = self.limit != 0 and abs(ember / self.limit - 1) < NOISE
        else:
            other = ref if self.kind == "ref_min" else numba
            if other is None or isinstance(other, Error):
                return "n/a (no numpy)" if self.kind == "ref_min" else "n/a (no numba)"
            ratio = ember / other
            ok = ratio <= self.limit if self.kind == "ratio_max" else ratio >= self.limit
            close = abs(ratio / self.limit - 1) < NOISE
        text = ("PASS" if ok else "FAIL") + (" (within noise)" if close else "")
        return text + (f" ({self.caveat})" if self.caveat else "")


@dataclass
class Row:
    key: str
    label: str
    unit: str
    budget: Budget | None = None
    reference: str = "numpy"  # the tool whose value goes into the numpy column
    digits: int = 1
    keys: dict[str, str | None] | None = None  # per-tool key overrides; None shows "—"

    def key_for(self, tool: str) -> str | None:
        return self.keys.get(tool, self.key) if self.keys else self.key


@dataclass
class Report:
    rows: list[Row]
    runner: Runner
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # filled by cells(), numbered in the table

    def values(self, row: Row):
        """(ember, numba, reference) for a row; None where the row shows no value."""
        def get(tool):
            key = row.key_for(tool)
            return None if key is None or not tool else self.runner.value(key, tool)
        e, n, ref = get("ember"), get("numba"), get(row.reference)
        if isinstance(ref, Error) and row.reference not in self.runner.tools:
            ref = None
        return e, n, ref

    def cells(self) -> list[list[str]]:
        table = []
        errors: list[str] = []

        def show(v, digits):
            if v is None:
                return "—"
            if isinstance(v, Error):
                if v.text not in errors:
                    errors.append(v.text)
                what = "unsupported" if v.text.startswith("unsupported") else "error"
                return f"{what} [{errors.index(v.text) + 1}]"
            return f"{v:,.{digits}f}" if v >= 10 or digits == 0 else f"{v:.{max(digits, 2)}f}"

        for row in self.rows:
            e, n, ref = self.values(row)
            numbers = [v for v in (e, n) if v is not None and not isinstance(v, Error)]
            ratio = f"{e / n:.2f}" if len(numbers) == 2 and n else "—"
            budget = f"{row.budget.text}: {row.budget.verdict(e, n, ref)}" if row.budget else ""
            table.append([f"{row.label} ({row.unit})", show(e, row.digits), show(n, row.digits),
                          show(ref, row.digits), ratio, budget])
        self.errors = errors
        return table

    def verdicts(self) -> list[tuple[str, str]]:
        out = []
        for row in self.rows:
            if row.budget:
                e, n, ref = self.values(row)
                out.append((row.label, row.budget.verdict(e, n, ref)))
        return out

    def add_load_notes(self) -> None:
        """The load-average note (and a warning when other work kept the machine busy)."""
        r = self.runner
        if not r.loads:
            return
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
        load = statistics.median(r.loads)
        self.notes.append(f"1-minute load average as the workers started: median {load:.1f}, "
                          f"max {max(r.loads):.1f} on {cores} cores (the benchmark itself "
                          f"accounts for about 1).")
        if load > cores:
            self.warnings.append(
                f"the machine was busy with other work (median load average {load:.1f} on "
                f"{cores} cores): absolute numbers are inflated and the throughput ratios are "
                f"less reliable than usual; rerun on a quiet machine")


HEADER = ["measurement", "ember", "numba", "numpy", "ember/numba", "budget"]


def markdown_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    right = {1, 2, 3, 4}

    def line(cells):
        padded = [c.rjust(w) if i in right else c.ljust(w)
                  for i, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else "-" * (w + 2)
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(HEADER), rule, *(line(r) for r in rows)])


# ---- sections ---------------------------------------------------------------------------------

@dataclass
class Section:
    name: str
    title: str
    run: Callable[[Context], Report]
    describe: Callable[[Context, Report], list[str]]


SECTIONS: dict[str, Section] = {}


def section(name: str, title: str, describe: Callable[[Context, Report], list[str]]):
    def register(fn):
        SECTIONS[name] = Section(name, title, fn, describe)
        return fn
    return register


@dataclass
class Context:
    tools: tuple[str, ...]
    missing: dict[str, str]
    machine: dict
    log: Callable[[str], None] = print
    quick: bool = False  # small sizes and one process per tool, for trying the script out
    install: bool = True  # whether sections may pip-install what they need (outside the venv)

    def runner(self) -> Runner:
        return Runner(self.tools, self.missing)

    def reps(self, full: int) -> int:
        return 1 if self.quick else full


# ---- machine description ----------------------------------------------------------------------

def shell(cmd: list[str], default: str = "?") -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return default


def describe_machine(runner: Runner) -> dict:
    cpu_model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    commit = shell(["git", "rev-parse", "--short", "HEAD"])
    if shell(["git", "status", "--porcelain", "--untracked-files=no"], ""):
        commit += " (plus uncommitted changes)"
    info = {"date": shell(["date", "-u"]), "cpu_model": cpu_model,
            "cores": f"{os.cpu_count()} logical cores ({usable} usable by this process)",
            "commit": commit, "python": platform.python_version()}
    for tool in ("ember", "numba"):
        res = runner.worker(tool, "info")
        info[tool] = res["items"] if res.get("ok") else {"error": res["error"]}
    return info


def machine_lines(m: dict) -> list[str]:
    e, n = m.get("ember", {}), m.get("numba", {})
    feats = " ".join(f for f in e.get("features", "").split(",") if f.startswith("+"))
    lines = [
        f"* Date: {m['date']}",
        f"* Machine: {m['cpu_model']}; {m['cores']}",
        f"* ember's target: `{e.get('triple', '?')}`, cpu `{e.get('cpu', '?')}`"
        + (f"; numba/llvmlite see cpu `{n['cpu']}`" if "cpu" in n else ""),
        f"* ember's enabled CPU features: `{feats or e.get('error', '?')}`",
        f"* Python {m['python']}, NumPy {e.get('numpy') or n.get('numpy', '?')}, "
        + (f"numba {n['numba']} (llvmlite {n.get('llvmlite', '?')}), " if "numba" in n
           else f"no numba ({n.get('error', '?')}), ")
        + f"ember {e.get('ember', '?')}",
        f"* ember commit: `{m['commit']}`",
    ]
    return lines


# ---- markdown -------------------------------------------------------------------------------

INTRO = """\
# Performance

ember against numba on the same machine, in the same environment, produced by
`benchmarks/vs_numba.py` (run `make bench` or `.venv/bin/python benchmarks/vs_numba.py`; it
installs numba into the venv when it is missing).  Each tool runs in its own fresh subprocesses,
so import and first-compile times are honest and the two JITs never share a process.  NumPy's
own kernels are shown for reference.

All numbers are medians, on a small shared (noisy) machine with 2 cores: differences of a few
percent, and ratios within about 0.9 to 1.1 for the throughput rows, are within the noise.
Each section below is written by the benchmark that owns it and carries its own date, machine
and commit; rerunning one section leaves the others as they were.
"""

SECTION_RE = re.compile(
    r"<!-- section: (?P<name>[\w.-]+) -->\n.*?<!-- /section: (?P=name) -->\n?", re.S)


def render_section(sec: Section, ctx: Context, report: Report) -> str:
    table = markdown_table(report.cells())
    parts = [f"<!-- section: {sec.name} -->", f"## {sec.title}", "", table, ""]
    if report.errors:
        parts += ["Errors:", ""]
        parts += [f"{i}. `{t}`" for i, t in enumerate(report.errors, 1)] + [""]
    parts += [*sec.describe(ctx, report), ""]
    for note in report.notes:
        parts += [note, ""]
    if report.warnings:
        parts += ["Suspicious (automatic checks):", ""]
        parts += [f"* {w}" for w in report.warnings] + [""]
    parts += ["Environment:", "", *machine_lines(ctx.machine), "",
              f"<!-- /section: {sec.name} -->", ""]
    return "\n".join(parts)


def write_doc(blocks: dict[str, str]) -> None:
    """Replaces the given section blocks where they are and appends the new ones; keeps every
    other section block and all text outside the blocks (notes the lead wrote by hand) as they
    were.  A new document starts with the intro."""
    old = DOC.read_text() if DOC.exists() else INTRO
    seen = set()

    def replace(m: re.Match) -> str:
        name = m.group("name")
        seen.add(name)
        return blocks.get(name, m.group(0))

    out = SECTION_RE.sub(replace, old).rstrip("\n") + "\n"
    out += "".join("\n" + text for name, text in blocks.items() if name not in seen)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(out)


# ---- numba ----------------------------------------------------------------------------------

def ensure_numba(install: bool) -> str | None:
    """None when numba can be imported (installing it first if allowed), else why not."""
    if importlib.util.find_spec("numba") is not None:
        return None
    if not install:
        return "numba is not installed (--no-install)"
    try:
        import numpy
        pin = [f"numpy=={numpy.__version__}"]
    except ImportError:
        pin = []
    cmd = [sys.executable, "-m", "pip", "install", "numba", *pin]
    print(f"numba is not installed; installing it: {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd)
    importlib.invalidate_caches()
    if proc.returncode != 0 or importlib.util.find_spec("numba") is None:
        return f"installing numba failed (pip exited with {proc.returncode})"
    return None
