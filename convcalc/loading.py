"""The main road: a spec read, its symbols given their --set values, and computed into a report.

Every command and the library load a spec through here, with or without symbols; SymPy is
imported only when a spec holds one.
"""
from __future__ import annotations

from collections.abc import Iterable

from .engine import NetworkReport, analyze
from .limits import DEFAULT_LIMITS, Limits
from .spec import load_spec
from .symbolic import parse_assignments, substitute


def load_report(
    source: str,
    *,
    layout: str | None = None,
    strict: bool = False,
    stdin_text: str | None = None,
    assignments: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> NetworkReport:
    """Read SPEC (path, '-' or inline text), put in the --set values, and compute it."""
    values = parse_assignments(assignments, limits)
    spec = load_spec(source, layout=layout, stdin_text=stdin_text, limits=limits)
    return analyze(substitute(spec, values), strict=strict, limits=limits)


def summarize(
    source: str, *, layout: str | None = None, strict: bool = False, stdin_text: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> NetworkReport:
    """Read SPEC (path, '-' or inline text) and compute it: the library's one-call entry point."""
    return load_report(source, layout=layout, strict=strict, stdin_text=stdin_text, limits=limits)
