"""How the dispatcher names an argument compiled code cannot take, for its TypingError and
UnsupportedError messages (ember/dispatcher.py, ember/cuda/kernel.py).  Runs only when a call's
arguments could not be typed, so nothing here is on a call's path."""

from . import _ember


def describe(value) -> str:
    """'an int too large for uint64', 'a list', 'an array of dtype object', ..."""
    if isinstance(value, int) and not isinstance(value, bool):
        return "an int too large for 64 bits"
    if isinstance(value, tuple):
        bad = [v for v in value if not typeable(v)]
        return f"a tuple holding {describe(bad[0])}" if bad else "a tuple"
    if hasattr(value, "dtype") and hasattr(value, "ndim"):
        import numpy as np
        if isinstance(value, np.generic):
            return f"a {value.dtype} scalar"
        return f"an array of dtype {value.dtype}"
    if isinstance(value, (list, set)) and not value:
        return f"an empty {type(value).__name__} (its item type cannot be known)"
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def not_yet_supported(value) -> str:
    """The family of NumPy values issue 13 lists that compiled code does not take yet (datetime
    units with a multiple, structured dtypes holding objects, memoryview), or ''."""
    import numpy as np
    if isinstance(value, memoryview):
        return "memoryview values (bytes and bytearray are supported)"
    if isinstance(value, (list, tuple, set)):  # a container of such values
        return next((w for w in map(not_yet_supported, value) if w), "")
    dtype = getattr(value, "dtype", None)
    if not isinstance(dtype, np.dtype) or not isinstance(value, (np.ndarray, np.generic)):
        return ""
    if dtype.kind in "mM" and np.datetime_data(dtype)[1] != 1:
        return "datetime64 and timedelta64 units with a multiple ('10s', '2D')"
    if dtype.fields is not None:
        return ("structured (record) arrays and record scalars holding Python objects (or "
                "not aligned)")
    if dtype.kind in "SUV":
        return "arrays and scalars of bytes, str and void dtypes"
    return ""


def typeable(value) -> bool:
    try:
        _ember.typeof_code(value)
        return True
    except TypeError:
        return False
