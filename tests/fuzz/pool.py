"""Worker processes seen from the driver: start one (``python -m fuzz.worker``), hand it a
request, and get back its answer -- or learn that it died (a signal: segfault, abort) or did not
answer before the deadline (then it is killed).  ``Pool`` keeps J workers busy on a list of
requests; ``Oracle`` runs one request at a time in a worker of its own (for confirmation and
minimization), starting a fresh worker whenever the last one died.
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 120.0


@dataclass
class Outcome:
    """What became of a request: answered (result), died (signal or exit status), timeout."""
    kind: str                  # "result", "died", "timeout"
    result: dict | None = None
    returncode: int | None = None
    stderr_tail: str = ""
    seconds: float = 0.0
    # what the worker was doing: "reference" (CPython) or "compiled" (ember), or None
    phase: str | None = None

    @property
    def in_cpython(self) -> bool:
        return self.phase == "reference"

    def crash_signature(self) -> str:
        where = " in CPython" if self.in_cpython else ""
        if self.kind == "timeout":
            return f"crash: timeout{where}"
        rc = self.returncode
        if rc is not None and rc < 0:
            try:
                return f"crash: {signal.Signals(-rc).name}{where}"
            except ValueError:
                return f"crash: signal {-rc}{where}"
        return f"crash: exit status {rc}{where}"

    def failure(self) -> tuple[str, str]:
        """(category, signature) of a worker that died or hung: CPython itself hanging or
        dying on a generated program is the generator's fault ("invalid")."""
        signature = self.crash_signature()
        if self.in_cpython:
            return "invalid", signature.replace("crash: ", "invalid: ", 1)
        return "crash", signature


class Worker:
    def __init__(self, env: dict | None = None):
        self.stderr = tempfile.TemporaryFile()
        full_env = dict(os.environ)
        full_env["PYTHONPATH"] = os.pathsep.join(
            [str(TESTS_DIR)] + ([full_env["PYTHONPATH"]] if full_env.get("PYTHONPATH") else []))
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-m", "fuzz.worker"], cwd=str(TESTS_DIR),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=full_env)
        self.buffer = b""
        self.served = 0
        self.phase = None
        ready = self._read_line(time.monotonic() + STARTUP_TIMEOUT)
        if not isinstance(ready, dict) or "ready" not in ready:
            raise RuntimeError(f"fuzz worker failed to start: {self.stderr_tail()}")

    def fileno(self) -> int:
        return self.proc.stdout.fileno()

    def send(self, request: dict):
        self.phase = None
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()
        self.served += 1

    def poll_line(self):
        """Reads what is available; returns the decoded answer, "eof", or None (no answer
        yet).  Progress lines ({"progress": phase}) only update self.phase."""
        if b"\n" not in self.buffer:
            chunk = os.read(self.fileno(), 1 << 16)
            if not chunk:
                return "eof"
            self.buffer += chunk
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            message = json.loads(line)
            if "progress" in message:
                self.phase = message["progress"]
                continue
            return message
        return None

    def _read_line(self, deadline: float):
        sel = selectors.DefaultSelector()
        sel.register(self.fileno(), selectors.EVENT_READ)
        try:
            while True:
                if b"\n" in self.buffer:
                    return self.poll_line()
                left = deadline - time.monotonic()
                if left <= 0:
                    return "timeout"
                if sel.select(left):
                    got = self.poll_line()
                    if got is not None:
                        return got
        finally:
            sel.close()

    def request(self, request: dict, timeout: float) -> Outcome:
        start = time.monotonic()
        try:
            self.send(request)
        except (BrokenPipeError, OSError):
            return self.died(start)
        got = self._read_line(start + timeout)
        if got == "timeout":
            self.kill()
            return Outcome("timeout", seconds=time.monotonic() - start,
                           stderr_tail=self.stderr_tail(), phase=self.phase)
        if got == "eof":
            return self.died(start)
        return Outcome("result", result=got, seconds=time.monotonic() - start)

    def died(self, start: float) -> Outcome:
        rc = self.proc.wait()
        return Outcome("died", returncode=rc, seconds=time.monotonic() - start,
                       stderr_tail=self.stderr_tail(), phase=self.phase)

    def stderr_tail(self, lines: int = 25) -> str:
        self.stderr.seek(0)
        text = self.stderr.read().decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b'{"op": "quit"}\n')
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
        self.stderr.close()


@dataclass
class Task:
    key: object
    request: dict
    start: float = 0.0


@dataclass
class Pool:
    """J workers, each serving requests until it has served recycle of them."""
    jobs: int
    timeout: float
    recycle: int = 200
    env: dict = field(default_factory=dict)

    def run(self, tasks: list[Task], on_outcome):
        """Runs every task; on_outcome(task, Outcome) is called as each one ends."""
        pending = list(reversed(tasks))
        busy: dict[int, tuple[Worker, Task]] = {}
        idle: list[Worker] = []
        sel = selectors.DefaultSelector()
        try:
            while pending or busy:
                while pending and len(busy) < self.jobs:
                    worker = idle.pop() if idle else Worker(self.env)
                    task = pending.pop()
                    task.start = time.monotonic()
                    try:
                        worker.send(task.request)
                    except (BrokenPipeError, OSError):
                        on_outcome(task, worker.died(task.start))
                        worker.close()
                        continue
                    busy[worker.fileno()] = (worker, task)
                    sel.register(worker.fileno(), selectors.EVENT_READ)
                now = time.monotonic()
                deadline = min(t.start + self.timeout for _, t in busy.values())
                events = sel.select(max(0.0, deadline - now))
                for key, _ in events:
                    worker, task = busy[key.fd]
                    got = worker.poll_line()
                    if got is None:
                        continue
                    sel.unregister(key.fd)
                    del busy[key.fd]
                    if got == "eof":
                        on_outcome(task, worker.died(task.start))
                        worker.close()
                        continue
                    on_outcome(task, Outcome("result", result=got,
                                             seconds=time.monotonic() - task.start))
                    if worker.served >= self.recycle:
                        worker.close()
                    else:
                        idle.append(worker)
                now = time.monotonic()
                for fd, (worker, task) in list(busy.items()):
                    if now - task.start >= self.timeout:
                        sel.unregister(fd)
                        del busy[fd]
                        worker.kill()
                        on_outcome(task, Outcome("timeout", seconds=now - task.start,
                                                 stderr_tail=worker.stderr_tail(),
                                                 phase=worker.phase))
                        worker.close()
        finally:
            for worker, _ in busy.values():
                worker.kill()
                worker.close()
            for worker in idle:
                worker.close()
            sel.close()


class Oracle:
    """Runs requests one at a time in a worker of its own (a fresh one after a death)."""

    def __init__(self, timeout: float, env: dict | None = None):
        self.timeout = timeout
        self.env = env
        self.worker: Worker | None = None
        self.calls = 0

    def run(self, request: dict, fresh: bool = False) -> Outcome:
        if fresh and self.worker is not None:
            self.worker.close()
            self.worker = None
        if self.worker is None:
            self.worker = Worker(self.env)
        self.calls += 1
        outcome = self.worker.request(request, self.timeout)
        if outcome.kind != "result":
            self.worker.close()
            self.worker = None
        return outcome

    def close(self):
        if self.worker is not None:
            self.worker.close()
            self.worker = None
