"""The feature registry: the generator knows no construct itself; each feature module registers
expression producers (``@FEATURE.expr``) and statement producers (``@FEATURE.stmt``), and a
program draws which features it uses.

A producer is ``fn(gen, want, depth) -> node or None`` for expressions (``want`` is the type
asked for: a ``Scalar``, an ``ArrayPattern`` or a ``TupleT``) and ``fn(gen, depth) -> list of
statements or None`` for statements; None means "not possible here", and the generator tries
another producer.  ``accepts`` filters expression producers by the wanted type before they are
tried.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class ExprRule:
    feature: Feature
    fn: Callable
    accepts: Callable
    weight: float


@dataclass
class StmtRule:
    feature: Feature
    fn: Callable
    weight: float
    # where the statement may appear: "any", "loop" (inside a loop), "prange" (a prange body)
    where: tuple = ("any",)


@dataclass
class Feature:
    name: str
    doc: str
    # probability that a program enables the feature (1.0: always)
    probability: float = 1.0
    requires: tuple = ()
    exprs: list = field(default_factory=list)
    stmts: list = field(default_factory=list)

    def expr(self, accepts, weight: float = 1.0):
        def register(fn):
            self.exprs.append(ExprRule(self, fn, accepts, weight))
            return fn
        return register

    def stmt(self, weight: float = 1.0, where=("any",)):
        def register(fn):
            self.stmts.append(StmtRule(self, fn, weight, tuple(where)))
            return fn
        return register


FEATURES: dict[str, Feature] = {}


def feature(name: str, doc: str, probability: float = 1.0, requires=()) -> Feature:
    """Declares (once) and returns the feature called name."""
    if name in FEATURES:
        raise ValueError(f"feature {name!r} declared twice")
    f = Feature(name, doc, probability, tuple(requires))
    FEATURES[name] = f
    return f


def load_all() -> dict[str, Feature]:
    """Imports every feature module (they register themselves) and returns the registry."""
    from . import features  # noqa: F401
    return FEATURES
