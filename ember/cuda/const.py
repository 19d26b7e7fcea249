"""cuda.const: constant memory.

``cuda.const.array_like(ary)`` inside a kernel, where ``ary`` is a NumPy array held in a global
or closure variable: a read-only copy frozen into the kernel when it compiles.
"""
from .intrinsics import device_only

array_like = device_only("const.array_like")
