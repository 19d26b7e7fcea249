"""Numba's ``numba.experimental`` namespace: ``jitclass`` (ember/jitclasses.py)."""
from .jitclasses import jitclass

__all__ = ["jitclass"]
