"""From a computed network to framework code: the dispatch by target.

Pure text generation from a :class:`~convcalc.engine.NetworkReport`, written from each kind's
declared counterparts (``convcalc/layers/counterparts.py``): neither torch nor keras is imported.
"""
from __future__ import annotations

from ..engine import NetworkReport
from ..errors import SpecError
from .keras import to_keras
from .naming import class_name, docstring_text, identifier, identifiers
from .pytorch import TorchLayer, to_pytorch, torch_layers

TARGETS = ("pytorch", "keras")
WRITERS = {"pytorch": to_pytorch, "keras": to_keras}

__all__ = ["TARGETS", "TorchLayer", "class_name", "docstring_text", "export", "identifier", "identifiers", "to_keras",
           "to_pytorch", "torch_layers"]


def export(report: NetworkReport, target: str) -> str:
    """The framework code for a computed network: target is 'pytorch' or 'keras'."""
    if target not in WRITERS:
        raise SpecError(f"unknown export target '{target}'", hint=f"choose one of: {', '.join(TARGETS)}")
    return WRITERS[target](report)
