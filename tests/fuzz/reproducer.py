"""Writing a (minimized) failing program as a standalone reproducer: a Python file that runs the
program interpreted (CPython, ember.njit replaced by the identity) and compiled, prints both
outcomes, and exits with status 1 while they differ (or dies, for a crash)."""
from __future__ import annotations

import datetime
import re
import subprocess
import textwrap
from pathlib import Path

from .program import Program
from .values import source as value_source

TEMPLATE = '''\
"""ember fuzz reproducer: {signature}

Program {index} of `python tests/fuzz/run.py --seed {seed}`, minimized ({lines} lines).
Found {date} at ember commit {commit}.
What the fuzzer saw:
{detail}
Run `python {filename}`: it prints CPython's and ember's outcomes and exits with status 1
(or crashes) while the bug is present.
"""
import math
import sys

import numpy as np

import ember

SOURCE = """
{source}"""


def args():
    return [{args}]


class Interpreted:
    """ember as seen by CPython: njit returns the function, prange is range."""
    prange = range

    @staticmethod
    def njit(*a, **options):
        return a[0] if a and callable(a[0]) else (lambda fn: fn)


def run(compiled):
    ns = {{"np": np, "math": math, "ember": ember if compiled else Interpreted}}
    exec(compile(SOURCE, "<reproducer>", "exec"), ns)
    try:
        return ("returned", ns["{entry}"](*args()))
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")


def same(a, b):
    if isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and
                np.allclose(a, b, rtol=1e-7, atol=0, equal_nan=True)
                if b.dtype.kind == "f" else np.array_equal(a, b))
    if isinstance(b, tuple):
        return isinstance(a, tuple) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(b, (float, np.floating)):
        return isinstance(a, float) and (a == b or (a != a and b != b) or
                                         abs(a - b) <= 1e-7 * abs(b))
    return type(a) is type(b.item() if isinstance(b, np.generic) else b) and a == b


if __name__ == "__main__":
    expected = run(False)
    print("CPython:", expected)
    got = run(True)
    print("ember:  ", got)
    ok = expected[0] == got[0] and (same(got[1], expected[1]) if got[0] == "returned"
                                    else got[1] == expected[1])
    sys.exit(0 if ok else 1)
'''


def git_commit(repo: Path) -> str:
    try:
        return subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def slug(signature: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", signature.lower()).strip("-")
    return words[:60].rstrip("-")


def _detail(text: str) -> str:
    lines = []
    for line in text.replace(Q3, S3).replace("\\", "/").splitlines()[:30]:
        lines.extend(textwrap.wrap(line, 92) or [""])
    return textwrap.indent("\n".join(lines), "    ")


Q3, S3 = '"' * 3, "'" * 3


def write(program: Program, signature: str, detail: str, out_dir: Path, repo: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    category = signature.split(":", 1)[0]
    filename = f"{category}-{slug(signature.split(':', 1)[-1])}-{program.name}.py"
    path = out_dir / filename
    src = program.plain_source()
    text = TEMPLATE.format(
        signature=signature.replace('"""', "'''"), seed=program.seed, index=program.index,
        lines=len(src.splitlines()), date=datetime.date.today().isoformat(),
        commit=git_commit(repo), filename=filename,
        detail=_detail(detail),
        source=textwrap.indent(src.replace("\\", "\\\\").replace('"""', "'''"), ""),
        args=", ".join(value_source(s) for s in program.inputs[0]), entry=program.entry)
    path.write_text(text)
    return path
