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
            try:
                program = generate(request["seed"], request["index"],
                                   set(features) if features else None,
                                   plant=request.get("plant"))
                job = program.job()
            except Exception as exc:  # noqa: BLE001 - a generator bug, reported as such
                out.write(json.dumps(generator_failure(request, exc)) + "\n")
                continue
        else:
            job = request["job"]
        result = run_job(job, progress)
        result["name"] = job["name"]
        result["seconds"] = round(time.perf_counter() - start, 4)
        out.write(json.dumps(result) + "\n")
    return 0


def generator_failure(request: dict, exc: Exception) -> dict:
    import traceback
    return {"category": "invalid", "name": f"s{request['seed']}-p{request['index']}",
            "signature": f"invalid: the generator raised {type(exc).__name__}",
            "detail": "".join(traceback.format_exception(exc))[-2000:], "intended": [],
            "runs": 0, "failing_input": None, "seconds": 0.0}


if __name__ == "__main__":
    sys.exit(main())
