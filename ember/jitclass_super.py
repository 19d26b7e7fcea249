"""``super()`` in jitclass methods (ember/jitclasses.py), rewritten when the class is created.

Compiled code has no ``super`` object.  A jitclass derives from at most one other jitclass, so
``super().name`` in its class body always means the parent's member ``name``, known when the
class is created.  Each method, ``__init__`` and property getter or setter whose code reads
``super`` is compiled again from its source with every ``super().name`` (or ``super(Cls,
self).name``) replaced by the parent's compiled member, given to the new function as a closure
variable: ``super().m(a)`` becomes ``parent_m(self, a)`` (a method, ``__init__`` or a dunder
method), ``super().s(a)`` ``parent_s(a)`` (a static method), ``super().p`` ``parent_p_get(self)``
(a property) and ``super().x`` ``self.x`` (a field).  The parent's members are ordinary jitted
functions, so they compile again for the derived instance type, and ``self.other()`` inside
them still calls the derived class's override, as in Python.  The rewritten function replaces
the original in the class's members, so a grandchild inherits it with its ``super()`` already
bound to the class that wrote it.

Not supported (TypeError when the class is created): ``super()`` used other than as
``super().name``, a bound parent method taken as a value (``f = super().m``), and assigning
through ``super()`` (which Python refuses too).
"""
from __future__ import annotations

import ast
import inspect
import textwrap

_PREFIX = "__ember_super_"


def uses_super(func) -> bool:
    return "super" in func.__code__.co_names


def rewrite_member(cls, parent, name, value):
    """The class body's member `value` with its super() calls bound to `parent` (a jitclass or
    None), or `value` itself when it has none."""
    if isinstance(value, property):
        funcs = [value.fget, value.fset, value.fdel]
        new = [f if f is None or not inspect.isfunction(f) or not uses_super(f)
               else _rewrite(cls, parent, f"{name} (property)", f) for f in funcs]
        if all(a is b for a, b in zip(funcs, new)):
            return value
        return property(*new, value.__doc__)
    if inspect.isfunction(value) and uses_super(value):
        return _rewrite(cls, parent, name, value)
    return value


