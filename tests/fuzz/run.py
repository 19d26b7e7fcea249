"""The fuzzer's driver.

    python tests/fuzz/run.py --n 2000 --seed 1 [--jobs 2] [--out build/fuzz-found]
                             [--timeout 60]

Generates programs 0..n-1 of the seed (in worker processes, each running many programs),
runs each compiled and interpreted on its input sets, and compares.  A worker that dies or
hangs is replaced; the program it was running is run again alone in a fresh worker to confirm.
Failing programs are minimized (a few per distinct signature) and written as reproducers into
--out, with summary.json.  The last line is the summary; the exit status is 1 if any program
mismatched, crashed, was refused or was invalid.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):       # run as a script: make `fuzz` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "fuzz"  # noqa: A001

from fuzz.generator import generate  # noqa: E402
from fuzz.minimize import Budget, Minimizer, signature_of  # noqa: E402
from fuzz.pool import Oracle, Pool, Task  # noqa: E402
from fuzz.reproducer import write as write_reproducer  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
FAILING = ("mismatch", "crash", "refused", "invalid")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=2000, help="number of programs")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", type=int, default=0, help="first program index")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--out", type=Path, default=REPO / "build" / "fuzz-found")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per program")
    p.add_argument("--minimize", type=int, default=2,
                   help="programs minimized per distinct failure signature (0: none)")
    p.add_argument("--minimize-seconds", type=float, default=180.0,
                   help="time budget for minimizing one program")
    p.add_argument("--plant", action="append", default=[], metavar="KIND:INDEX",
                   help="test only: make the worker misbehave on program INDEX "
                        "(KIND: abort, segv, hang, mismatch)")
    p.add_argument("--features", default=None,
                   help="comma-separated features every program uses (default: each program "
                        "draws its own; see registry.py)")
    p.add_argument("--quiet", action="store_true")
    return p.parse_args(argv)


class Run:
    def __init__(self, args):
        self.args = args
        self.plants = {}
        for spec in args.plant:
            kind, index = spec.split(":")
            self.plants[int(index)] = kind
        self.features = sorted(args.features.split(",")) if args.features else None
        self.results: dict[int, dict] = {}
        self.lock = threading.Lock()

    def log(self, text: str):
        if not self.args.quiet:
            print(text, file=sys.stderr, flush=True)

    def request(self, index: int) -> dict:
        return {"op": "gen", "seed": self.args.seed, "index": index,
                "plant": self.plants.get(index), "features": self.features}

    def _feature_set(self):
        return set(self.features) if self.features else None

    # ---- phase 1: every program --------------------------------------------------------------

    def run_all(self):
        indices = range(self.args.start, self.args.start + self.args.n)
        tasks = [Task(i, self.request(i)) for i in indices]
        done = [0]
        last = [time.monotonic()]

        def on_outcome(task, outcome):
            self.results[task.key] = self._record(outcome)
            done[0] += 1
            if time.monotonic() - last[0] > 10:
                last[0] = time.monotonic()
                counts = collections.Counter(r["category"] for r in self.results.values())
                self.log(f"  {done[0]}/{len(tasks)} {dict(counts)}")

        Pool(self.args.jobs, self.args.timeout).run(tasks, on_outcome)

    @staticmethod
    def _record(outcome) -> dict:
        if outcome.kind == "result":
            return outcome.result
        category, signature = outcome.failure()
        return {"category": category, "signature": signature,
                "detail": outcome.stderr_tail, "intended": [], "failing_input": None,
                "confirmed": False}

    # ---- phase 2: crashes and hangs again, alone ---------------------------------------------

    def confirm(self):
        suspects = [i for i, r in self.results.items() if r["category"] == "crash" or
                    r["signature"].startswith("invalid: timeout")]
        if not suspects:
            return
        self.log(f"confirming {len(suspects)} crash(es) alone in a fresh worker")
        oracle = Oracle(self.args.timeout)
        try:
            for i in suspects:
                outcome = oracle.run(self.request(i), fresh=True)
                first = self.results[i]
                if outcome.kind != "result":
                    category, signature = outcome.failure()
                    first.update(category=category, signature=signature, confirmed=True,
                                 detail=outcome.stderr_tail or first["detail"])
                elif "timeout" in first["signature"]:
                    # a timeout that does not recur alone was the machine's load
                    self.results[i] = dict(outcome.result, flaky_timeout=True)
                else:
                    first["detail"] = ("not reproduced alone (depends on what the worker ran "
                                       "before); " + first["detail"])
        finally:
            oracle.close()

    # ---- phase 3: minimize and write reproducers ---------------------------------------------

    def minimize_all(self) -> list[dict]:
        by_signature = collections.defaultdict(list)
        for i in sorted(self.results):
            r = self.results[i]
            if r["category"] in FAILING:
                by_signature[r["signature"]].append(i)
        work = []
        for signature, indices in by_signature.items():
            if signature.startswith("invalid: the generator raised"):
                continue        # the driver cannot generate it either: see its traceback
            for i in indices[:self.args.minimize]:
                work.append((signature, i))
        written = []
        if not work:
            return written
        self.log(f"minimizing {len(work)} program(s) of {len(by_signature)} signature(s)")
        queue = list(reversed(work))

        # a candidate that runs far longer than the program did is not worth waiting for
        timeout = min(self.args.timeout, 20.0)

        def worker():
            oracle = Oracle(timeout)
            checker = Oracle(timeout, env={"EMBER_BOUNDSCHECK": "1"})
            try:
                while True:
                    with self.lock:
                        if not queue:
                            return
                        signature, index = queue.pop()
                    written.append(self._minimize_one(oracle, checker, signature, index))
            finally:
                oracle.close()
                checker.close()

        threads = [threading.Thread(target=worker) for _ in range(max(1, self.args.jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return written

    def _minimize_one(self, oracle, checker, signature: str, index: int) -> dict:
        result = self.results[index]
        program = generate(self.args.seed, index, self._feature_set(),
                           plant=self.plants.get(index))
        lines_before = len(program.plain_source().splitlines())
        minimizer = Minimizer(oracle, signature, Budget(self.args.minimize_seconds, 2000),
                              checker)
        if minimizer.still_fails(program):
            minimizer.budget = Budget(self.args.minimize_seconds, 2000)
            program = minimizer.minimize(program, result.get("failing_input"))
            minimized = True
        else:
            minimized = False
        # the reproducer's detail: the final program's own outcome
        outcome = oracle.run({"op": "job", "job": program.job()})
        detail = (outcome.result or {}).get("detail") or outcome.stderr_tail or \
            result.get("detail", "")
        path = write_reproducer(program, signature, detail[:800], self.args.out, REPO)
        lines_after = len(program.plain_source().splitlines())
        self.log(f"  {signature} (program {index}): {lines_before} -> {lines_after} lines, "
                 f"{minimizer.tried} candidates -> {path}")
        return {"signature": signature, "index": index, "file": str(path),
                "minimized": minimized, "lines": [lines_before, lines_after],
                "confirmed_signature": signature_of(outcome) == signature}


def summarize(run: Run, written: list[dict], elapsed: float) -> tuple[str, bool]:
    counts = collections.Counter(r["category"] for r in run.results.values())
    intended = collections.Counter(k for r in run.results.values() for k in r["intended"])
    signatures = collections.defaultdict(list)
    for i, r in sorted(run.results.items()):
        if r["category"] in FAILING:
            signatures[r["signature"]].append(i)
    flaky = sorted(i for i, r in run.results.items() if r.get("flaky_timeout"))
    summary = {
        "seed": run.args.seed, "start": run.args.start, "n": run.args.n,
        "jobs": run.args.jobs, "elapsed_seconds": round(elapsed, 1),
        "counts": {c: counts.get(c, 0) for c in ("pass", "mismatch", "crash", "refused",
                                                 "intended", "invalid")},
        "intended_kinds": dict(intended),
        "signatures": {s: {"count": len(ix), "programs": ix[:50]}
                       for s, ix in sorted(signatures.items(), key=lambda kv: -len(kv[1]))},
        "reproducers": written, "flaky_timeouts": flaky,
        "commit": None,
    }
    from fuzz.reproducer import git_commit
    summary["commit"] = git_commit(REPO)
    run.args.out.mkdir(parents=True, exist_ok=True)
    (run.args.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    failed = any(counts.get(c, 0) for c in FAILING)
    line = (f"fuzz seed {run.args.seed}: {run.args.n} programs, {counts.get('pass', 0)} passed, "
            f"{counts.get('mismatch', 0)} mismatches, {counts.get('crash', 0)} crashes, "
            f"{counts.get('refused', 0)} refused, {counts.get('intended', 0)} "
            f"intended-differences, {counts.get('invalid', 0)} invalid, "
            f"{elapsed:.1f} s")
    return line, failed


def main(argv=None) -> int:
    args = parse_args(argv)
    start = time.monotonic()
    run = Run(args)
    run.log(f"fuzz: seed {args.seed}, programs {args.start}..{args.start + args.n - 1}, "
            f"{args.jobs} worker(s)")
    run.run_all()
    run.confirm()
    written = run.minimize_all() if args.minimize > 0 else []
    line, failed = summarize(run, written, time.monotonic() - start)
    for signature, info in json.loads((args.out / "summary.json").read_text())[
            "signatures"].items():
        print(f"  {info['count']:5d}  {signature}")
    for w in written:
        print(f"  reproducer: {w['file']}")
    print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
