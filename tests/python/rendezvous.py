"""Rendezvous instead of a stopwatch: deterministic proofs that compiled code runs while other
threads run, for the nogil and thread-pool tests; and ``run_in_threads``, which starts several
calls together.

A compiled ``meet(flags, me, other, limit)`` sets ``flags[me]`` and then waits for
``flags[other]`` to be set by someone else, returning whether it was.  Another thread can only
set it while the call is running, so a True result proves that the two ran at the same time: for
a Python thread, that the call had released the GIL; for two compiled calls, that they ran
concurrently.  Under the GIL the partner cannot run until the call returns, so a control that
keeps the GIL deterministically returns False.  Nothing here measures time: how long a partner
takes to be scheduled is irrelevant, and the iteration bound (several seconds of waiting) only
turns a would-be hang into a failure.
"""
from __future__ import annotations

import threading
import time

import numpy as np

import ember

# Waiting rounds before a compiled `meet` gives up: several seconds of waiting, far longer
# than any scheduling delay; reached only when the partner can never answer.
SAFETY_ROUNDS = 3_000_000_000
# The same for a Python partner, in seconds.
SAFETY_SECONDS = 120.0
# Rounds for the controls that keep the GIL: they always run to this bound (the partner cannot
# answer), and the result does not depend on it.
CONTROL_ROUNDS = 200_000


def _meet(flags, me, other, limit):
    flags[me] = 1
    for _ in range(limit):
        if flags[other] != 0:
            return True
        # An opaque runtime call that writes memory (the generator's state): LLVM must reload
        # flags[other] every round rather than hoist it out of the loop.
        np.random.random()
    return False


meet_nogil = ember.njit(nogil=True)(_meet)
meet_with_gil = ember.njit(_meet)


def answer(flags, me, other):
    """Python partner: waits for flags[other], then sets flags[me].  False if it never came."""
    give_up = time.monotonic() + SAFETY_SECONDS
    while flags[other] == 0:
        if time.monotonic() > give_up:
            return False
        time.sleep(1e-4)
    flags[me] = 1
    return True


def run_in_threads(*calls):
    """Runs each zero-argument callable on its own thread, all released together by a barrier;
    their results in order (an exception in a thread is re-raised here).  The barrier's timeout
    only turns a thread that never arrives into a failure."""
    results = [None] * len(calls)
    errors = []
    barrier = threading.Barrier(len(calls), timeout=SAFETY_SECONDS)

    def run(i):
        try:
            barrier.wait()
            results[i] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
