"""Numba's ``@jitclass``: classes whose instances live in compiled code.

``@jitclass(spec)`` (also ``@jitclass`` with annotations on the class body) turns a class into a
*jitclass*: an instance is a reference-counted native struct of typed fields (ember/jitclass.h,
a MemInfo like an array's buffer), and every method, property and static method is compiled by
``njit`` with the instance as its first argument.  The compiler learns the class once, before
the first function that uses it is compiled (``Session.define_class``: field names and types,
and the handles of the compiled methods), so ``obj.x``, ``obj.x = v`` and ``obj.m(...)`` are
typed and lowered directly (typeinfer/JitclassRules.cpp, lowering/CodeGenJitclass.cpp).

The decorator returns a Python class generated here, a subclass of ``_ember.JitclassBase``
(bindings/Jitclass.cpp), which holds a reference to the native instance: calling it from Python
runs the compiled constructor; its fields are properties that call compiled accessors; its
methods call the compiled methods.  Compiled code receives the same native instance (no
copy), so a mutation on either side is seen by the other; an instance returned by compiled
code comes back as an object of the generated class.  In compiled code, naming the class
(``Point(1.0, 2.0)``) constructs an instance and ``Point.static(...)`` calls a static method.

Field types are ``ember.types`` objects (``float64``, ``float64[:]``, ``unicode_type``,
``UniTuple(int64, 2)``, ``ListType(int64)``, ...), Python's ``int``/``float``/``bool``/
``complex``/``str`` in annotations, or another jitclass (or its ``class_type.instance_type``).
Operators and ``len()`` on an instance call its dunder methods (``__add__``, ``__iadd__``,
``__lt__``, ``__neg__``, ``__len__``, ...) in compiled code and from Python; instances may be
held in lists.  A field may hold an instance of the class's own kind through Numba's
``deferred_type()`` (``types.Optional(node_type)``, then ``node_type.define(Node.class_type.
instance_type)`` before the first use), and an optional instance's attributes are read and
written as the instance's (TypeError at run time when it is None).  Unlike Numba, a jitclass
may derive from one other jitclass: it has the parent's fields first, then its own, and the
parent's methods, properties and static methods, which its own override (each compiled again
for the derived instance type; ``super().name`` calls the parent's member, as
ember/jitclass_super.py rewrites it).  Not supported:
reflected operators (the instance on the right only).
"""
from __future__ import annotations

import inspect
import itertools
import threading

import numpy as np

from . import _ember, types

__all__ = ["jitclass"]

_JITCLASS_TAG = 60  # EMBER_T_JITCLASS in ember/abi.h
_ANNOTATION_TYPES = {int: types.int64, float: types.float64, bool: types.boolean,
                     complex: types.complex128, str: types.unicode_type}
_define_lock = threading.RLock()
_counter = itertools.count(1)
_class_types: dict = {}  # class id -> ClassType
_STABLE_BIT = 1 << 61  # set in ids derived from the class's name; unique ids stay below 2^61


def _class_id(cls) -> int:
    """The class's id in type codes and compiled code.  Derived from its module and qualified
    name, so that the same class has the same id in every process and the on-disk cache can
    store code that takes, builds or returns its instances (ember/cache.py); a second class of
    the same name in one process (made in a function called twice) gets an id unique to the
    process instead, and code using it is not cached."""
    from hashlib import blake2b

    digest = blake2b(f"{cls.__module__}.{cls.__qualname__}".encode(), digest_size=6).digest()
    stable = _STABLE_BIT | int.from_bytes(digest, "little")
    if stable not in _class_types:
        return stable
    return id(cls) % (1 << 47) ^ (next(_counter) << 48)  # unique while the process runs


def stable_class_id(class_id) -> bool:
    """Whether the id is the same in every process (see _class_id)."""
    return bool(class_id & _STABLE_BIT)


class InstanceType(types.Type):
    """The type of a jitclass's instances (Numba's ``ClassInstanceType``)."""

    __slots__ = ("class_type",)


class ClassType:
    """Numba's ``Foo.class_type``: what compiled code knows of a jitclass."""

    def __init__(self, name, class_id):
        self.class_name = name
        self.class_id = class_id
        self.instance_type = InstanceType._of(f"instance({name})", (_JITCLASS_TAG, class_id))
        self.instance_type.class_type = self
        _class_types[class_id] = self
        self.struct = {}  # field name -> ember type, in order
        self.methods, self.static_methods, self.getters, self.setters = {}, {}, {}, {}
        self.init = None
        self.defined = False
        self.members = {}  # name -> the class body's function/property/staticmethod (inherited)

    def __repr__(self):
        return f"jitclass.class_type({self.class_name})"

    def define(self):
        """Registers the class with the compiler session (once, before the first compile that
        can meet it: the constructor's, which every instance comes from)."""
        if self.defined:
            return
        with _define_lock:
            if self.defined:
                return
            for k, t in self.struct.items():  # deferred types are given by now
                if isinstance(t, _DEFERRED):
                    try:
                        resolved = t.get()
                    except TypeError:
                        raise TypeError(f"jitclass {self.class_name}: the deferred type of field "
                                        f"'{k}' was never given its define(...)") from None
                    self.struct[k] = _field_type(self.class_name, k, resolved)
            self.defined = True  # first: a field of the class's own type refers to it
            for t in self.struct.values():
                for dep in _classes_in(t):
                    dep.define()
            from .dispatcher import session
            s = session()
            field_ids = [s.type_from_code(list(t.code)) for t in self.struct.values()]
            s.define_class(self.class_id, self.class_name, list(self.struct), field_ids,
                           _handle(self.init),
                           {k: _handle(v) for k, v in self.methods.items()},
                           {k: _handle(v) for k, v in self.static_methods.items()},
                           {k: _handle(v) for k, v in self.getters.items()})


