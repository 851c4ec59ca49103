"""The table of named adapters, by framework: what adapters.py and adapters_blocks.py register into
and export reads (import ``adapters`` for the full table: importing it registers both modules).
"""
from __future__ import annotations

from collections.abc import Callable

from .draft import Draft

ADAPTERS: dict[str, dict[str, Callable[[Draft], None]]] = {"pytorch": {}, "keras": {}}
SETS: dict[str, dict[str, tuple[str, ...]]] = {"pytorch": {}, "keras": {}}  # the values each adapter sets


def adapter(framework: str, *names: str, sets: tuple[str, ...] = ()):
    """Register ``fn`` under ``names`` for one framework; ``sets``: the values a Param may read from it."""
    def register(fn: Callable[[Draft], None]) -> Callable[[Draft], None]:
        for name in names:
            ADAPTERS[framework][name] = fn
            SETS[framework][name] = sets
        return fn

    return register
