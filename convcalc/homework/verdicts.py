"""The record of one marked answer, shared by every part of `check` (layers, totals, validity, solve questions)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATUSES = ("right", "wrong", "unreadable", "unmarked")


@dataclass(frozen=True)
class Verdict:
    """One answer: where it belongs, what it is about, what was written, what is right, and why."""

    where: str  # "layer 1 'conv1'", "network" or "solve 2"
    what: str  # 'shape', 'params', …
    answer: str  # as the student wrote it
    correct: str  # the right value as convcalc prints it
    status: str  # one of STATUSES
    derivation: tuple[str, ...] = ()
    layer_index: int | None = None
    layer_name: str | None = None
    written: Any = None  # the answer exactly as the spec holds it
    value: Any = None  # the right value: an exact int, a list of them, a bool, or a formula's text
    diagnosis: str = ""  # the mistake the answer matches, or which factor differs
    details: tuple[str, ...] = ()  # per-axis marks, how an ambiguous number was read

    @property
    def right(self) -> bool:
        return self.status == "right"
