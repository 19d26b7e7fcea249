"""EMBER_TIMING=1: every CPU compile prints the CPU time of its stages to stderr, the measure
behind the compile-time budgets of benchmarks/ (docs/design.md, "Compile time: where it goes").
Checked in a subprocess, since the switch is read once per process; no assertion on the times
themselves."""

import os
import re
import subprocess
import sys

PROGRAM = """
import ember

@ember.njit
def append_sum(n):
    values = []
    for i in range(n):
        values.append(i)
    total = 0
    for v in values:
        total += v
    return total

assert append_sum(1000) == 499500
print("done")
"""

STAGES = ("typing", "lower", "optimize", "codegen", "link")


def _run(timing):
    env = dict(os.environ)
    env.pop("EMBER_TIMING", None)
    if timing is not None:
        env["EMBER_TIMING"] = timing
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "done"
    return [line for line in proc.stderr.splitlines() if line.startswith("ember timing ")]


def test_timing_lines_name_every_stage():
    lines = _run("1")
    assert len(lines) == 1, lines
    line = lines[0]
    assert "append_sum" in line
    total = float(re.search(r"total ([0-9.]+) ms", line).group(1))
    parts = {name: float(value) for name, value in re.findall(r" ([a-z-]+) ([0-9.]+)", line)}
    assert set(STAGES) <= set(parts), line
    assert all(parts[s] >= 0 for s in STAGES)
    # the stages partition the compile (each printed rounded to a microsecond)
    assert abs(sum(parts[s] for s in STAGES) - total) < 0.01 * len(STAGES), line


def test_timing_off_prints_nothing():
    assert _run(None) == []
    assert _run("0") == []