_DEFERRED = (types.DeferredType, types._DeferredOptional)


def _classes_in(t):
    """The ClassTypes of the jitclass instances a field type holds (directly, optionally, in
    tuples or in typed containers)."""
    if isinstance(t, InstanceType):  # one rebuilt from its code has no class_type attribute
        yield _class_types[t.code[1]]
    elif isinstance(t, types.Optional):
        yield from _classes_in(t.type)
    elif isinstance(t, types.BaseTuple):
        for e in t.types:
            yield from _classes_in(e)
    elif isinstance(t, types.ListType):
        yield from _classes_in(t.item_type)
    elif isinstance(t, types.DictType):
        yield from _classes_in(t.key_type)
        yield from _classes_in(t.value_type)


def _handle(dispatcher) -> int:
    return id(dispatcher._impl)


def jitclass(cls_or_spec=None, spec=None):
    """``@jitclass(spec)``, ``@jitclass`` (annotations) or ``jitclass(cls, spec)``."""
    if isinstance(cls_or_spec, type):
        return _build(cls_or_spec, spec)
    if spec is None:
        spec = cls_or_spec

    def wrap(cls):
        return _build(cls, spec)
    return wrap


def _field_type(cls_name, name, t):
    """The ember type a spec entry or annotation denotes; TypeError for what a field cannot
    hold."""
    if isinstance(t, _DEFERRED):
        return t  # resolved when the class is defined (ClassType.define)
    if isinstance(t, type) and issubclass(t, _ember.JitclassBase) and hasattr(t, "class_type"):
        return t.class_type.instance_type
    if isinstance(t, type) and t in _ANNOTATION_TYPES:
        return _ANNOTATION_TYPES[t]
    if not isinstance(t, types.Type):
        try:
            t = types._as_type(t if isinstance(t, str) else np.dtype(t).name)
        except Exception:  # noqa: BLE001 (whatever the parser or NumPy refuses)
            raise TypeError(f"jitclass {cls_name}: the type of field '{name}' is "
                            f"{t!r}; give an ember type such as types.float64, "
                            "types.float64[:] or types.unicode_type") from None
    if not _storable(t.code):
        raise TypeError(f"jitclass {cls_name}: field '{name}' has type {t}, which a jitclass "
                        "field cannot hold (numbers, arrays, strings, tuples, optionals, typed "
                        "lists, dicts and sets, and other jitclass instances can)")
    return t


def _storable(code) -> bool:
    tag = code[0]
    if tag == types._sig.T_NONE:
        return False
    if tag == types._sig.T_FLOAT16:  # the runtime's typeinfo has no float16 items yet
        return False
    if tag == types._sig.T_TUPLE:
        elems = types.BaseTuple._of("", code).types
        return all(_storable(e.code) for e in elems)
    if tag == types._sig.T_OPTIONAL:
        return _storable(code[1:])
    return True


def _spec_items(spec):
    if spec is None:
        return []
    if isinstance(spec, dict):
        return list(spec.items())
    items = list(spec)
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            raise TypeError("a jitclass spec is a list of (name, type) pairs or a dict, not "
                            f"{spec!r}")
    return items


def _compile_source(src, name, namespace):
    """A function defined by `src` (generated code, compiled by njit)."""
    from .decorators import njit
    code = compile(src, f"<jitclass {name}>", "exec")
    exec(code, namespace)  # noqa: S102 (source built here from identifiers)
    return njit(namespace[name])


def _parent_of(cls):
    """The jitclass cls derives from, or None (it derives from object)."""
    name = cls.__name__
    if cls.__bases__ == (object,):
        return None
    if len(cls.__bases__) == 1:
        base = cls.__bases__[0]
        if isinstance(base, type) and issubclass(base, _ember.JitclassBase) and \
                hasattr(base, "class_type"):
            return base
    raise TypeError(f"jitclass {name}: a jitclass derives from object or from one other "
                    "jitclass, not from " + ", ".join(b.__name__ for b in cls.__bases__))


