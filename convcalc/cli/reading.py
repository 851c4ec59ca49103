"""A spec as every command that takes SPEC reads it: standard input for '-', read under the limits
of --limit, and computed into a report (SpecError on a problem)."""
from __future__ import annotations

from ..errors import SpecError


def stdin_text(source: str, limits=None) -> str | None:
    """What load_report and check_source are given for '-' (standard input), read now; None for any other SPEC."""
    if source != "-":
        return None
    from ..limits import DEFAULT_LIMITS
    from ..spec import read_stdin

    return read_stdin(limits or DEFAULT_LIMITS)


def load(spec: str, *, layout: str | None = None, strict: bool = False, assignments: tuple[str, ...] = (),
         limit_options: tuple[str, ...] = ()):
    """SPEC read (in its own layout) and computed as every command reads it, shapes to be shown in
    --layout, and the limits it was read under (SpecError on a problem)."""
    from ..limits import parse_limits
    from ..loading import load_report

    limits = parse_limits(limit_options)
    try:
        report = load_report(spec, strict=strict, stdin_text=stdin_text(spec, limits), assignments=assignments, limits=limits)
    except RecursionError:  # only past a raised depth limit: the default keeps every step well inside Python's
        raise SpecError("the spec nests lists or blocks too deep to work through",
                        hint=f"nest them less deeply (--limit depth is {limits.depth:,}; the default 50 is safe)") from None
    if layout is not None:
        report = report._replace(display_layout=layout)
    return report, limits
