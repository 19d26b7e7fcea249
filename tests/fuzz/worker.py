"""A worker process: reads requests (JSON lines) on stdin, runs each program in this process,
answers (one JSON line each) on the file descriptor that was stdout when it started.  Its own
stdout is pointed at stderr first, so that nothing a program or a library prints can corrupt
the answers.  Run by pool.py as ``python -m fuzz.worker``.

Requests:
  {"op": "gen", "seed": S, "index": I, "plant": null | "abort" | "segv" | "hang" | "mismatch"}
      generate program I of seed S and run it;
  {"op": "job", "job": {...}}   run a given job (the minimizer's candidates);
  {"op": "quit"}.
"""
from __future__ import annotations

import json
import os
import sys
import time


def _protocol_stream():
    fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(fd, "w", buffering=1)


def main() -> int:
    out = _protocol_stream()
    os.environ.setdefault("EMBER_VERIFY", "1")
    import ember  # noqa: F401 - imported once, before the first request is timed

    from .execute import run_job
    from .generator import generate

    out.write(json.dumps({"ready": os.getpid()}) + "\n")

    def progress(phase: str):
        out.write(json.dumps({"progress": phase}) + "\n")

    for line in sys.stdin:
        request = json.loads(line)
        op = request.get("op")
        if op == "quit":
            break
        start = time.perf_counter()
        if op == "gen":
            features = request.get("features")
            program = generate(request["seed"], request["index"],
                               set(features) if features else None, plant=request.get("plant"))
            job = program.job()
        else:
            job = request["job"]
        result = run_job(job, progress)
        result["name"] = job["name"]
        result["seconds"] = round(time.perf_counter() - start, 4)
        out.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
