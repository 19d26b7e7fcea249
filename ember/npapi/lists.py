"""np.array / np.asarray of lists in compiled code (ir/Builtins.def NpArray, NpAsarray): names
only.  ember/npapi/shapes.py's selectors call them for list arguments; the compiler types them
(typeinfer/ContainerCalls.cpp: a list of numbers or of equal-length lists of numbers) and
lowers them (lowering/CodeGenList.cpp).
"""


def array(object, dtype=None):  # noqa: A002 (NumPy's parameter name)
    """np.array(list): a new C-contiguous array."""
    raise RuntimeError("ember.npapi.lists functions run only in compiled code")


def asarray(object, dtype=None):  # noqa: A002
    """np.asarray(list): as np.array."""
    raise RuntimeError("ember.npapi.lists functions run only in compiled code")
