"""ember vs numba, side by side; writes the results into docs/performance.md.

Run it with either of

    make bench
    .venv/bin/python benchmarks/vs_numba.py

It needs numba in the same environment as ember.  When ``import numba`` fails it installs it
first, with ``<this python> -m pip install numba numpy==<the installed numpy>`` (pinning NumPy
so that ember's NumPy is left alone) and says so; ``--no-install`` skips that and leaves the
numba column empty instead.  Other options: ``--sections a,b`` (or ``--section a``) runs only
those sections (``--list`` names them), ``--no-write`` only prints, ``--json PATH`` also saves the
raw samples, ``--quick`` tries the script out with small sizes and one process per tool (and
does not write the doc).

How it measures:

* Every tool runs in fresh subprocesses of this script (``--worker ember|numba|numpy --task
  ...``), so import and first-compile times are honest and the two JITs never share a process.
  A worker prints its results as one JSON line on stdout; a worker that fails or crashes is
  recorded as an error in the table, it does not stop the run.
* Medians everywhere, and ratios ember/numba; the machines this runs on are small and shared,
  so single numbers move by several percent between runs.

This file is the entry point (and what every worker runs); the machinery is in harness.py and
the sections in cpu_core.py ("CPU JIT core"), arrays.py ("Arrays, array expressions and the
NumPy API"), parallel.py ("Parallel loops, ufuncs and vector math"), numeric.py ("Constant
powers and float-to-int conversions"), containers.py ("Lists, dicts, sets and typed.List"),
functions.py ("Functions as values, generators and try/except") and extending.py ("Extending:
@cfunc, @jitclass and @stencil").  Adding a section: a
module that writes the worker side as functions decorated with ``@worker_task("name")`` and the
parent side as a function decorated with ``@section("id", "Title", describe)`` that runs workers
through ``Runner`` and returns a ``Report``; import it below.  The markdown writer replaces only
the ``<!-- section: id -->`` blocks that ran and keeps every other block already in
docs/performance.md as it was.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import arrays  # noqa: F401 - registers the section and its worker tasks
import containers  # noqa: F401 - registers the section and its worker tasks
import cpu_core
import extending  # noqa: F401 - registers the section and its worker tasks
import functions  # noqa: F401 - registers the section and its worker tasks
import numeric  # noqa: F401 - registers the section and its worker tasks
import parallel  # noqa: F401 - registers the section and its worker tasks
from harness import (
    DOC,
    ROOT,
    SECTIONS,
    Context,
    Runner,
    describe_machine,
    ensure_numba,
    machine_lines,
    markdown_table,
    render_section,
    worker_main,
    write_doc,
)

# The order of a full run.
SECTION_ORDER = ("cpu-core", "arrays", "parallel", "numeric", "containers", "functions",
                 "extending")


# ---- main -----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--no-install", action="store_true", help="do not pip-install numba")
    p.add_argument("--no-write", action="store_true", help=f"do not rewrite {DOC}")
    p.add_argument("--sections", "--section", dest="sections",
                   help="comma-separated sections to run (default: all)")
    p.add_argument("--quick", action="store_true",
                   help="small sizes, one process per tool; implies --no-write")
    p.add_argument("--list", action="store_true", help="list the sections and exit")
    p.add_argument("--json", metavar="PATH", help="also save the raw samples as JSON")
    p.add_argument("--worker", metavar="TOOL", help=argparse.SUPPRESS)
    p.add_argument("--task", help=argparse.SUPPRESS)
    p.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = p.parse_args(argv)

    if opts.worker:
        return worker_main(opts.worker, opts.task, opts.args)
    order = [*SECTION_ORDER, *(n for n in SECTIONS if n not in SECTION_ORDER)]
    if opts.list:
        for name in order:
            print(f"{name}: {SECTIONS[name].title}")
        return 0
    names = opts.sections.split(",") if opts.sections else order
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        p.error(f"unknown sections {unknown}; --list names them")

    started = time.perf_counter()
    missing = {}
    why = ensure_numba(not opts.no_install)
    if why:
        print(f"numba column left empty: {why}")
        missing["numba"] = why
    tools = ("ember", "numba", "numpy")
    info_runner = Runner(tools, missing)
    print("describing the machine, priming the bytecode cache ...", flush=True)
    ctx = Context(tools, missing, describe_machine(info_runner), quick=opts.quick,
                  install=not opts.no_install)
    cpu_core.prime(info_runner)
    for tool in ("ember", "numba"):
        if "error" in ctx.machine[tool] and tool not in missing:
            print(f"warning: the {tool} info worker failed: {ctx.machine[tool]['error']}")

    blocks: dict[str, str] = {}
    raw: dict = {"machine": ctx.machine, "sections": {}}
    for name in names:
        sec = SECTIONS[name]
        print(f"section {name}: {sec.title}", flush=True)
        t0 = time.perf_counter()
        report = sec.run(ctx)
        blocks[name] = render_section(sec, ctx, report)
        print(f"  ({time.perf_counter() - t0:.0f} s)\n")
        print(f"## {sec.title}\n\n{markdown_table(report.cells())}\n")
        for i, text in enumerate(report.errors, 1):
            print(f"  error [{i}]: {text}")
        for note in report.notes:
            print(f"  note: {note}")
        for warning in report.warnings:
            print(f"  SUSPICIOUS: {warning}")
        verdicts = report.verdicts()
        passed = sum(v.startswith("PASS") for _, v in verdicts)
        print(f"  budgets: {passed} of {len(verdicts)} pass"
              + "".join(f"\n    {v:<5} {label}" for label, v in verdicts
                        if not v.startswith("PASS")))
        print()
        raw["sections"][name] = {
            f"{key}|{tool}": samples for (key, tool), samples in report.runner.samples.items()}
        raw["sections"][name]["errors"] = {
            f"{key}|{tool}": text for (key, tool), text in report.runner.errors.items()}

    print("\n".join(machine_lines(ctx.machine)))
    if not opts.no_write and not opts.quick:
        write_doc(blocks)
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    if opts.json:
        Path(opts.json).write_text(json.dumps(raw, indent=1))
        print(f"wrote {opts.json}")
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