class _Rewriter(ast.NodeTransformer):
    def __init__(self, cls, parent, member, func, self_name):
        self.cls, self.parent, self.member, self.func = cls, parent, member, func
        self.self_name = self_name
        self.bound: dict[str, object] = {}  # injected name -> the parent's compiled member

    def fail(self, node, what):
        line = getattr(node, "lineno", self.func.__code__.co_firstlineno)
        raise TypeError(f"jitclass {self.cls.__name__}: {what} (in '{self.member}', "
                        f"{self.func.__code__.co_filename}, line {line})")

    def _is_super(self, node) -> bool:
        """super() or super(Cls, self), with Cls this class's name."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and
                node.func.id == "super" and not node.keywords):
            return False
        if not node.args:
            return True
        # super(Cls, self): Cls this class, or the class that wrote the function (a body may
        # take a method from a plain Python class: area = Triangle.area)
        owner = self.func.__qualname__.rsplit(".", 2)
        names = {self.cls.__name__} | ({owner[-2]} if len(owner) > 1 else set())
        return len(node.args) == 2 and isinstance(node.args[0], ast.Name) and \
            node.args[0].id in names and isinstance(node.args[1], ast.Name) and \
            node.args[1].id == self.self_name

    def _inject(self, key, value):
        injected = f"{_PREFIX}{key}"
        self.bound[injected] = value
        return ast.Name(injected, ast.Load())

    def visit_Call(self, node):  # noqa: N802 (ast's names)
        f = node.func
        if isinstance(f, ast.Attribute) and self._is_super(f.value):
            args = [self.visit(a) for a in node.args]
            keywords = [self.visit(k) for k in node.keywords]
            name = f.attr
            if self.parent is None:
                if name == "__init__" and not args and not keywords:
                    return ast.copy_location(ast.Constant(None), node)  # object.__init__()
                self.fail(node, f"super().{name}(): the class derives from object, which has "
                                "no such method in compiled code")
            ct = self.parent.class_type
            if name == "__init__":
                target = self._inject("init", ct.init)
            elif name in ct.methods:
                target = self._inject(name, ct.methods[name])
            elif name in ct.static_methods:
                return ast.copy_location(ast.Call(self._inject(f"static_{name}",
                                                               ct.static_methods[name]),
                                                  args, keywords), node)
            else:
                self.fail(node, f"super().{name}(): {self.parent.__name__} has no method "
                                f"'{name}'")
            call = ast.Call(target, [ast.Name(self.self_name, ast.Load())] + args, keywords)
            return ast.copy_location(call, node)
        return self.generic_visit(node)

    def visit_Attribute(self, node):  # noqa: N802
        if not self._is_super(node.value):
            return self.generic_visit(node)
        name = node.attr
        if not isinstance(node.ctx, ast.Load):
            self.fail(node, f"super().{name} is assigned to; assign self.{name} instead")
        if self.parent is None:
            self.fail(node, f"super().{name}: the class derives from object")
        ct = self.parent.class_type
        me = ast.Name(self.self_name, ast.Load())
        if name in ct.getters:
            call = ast.Call(self._inject(f"get_{name}", ct.getters[name]), [me], [])
            return ast.copy_location(call, node)
        if name in ct.struct:
            return ast.copy_location(ast.Attribute(me, name, ast.Load()), node)
        if name in ct.methods or name == "__init__" or name in ct.static_methods:
            self.fail(node, f"super().{name} is taken as a value; only calls of the parent's "
                            "methods are supported")
        self.fail(node, f"super().{name}: {self.parent.__name__} has no attribute '{name}'")

    def visit_Name(self, node):  # noqa: N802
        if node.id == "super":
            self.fail(node, "super is supported only as super().name in a jitclass")
        return node


def _rewrite(cls, parent, member, func):
    code = func.__code__
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        raise TypeError(f"jitclass {cls.__name__}: '{member}' calls super(), which ember "
                        "compiles from the function's source, and its source is not "
                        "available") from None
    tree = ast.parse(source)
    top = tree.body[0]
    if not isinstance(top, ast.FunctionDef) or not top.args.args:
        raise TypeError(f"jitclass {cls.__name__}: '{member}' calls super() but is not a "
                        "method taking the instance first")
    ast.increment_lineno(tree, code.co_firstlineno - 1)
    top.decorator_list = []
    rewriter = _Rewriter(cls, parent, member, func, top.args.args[0].arg)
    top.body = [rewriter.visit(stmt) for stmt in top.body]
    # Rebuilt inside a function whose parameters are its free variables (the class cell
    # __class__ aside: super() no longer reads it) and the parent's members it calls.
    free = [n for n in code.co_freevars if n != "__class__"]
    cells = dict(zip(code.co_freevars, func.__closure__ or ()))
    outer_params = free + list(rewriter.bound)
    outer = ast.FunctionDef(
        name="__ember_super_outer",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in outer_params],
                           kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=[top, ast.Return(ast.Name(top.name, ast.Load()))], decorator_list=[],
        returns=None, **({"type_params": []} if "type_params" in ast.FunctionDef._fields
                         else {}))
    ast.copy_location(outer, top)
    module = ast.fix_missing_locations(ast.Module([outer], []))
    namespace: dict = {}
    exec(compile(module, code.co_filename, "exec"), func.__globals__, namespace)  # noqa: S102
    values = []
    for n in free:
        try:
            values.append(cells[n].cell_contents)
        except ValueError:
            raise TypeError(f"jitclass {cls.__name__}: '{member}' reads the free variable "
                            f"'{n}', which has no value yet") from None
    values += list(rewriter.bound.values())
    new = namespace["__ember_super_outer"](*values)
    new.__defaults__ = func.__defaults__
    new.__kwdefaults__ = func.__kwdefaults__
    new.__qualname__ = func.__qualname__
    new.__doc__ = func.__doc__
    return new
