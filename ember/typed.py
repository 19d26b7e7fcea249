"""``ember.typed.List`` and ``ember.typed.Dict``: numba.typed's containers for ember.

Both hold a native container (runtime: ember/containers.h) that compiled code uses in place:
passing one to a jitted function copies nothing, and what the function stores is seen here.
A dict made in compiled code comes back as a ``Dict``; ``typed.List(...)`` made there comes
back as a ``List``.  The item type is fixed by ``empty_list``/``empty`` or by the first item
stored, as in Numba.  Item access from Python boxes one item at a time (the fast path is
compiled code).
"""
from . import _ember
from . import signature as _sig
from . import types as _types

__all__ = ["List", "Dict"]

_MISSING = object()
_T_LIST, _T_DICT = _sig.T_LIST, _sig.T_DICT


def _code_of(value):
    try:
        return list(_ember.typeof_code(value))
    except TypeError:
        raise TypeError(f"ember.typed cannot hold a {type(value).__name__}") from None


def _type_code(t):
    if isinstance(t, _types.Type):
        return list(t.code)
    raise TypeError(f"expected an ember type such as ember.types.int64, got {t!r}")


class List(_ember.NativeContainer):
    """A typed list (numba.typed.List's API)."""

    def __init__(self, iterable=None, allocated=0):
        if iterable is not None:
            for x in iterable:
                self.append(x)

    @classmethod
    def empty_list(cls, item_type, allocated=0):
        lst = cls()
        lst._init([_T_LIST, 1] + _type_code(item_type))
        return lst

    def _typed_for(self, value):
        if self._code() is None:
            self._init([_T_LIST, 1] + _code_of(value))

    def _index(self, i, what="list index out of range"):
        n = self._len()
        i = i.__index__()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(what)
        return i

    def __len__(self):
        return self._len()

    def __getitem__(self, i):
        if isinstance(i, slice):
            out = List.empty_list(self._item_type()) if self._code() else List()
            for k in range(*i.indices(self._len())):
                out.append(self._getitem(k))
            return out
        return self._getitem(self._index(i))

    def __setitem__(self, i, value):
        self._setitem(self._index(i, "list assignment index out of range"), value)

    def __delitem__(self, i):
        if isinstance(i, slice):
            for k in sorted(range(*i.indices(self._len())), reverse=True):
                self._pop(k)
            return
        self._pop(self._index(i, "list assignment index out of range"))

    def __iter__(self):
        return iter(self._entries(0)) if self._code() else iter(())

    def __contains__(self, value):
        return any(x == value for x in self)

    def __eq__(self, other):
        if isinstance(other, (List, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self):
        return "ListType[" + (repr(self._item_type()) if self._code() else "?") + "](" + repr(
            list(self)) + ")"

    def _item_type(self):
        code = self._code()
        return _types.Type("item", code[2:])

    def append(self, value):
        self._typed_for(value)
        self._append(value)

    def extend(self, iterable):
        for x in list(iterable):
            self.append(x)

    def insert(self, i, value):
        self._typed_for(value)
        n = self._len()
        i = i.__index__()
        if i < 0:
            i = max(0, i + n)
        self._insert(min(i, n), value)

    def pop(self, i=-1):
        if not self._len():
            raise IndexError("pop from empty list")
        return self._pop(self._index(i, "pop index out of range"))

    def remove(self, value):
        del self[self.index(value)]

    def clear(self):
        if self._code():
            self._clear()

    def index(self, value, start=0, stop=None):
        items = list(self)
        stop = len(items) if stop is None else stop
        for k in range(*slice(start, stop).indices(len(items))):
            if items[k] == value:
                return k
        raise ValueError(f"{value!r} is not in list")

    def count(self, value):
        return sum(1 for x in self if x == value)

    def reverse(self):
        if self._code():
            self._reverse()

    def sort(self, key=None, reverse=False):
        if not self._code():
            return
        if key is None:
            self._sort(bool(reverse))
            return
        items = sorted(self, key=key, reverse=reverse)
        self._clear()
        for x in items:
            self._append(x)

    def copy(self):
        out = List.empty_list(self._item_type()) if self._code() else List()
        out.extend(self)
        return out


class Dict(_ember.NativeContainer):
    """A typed dict (numba.typed.Dict's API); insertion order is kept."""

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            self.update(*args, **kwargs)

    @classmethod
    def empty(cls, key_type, value_type, n_keys=0):
        d = cls()
        d._init([_T_DICT] + _type_code(key_type) + _type_code(value_type))
        return d

    def _typed_for(self, key, value):
        if self._code() is None:
            self._init([_T_DICT] + _code_of(key) + _code_of(value))

    def __len__(self):
        return self._len()

    def __getitem__(self, key):
        if self._code() is None:
            raise KeyError(key)
        return self._lookup(key)

    def __setitem__(self, key, value):
        self._typed_for(key, value)
        self._set(key, value)

    def __delitem__(self, key):
        if self._code() is None or not self._delete(key):
            raise KeyError(key)

    def __contains__(self, key):
        return self._code() is not None and self._lookup(key, _MISSING) is not _MISSING

    def __iter__(self):
        return iter(self._entries(0)) if self._code() else iter(())

    def __eq__(self, other):
        if isinstance(other, (Dict, dict)):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __repr__(self):
        return repr(dict(self.items()))

    def keys(self):
        return self._entries(0) if self._code() else []

    def values(self):
        return self._entries(1) if self._code() else []

    def items(self):
        return self._entries(2) if self._code() else []

    def get(self, key, default=None):
        if self._code() is None:
            return default
        return self._lookup(key, default)

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key, default=_MISSING):
        if key in self:
            value = self[key]
            del self[key]
            return value
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self):
        items = self.items()
        if not items:
            raise KeyError("popitem(): dictionary is empty")
        key, value = items[-1]
        del self[key]
        return key, value

    def update(self, other=(), **kwargs):
        pairs = other.items() if hasattr(other, "items") else other
        for key, value in list(pairs) + list(kwargs.items()):
            self[key] = value

    def clear(self):
        if self._code():
            self._clear()

    def copy(self):
        out = Dict()
        out.update(self)
        return out


_ember.register_container_classes(List, Dict)
