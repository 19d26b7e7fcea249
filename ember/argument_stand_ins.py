"""Arguments compiled code takes in another form than the Python object (cheap to import: the
dispatcher's slow path asks these on every call it serves).

- a np.polynomial.Polynomial becomes its compiled stand-in (ember/npapi/polynomial_class.py);
- a dtype (``np.dtype('f4')``, ``np.float32``, ``float``) is a compile-time value, as Numba's
  DType and NumberClass arguments are: the function is compiled per dtype, with the parameter
  frozen as a constant (the ``ember.literally`` machinery, ember/literal_args.py), and called
  with None in its place.
"""
from __future__ import annotations

import sys


def stand_ins(args):
    """args with np.polynomial.Polynomial objects replaced by their stand-ins."""
    if "numpy.polynomial.polynomial" not in sys.modules:  # no Polynomial can exist yet
        return args
    from .npapi.polynomial_class import arguments
    return arguments(args)


def is_dtype(value) -> bool:
    """Whether value is a dtype or number class compiled code has (a ScalarKind)."""
    np = sys.modules.get("numpy")
    if np is None or not isinstance(value, (type, np.dtype)):
        return False
    from .values import _number_class
    return _number_class(value) is not None


def dtype_params(args) -> tuple:
    """The positions of the dtype arguments."""
    return tuple(k for k, v in enumerate(args) if is_dtype(v))


def placeholders(args) -> tuple:
    """args with None for each dtype (the compiled function reads its frozen value)."""
    return tuple(None if is_dtype(v) else v for v in args)
