"""cuda.shared: memory shared by the threads of a block.

``cuda.shared.array(shape, dtype)`` inside a kernel: a C-contiguous array of a constant shape,
one per block; shape 0 is the launch's dynamic shared memory (``kernel[grid, block, stream,
nbytes]``), as many elements as fit.
"""
from .intrinsics import device_only

array = device_only("shared.array")
