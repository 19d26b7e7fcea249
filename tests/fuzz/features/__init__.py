"""The feature modules; importing this package registers every feature (registry.py).

To add a feature, add a module here and import it below (see the package docstring)."""
from . import (  # noqa: F401
    array_exprs,
    arrays,
    calls,
    control,
    prange,
    reductions,
    scalars,
    small_scalars,
    tuples,
    unbound,
)
