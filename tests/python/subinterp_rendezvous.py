"""A rendezvous for sub-interpreters (tests/python/rendezvous.py's idea, without NumPy in the
sub-interpreters): a @cfunc that sets flags[me] and waits for flags[other], which only a call
running at the same time in another interpreter can set.  True from both proves that the two
interpreters ran the compiled code at once; nothing measures time.  The main interpreter
compiles it (a sub-interpreter cannot import NumPy, which the body names)."""

import ember
from ember import _interpreters

if not _interpreters.in_subinterpreter():
    import numpy as np

# Several seconds of waiting: reached only when the partner never runs.
SAFETY_ROUNDS = 3_000_000_000


@ember.cfunc("boolean(CPointer(int64), int64, int64, int64)")
def meet(flags_ptr, me, other, limit):
    flags = ember.carray(flags_ptr, 2)
    flags[me] = 1
    for _ in range(limit):
        if flags[other] != 0:
            return True
        # An opaque runtime call that writes memory: flags[other] is loaded again every round.
        np.random.random()
    return False
