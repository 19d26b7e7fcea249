"""cuda.local: memory private to each thread.

``cuda.local.array(shape, dtype)`` inside a kernel: a C-contiguous array of a constant shape,
one per thread, uninitialized.
"""
from .intrinsics import device_only

array = device_only("local.array")
