"""cuda.atomic: atomic read-modify-write operations on array elements, numba.cuda's names and
argument orders.  Each returns the element's old value.

    add(ary, idx, val)  sub  max  min  nanmax  nanmin     int32, uint32, int64, uint64, floats
    and_(ary, idx, val)  or_  xor  exch                     the integers
    inc(ary, idx, val)  dec                                 uint32, uint64 (CUDA's wrapping rules)
    cas(ary, idx, old, val)                                 the integers: ary[idx] = val if it
                                                            holds old
    compare_and_swap(ary, old, val)                         cas on element 0 of a 1-d array

``idx`` is an integer for a 1-d array or a tuple with one integer per axis.  max and min leave
the element alone when either value is NaN; nanmax and nanmin ignore a NaN value and replace a
NaN element.
"""
from .intrinsics import device_only

add = device_only("atomic.add")
sub = device_only("atomic.sub")
max = device_only("atomic.max")  # noqa: A001 - numba's name
min = device_only("atomic.min")  # noqa: A001 - numba's name
nanmax = device_only("atomic.nanmax")
nanmin = device_only("atomic.nanmin")
and_ = device_only("atomic.and_")
or_ = device_only("atomic.or_")
xor = device_only("atomic.xor")
exch = device_only("atomic.exch")
inc = device_only("atomic.inc")
dec = device_only("atomic.dec")
cas = device_only("atomic.cas")
compare_and_swap = device_only("atomic.compare_and_swap")
