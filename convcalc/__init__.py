"""convcalc: shapes and parameter counts of convolutional networks from a small spec.

The public facade: ``summarize`` (SPEC text, path or '-' to a report), ``load_spec`` and
``analyze`` for the two steps, and ``SpecError`` for every problem with a spec.
"""
from __future__ import annotations

__version__ = "0.1.0"

import gc as _gc  # noqa: E402

_collecting = _gc.isenabled()
_gc.disable()  # loading the modules makes objects but no garbage: a collection now only delays start-up
try:
    from .engine import LayerReport, NetworkReport, analyze  # noqa: E402
    from .loading import summarize  # noqa: E402
    from .errors import SpecError  # noqa: E402
    from .spec import NetworkSpec, load_spec, spec_from_text  # noqa: E402
finally:
    if _collecting:
        _gc.enable()

__all__ = [
    "LayerReport",
    "NetworkReport",
    "NetworkSpec",
    "SpecError",
    "analyze",
    "load_spec",
    "spec_from_text",
    "summarize",
]
