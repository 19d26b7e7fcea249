"""A generated program: its functions (annotated AST), entry point, input sets and the
comparison tolerance, and how it becomes source text -- the plain program (what ember compiles
and what a reproducer shows) and the reference program (the same, with the checks of
reference.py) -- and a job (a JSON-friendly dict a worker runs).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from . import nodes as N
from .reference import ReferenceBuilder


@dataclass
class FuncSpec:
    name: str
    params: list
    ret: object
    options: dict
    node: ast.FunctionDef
    ret_approx: int = 0
    stores_params: bool = True


@dataclass
class Program:
    seed: int
    index: int
    module: ast.Module
    entry: str
    params: list
    inputs: list
    # the tolerance floats are compared with: 0 exact, 1 float64 ulps, 2 float32 ulps
    approx: int
    features: list = field(default_factory=list)
    options: dict = field(default_factory=dict)
    # test-only: make the worker misbehave on this program ("abort", "segv", "hang",
    # "mismatch"); see worker.plant
    plant: str | None = None

    @property
    def name(self) -> str:
        return f"s{self.seed}-p{self.index}"

    def plain_source(self) -> str:
        return N.unparse(self.module) + "\n"

    def reference_source(self) -> str:
        return N.unparse(ReferenceBuilder().build(self.module)) + "\n"

    def job(self) -> dict:
        return {"name": self.name, "plain": self.plain_source(),
                "reference": self.reference_source(), "entry": self.entry,
                "inputs": self.inputs, "approx": self.approx, "plant": self.plant,
                "parallel": bool(self.options.get("parallel"))}