def _build(cls, spec):
    name = cls.__name__
    parent = _parent_of(cls)
    class_id = _class_id(cls)
    ct = ClassType(name, class_id)
    items = list(parent.class_type.struct.items()) if parent is not None else []
    inherited = {k for k, _ in items}
    own = _spec_items(spec)
    given = {k for k, _ in own}
    for k, t in cls.__dict__.get("__annotations__", {}).items():
        if k not in given:
            own.append((k, t))
    for k, _ in own:
        if k in inherited:
            raise TypeError(f"jitclass {name}: field '{k}' is already a field of "
                            f"{parent.__name__}; a derived class adds fields, it does not "
                            "redefine them")
    for k, t in items + own:
        ct.struct[k] = _field_type(name, k, t)
    from .decorators import njit

    namespace = {"__slots__": (), "__module__": cls.__module__, "__qualname__": cls.__qualname__,
                 "__doc__": cls.__doc__, "class_type": ct}
    # The parent's methods, properties and static methods first; the class's own override them.
    members = dict(parent.class_type.members) if parent is not None else {}
    from .jitclass_super import rewrite_member
    for k, v in cls.__dict__.items():
        if k.startswith("__") and k.endswith("__") and not inspect.isfunction(v):
            continue  # __dict__, __module__, __annotations__, __firstlineno__, ...
        members[k] = rewrite_member(cls, parent, k, v)  # super() bound to the parent
    ct.members = members
    for k, v in members.items():
        if k in ct.struct:
            raise TypeError(f"jitclass {name}: '{k}' is both a field and a class attribute")
        if isinstance(v, staticmethod):
            d = njit(v.__func__)
            ct.static_methods[k] = d
            namespace[k] = staticmethod(d)
        elif isinstance(v, classmethod):
            raise TypeError(f"jitclass {name}: class methods ('{k}') are not supported")
        elif isinstance(v, property):
            getter = njit(v.fget) if v.fget is not None else None
            setter = njit(v.fset) if v.fset is not None else None
            if getter is not None:
                ct.getters[k] = getter
            if setter is not None:
                ct.setters[k] = setter
            namespace[k] = property(_method(getter) if getter else None,
                                    _method(setter) if setter else None, None, v.__doc__)
        elif inspect.isfunction(v):
            code = v.__code__
            if code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
                raise TypeError(f"jitclass {name}: method '{k}' takes *args or **kwargs, which "
                                "compiled methods cannot")
            d = njit(v)
            if k == "__init__":
                ct.init = d
            else:
                ct.methods[k] = d
                namespace[k] = _method(d)
        else:
            raise TypeError(f"jitclass {name}: the class attribute '{k}' "
                            f"({type(v).__name__}) is not supported; only methods, properties "
                            "and static methods (fields go in the spec)")
    if ct.init is None:
        ct.init = _compile_source("def __init__(self):\n    pass\n", "__init__", {})
    # Fields: compiled accessors behind Python properties.
    for k, ft in ct.struct.items():
        get = _compile_source(f"def get_{k}(self):\n    return self.{k}\n", f"get_{k}", {})
        put = _compile_source(f"def set_{k}(self, value):\n    self.{k} = value\n",
                              f"set_{k}", {})
        namespace[k] = property(_method(get), _method(put), None, f"{k}: {ft}")
    init = ct.init.py_func
    code = init.__code__
    params = list(code.co_varnames[1:code.co_argcount + code.co_kwonlyargcount])
    npos = code.co_argcount - 1
    head = ", ".join(params[:npos] + (["*"] + params[npos:] if params[npos:] else []))
    call = ", ".join(params[:npos] + [f"{p}={p}" for p in params[npos:]])
    new_ns: dict = {}
    ctor = _compile_source(f"def __new_{name}({head}):\n    return __cls({call})\n",
                           f"__new_{name}", new_ns)
    ctor.py_func.__defaults__ = init.__defaults__
    ctor.py_func.__kwdefaults__ = init.__kwdefaults__

    def __new__(klass, *args, **kwargs):  # noqa: N807
        return ctor(*args, **kwargs)

    def __init__(self, *args, **kwargs):  # noqa: N807 (the constructor ran in __new__)
        pass

    namespace["__new__"] = __new__
    namespace["__init__"] = __init__
    box = type(name, (parent or _ember.JitclassBase,), namespace)
    new_ns["__cls"] = box
    ct.box = box
    types._jitclass_names[class_id] = name
    _ember.register_jitclass(class_id, box)
    return box


def _method(dispatcher):
    """A Python method calling a compiled one with the instance first."""
    def method(self, *args, **kwargs):
        return dispatcher(self, *args, **kwargs)
    method.__name__ = dispatcher.__name__
    method.__doc__ = dispatcher.__doc__
    return method


def _freeze(cls):
    """values.py: a jitclass read by compiled code (its constructor and static methods)."""
    from .values import JITCLASS
    cls.class_type.define()
    return (JITCLASS, cls.class_type.class_id, cls.__name__)
