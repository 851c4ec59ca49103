"""`valid:` answers: is a layer's (or a network's) configuration valid?

Valid as CS231n's notes use the word: the layer can be computed, and its windows fit the padded
input evenly ((W − F + 2P)/S + 1 is a whole number). PyTorch and Keras run an uneven setting by
flooring it; the verdict says so, so that a student reading either convention sees both.
"""
from __future__ import annotations

from typing import Any

from ..engine import LayerReport
from .verdicts import Verdict

_TRUE = {"true", "yes", "valid", "y", "ok"}
_FALSE = {"false", "no", "invalid", "n", "not valid"}


def invalid_reason(layer: LayerReport) -> str:
    """Why CS231n would call this layer's setting invalid, or '' when it is valid."""
    steps = [step for step in layer.outcome.axes if step.exact is not None and step.rounding == "floor" and not step.transposed]
    if not steps:
        return ""
    step = steps[0]
    names = " and ".join(dict.fromkeys(f"{s.axis}2" for s in steps))
    return (f"{names}: {step.text.split(' → ')[0]} is not a whole number: the windows do not fit evenly "
            f"(PyTorch and Keras floor it to {step.size_out} and run it)")


def read_valid(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def mark_valid(where: str, raw: Any, reason: str, layer: LayerReport | None, index: int | None = None, name: str | None = None):
    """The verdict on a `valid:` answer; ``reason`` is why the setting is invalid ('' when it is valid)."""
    from .answers import written_text

    if layer is not None:
        index, name = layer.index, layer.name
    right_value = not reason
    answer = read_valid(raw)
    shown = "true" if right_value else "false"
    derivation = (reason,) if reason else ("every window fits evenly and every size is at least 1",)
    if answer is None:
        return Verdict(where, "valid", written_text(raw), shown, "unreadable", derivation, index, name, raw, right_value,
                       "cannot read it: write valid: true or valid: false")
    status = "right" if answer == right_value else "wrong"
    diagnosis = ""
    if status == "wrong":
        diagnosis = ("CS231n calls a setting invalid when a size does not come out whole or at least 1, "
                     "even where PyTorch and Keras round it and run." if reason else
                     "This setting is valid: every size comes out a whole number, at least 1.")
    details = (f"({reason})",) if status == "right" and reason else ()
    return Verdict(where, "valid", written_text(raw), shown, status, derivation, index, name, raw, right_value, diagnosis, details)
